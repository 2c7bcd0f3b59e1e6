"""The shipped 2025 case study and the SCIE 2018 report load as what they are, and only once.

Both fixtures refer to rows of the 2024 review by natural key, so these tests
load all the shipped reviews exactly as `make run` does (the `shipped` fixture).
"""

import pytest
from django.core import serializers
from django.core.management import call_command

from cmocs.models import CMOC, EvidenceLink, Provenance
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review
from programme_theories.models import Framework, Theme
from tests.conftest import CASE_STUDY_SLUG, ICS_SLUG
from tests.seeds import CASE_STUDY_2025, PAPER_2024, SCIE_2018, seed_text

SCIE_SLUG = "scie-2018-leadership-in-integrated-care-systems"
SCIE_FRAMEWORK = "Systems Leadership Development Framework (SCIE 2018)"

THEMES = {
    "difficulties balancing operational vs strategic goals",
    "limited focus on tackling health inequalities",
    "resource constraints",
    "governance complexities",
}

# (excerpt key, refined CMOC code, element, stance): the project's readings of the
# abstract against a 2024 CMOC. The operational-vs-strategic theme is deliberately
# unlinked; so are the health-inequalities theme and "hindered innovation": an
# outcome not reached, with nothing said of the CMOC's context or resource, cannot
# challenge the CMOC in realist logic.
EXPECTED_LINKS = {
    ("theme-resource-constraints", "CMOC 4", "context", "refines"),
    ("theme-governance-complexities", "CMOC 6", "mechanism_resource", "supports"),
    ("conclusion-decision-making-autonomy", "CMOC 6", "mechanism_resource", "refines"),
    ("conclusion-rigid-funding-and-governance", "CMOC 6", "mechanism_resource", "refines"),
}


@pytest.fixture
def case_study(shipped):
    return Review.objects.get(slug=CASE_STUDY_SLUG)


def _case_study_links():
    return EvidenceLink.objects.filter(
        excerpt__source__review__slug=CASE_STUDY_SLUG
    ).select_related("cmoc__review", "excerpt__source")


def test_it_loads_the_case_study_with_its_method_facts(case_study):
    assert case_study.title == (
        "Emerging challenges in integrated care system leadership: a qualitative case study"
    )
    # A qualitative case study analysed thematically, as its abstract says: not realist.
    assert case_study.method == Review.Method.QUALITATIVE_CASE_STUDY
    abstract = seed_text(CASE_STUDY_2025)
    assert "A qualitative case study design was used" in abstract
    assert "Braun and Clarke's six-phase framework" in abstract
    for realist_word in ("realist", "mechanism", "CMOC", "programme theor"):
        assert realist_word not in abstract
    assert case_study.visibility == Review.Visibility.PUBLIC
    assert (case_study.authors, case_study.year) == ("Knight, L.", 2025)
    assert case_study.doi == "10.12968/bjhc.2025.0015"
    assert "Vol. 31 No. 11" in case_study.citation
    for fact in (
        "purposive sampling of 23 ICS leaders from one large ICS in England",
        "28 semi-structured interviews",
        "June–September 2023",
        "Braun and Clarke's six-phase framework",
    ):
        assert fact in case_study.summary
    assert "Access Restricted until 8 May 2026" in case_study.notes
    assert "It is not stored as a realist evaluation" in case_study.notes
    # Nothing presents it as the 2024 review's next stage or as a test by its author.
    assert "next stage of the 2024" not in case_study.summary
    assert "ichub's, not the author's" in case_study.summary


def test_its_evidence_bears_on_the_2024_reviews_theories(case_study, shipped):
    assert list(case_study.tests_theories_of.all()) == [shipped]
    assert case_study.pk in shipped.evidence_reviews()


def test_it_holds_the_four_themes_as_excerpts_of_the_article(case_study):
    article = SourceDocument.objects.get(review=case_study, citation_key="knight2025")
    assert article.kind == SourceDocument.Kind.EMPIRICAL_STUDY
    assert article.doi == case_study.doi
    themes = Excerpt.objects.filter(source=article, key__startswith="theme-")
    assert {excerpt.text for excerpt in themes} == THEMES
    for theme in themes:
        assert theme.kind == Excerpt.Kind.SUMMARY
        assert theme.section == "Abstract: Results"
        assert theme.text in article.abstract


def test_it_links_evidence_only_as_the_projects_reading_explained_on_the_link(shipped):
    links = list(_case_study_links())
    assert {
        (link.excerpt.key, link.cmoc.code, link.element, link.stance) for link in links
    } == EXPECTED_LINKS
    for link in links:
        assert link.cmoc.review == shipped
        assert link.cmoc.stage == CMOC.Stage.REFINED
        assert link.provenance == Provenance.PROJECT_READING
        assert len(link.reading) > 100, link.reading
        link.full_clean()  # the cross-review rule admits it: its evidence bears on the 2024 review


def test_it_no_longer_reads_governance_complexities_as_a_challenge_to_cmoc_6(shipped):
    """The 2024 paper itself says the opposite of a CMOC is likely to apply: a lack of clear
    governance limits system outcomes, which fits CMOC 6 rather than challenging it."""
    assert not _case_study_links().filter(stance=EvidenceLink.Stance.CHALLENGES).exists()
    link = _case_study_links().get(excerpt__key="theme-governance-complexities")
    caveat = "in most cases the opposite is likely to apply"
    assert caveat in seed_text(PAPER_2024) and caveat in link.reading


def test_it_quotes_the_abstract_with_its_capitals(shipped):
    link = _case_study_links().get(excerpt__key="conclusion-rigid-funding-and-governance")
    quote = "Rigid funding and governance structures can hinder focus on preventive care"
    assert quote in seed_text(CASE_STUDY_2025) and quote in link.reading
    assert quote.lower() not in link.reading


def test_it_leaves_the_operational_vs_strategic_theme_unlinked(case_study):
    theme = Excerpt.objects.get(
        source__review=case_study, key="theme-operational-vs-strategic-goals"
    )
    assert not theme.evidence_links.exists()


def test_it_attaches_the_scie_framework_to_a_record_of_the_report_not_the_2024_review(shipped):
    assert not Framework.objects.filter(review=shipped, name=SCIE_FRAMEWORK).exists()
    framework = Framework.objects.select_related("source__review").get(name=SCIE_FRAMEWORK)
    assert framework.review.slug == SCIE_SLUG
    assert framework.review.method == Review.Method.OTHER
    assert framework.kind == Framework.Kind.OTHER
    assert framework.source.natural_key() == (SCIE_SLUG, "scie2018")
    assert "53 items" in framework.description and "ichub's reading" in framework.description
    # The report stays a grey-literature source the 2024 review cites.
    cited = SourceDocument.objects.get_by_natural_key(ICS_SLUG, "scie2018")
    assert cited.kind == SourceDocument.Kind.GREY_LITERATURE
    assert "Social Care Institute for Excellence, 2018" in seed_text(PAPER_2024)
    domains = list(framework.themes.order_by("order"))
    assert [domain.name for domain in domains] == [
        "Innovation and improvement",
        "Relationships and connectivity",
        "Individual effectiveness",
        "Learning and capacity-building",
    ]
    assert all(domain.description and domain.citations for domain in domains)
    assert "distributed leadership model" in domains[2].description


# Items per column of each domain's enablers-and-barriers table, counted in the seed text.
SCIE_COLUMNS = {
    "Innovation and improvement": (9, 9),
    "Relationships and connectivity": (5, 6),
    "Individual effectiveness": (6, 8),
    "Learning and capacity-building": (5, 5),
}


def _flat(text):
    """The seed's bullets are wrapped over lines and begin with a replacement character."""
    return " ".join(text.replace("\ufffd", " ").split())


def test_it_ships_all_53_scie_enablers_and_barriers_word_for_word(shipped):
    seed = _flat(seed_text(SCIE_2018))
    excerpts = Excerpt.objects.filter(
        source__review__slug=SCIE_SLUG, source__citation_key="scie2018"
    )
    assert excerpts.count() == 53
    for domain, (n_enablers, n_barriers) in SCIE_COLUMNS.items():
        for kind, count in (("enabler", n_enablers), ("barrier", n_barriers)):
            column = [e for e in excerpts if e.section.endswith(f": {domain} ({kind}s)")]
            assert len(column) == count, (domain, kind)
            assert all(e.key.startswith(f"{kind}-") for e in column)
    for excerpt in excerpts:
        assert excerpt.text in seed, excerpt.key
    assert excerpts.get(key="barrier-innovation-austerity").text == (
        "Coping with austerity and a system under stress – funding pressures dwarfing "
        "attempts to introduce innovation."
    )
    # The same words under two domains are two excerpts, as in the report.
    staff = "Staff ‘ownership’ of clinical and social care models."
    assert excerpts.filter(text=staff).count() == 2
    assert not EvidenceLink.objects.filter(excerpt__in=excerpts).exists()


def _snapshot():
    """Every row the two fixtures write, serialised as a reader would see it."""
    querysets = [
        Review.objects.filter(slug=CASE_STUDY_SLUG),
        SourceDocument.objects.filter(review__slug=CASE_STUDY_SLUG),
        Excerpt.objects.filter(source__review__slug=CASE_STUDY_SLUG).order_by("key"),
        Excerpt.objects.filter(source__citation_key="scie2018").order_by("key"),
        EvidenceLink.objects.filter(excerpt__source__review__slug=CASE_STUDY_SLUG).order_by("pk"),
        Framework.objects.filter(name=SCIE_FRAMEWORK),
        Theme.objects.filter(framework__name=SCIE_FRAMEWORK).order_by("order"),
    ]
    return [
        serializers.serialize(
            "json", qs, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        for qs in querysets
    ]


def test_it_changes_nothing_when_loaded_twice(shipped):
    before = _snapshot()
    call_command("loaddata", "scie_2018_report", "ics_case_study_2025", verbosity=0)
    call_command("load_shipped_reviews", verbosity=0)
    assert _snapshot() == before
    assert Review.objects.filter(slug=CASE_STUDY_SLUG).count() == 1
    assert Excerpt.objects.filter(source__review__slug=CASE_STUDY_SLUG).count() == 11
    assert _case_study_links().count() == len(EXPECTED_LINKS)
