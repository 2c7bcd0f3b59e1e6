"""The shipped 2025 case study and the SCIE 2018 report load faithfully, and only once.

Both fixtures refer to rows of the 2024 review by natural key, so these tests
load all the shipped reviews exactly as `make run` does (the `shipped` fixture).
"""

import pytest
from django.core import serializers
from django.core.management import call_command

from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review
from programme_theories.models import Framework, Theme
from tests.conftest import CASE_STUDY_SLUG, ICS_SLUG

SCIE_FRAMEWORK = "Systems Leadership Development Framework (SCIE 2018)"

THEMES = {
    "difficulties balancing operational vs strategic goals",
    "limited focus on tackling health inequalities",
    "resource constraints",
    "governance complexities",
}

# (excerpt key, refined CMOC code, element): where the abstract's words plainly
# bear on a 2024 CMOC. The operational-vs-strategic theme is deliberately unlinked.
EXPECTED_LINKS = {
    ("theme-health-inequalities", "CMOC 2", "outcome"),
    ("theme-resource-constraints", "CMOC 4", "context"),
    ("result-hindered-innovation", "CMOC 4", "outcome"),
    ("theme-governance-complexities", "CMOC 6", "mechanism_resource"),
    ("conclusion-decision-making-autonomy", "CMOC 6", "mechanism_resource"),
    ("conclusion-rigid-funding-and-governance", "CMOC 6", "mechanism_resource"),
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
    assert case_study.method == Review.Method.REALIST_EVALUATION
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
    assert "realist-informed case study" in case_study.notes


def test_it_tests_the_2024_reviews_theories(case_study, shipped):
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


def test_it_links_evidence_only_to_2024_refined_cmocs_with_a_stance_and_a_reason(shipped):
    links = list(_case_study_links())
    assert {(link.excerpt.key, link.cmoc.code, link.element) for link in links} == EXPECTED_LINKS
    for link in links:
        assert link.cmoc.review == shipped
        assert link.cmoc.stage == CMOC.Stage.REFINED
        assert link.stance in (EvidenceLink.Stance.CHALLENGES, EvidenceLink.Stance.REFINES)
        assert len(link.note) > 100, link.note
        link.full_clean()  # the cross-review rule admits it: the case study tests the 2024 review


def test_it_leaves_the_operational_vs_strategic_theme_unlinked(case_study):
    theme = Excerpt.objects.get(
        source__review=case_study, key="theme-operational-vs-strategic-goals"
    )
    assert not theme.evidence_links.exists()


def test_it_ships_the_scie_framework_with_its_four_domains_in_order(shipped):
    framework = Framework.objects.select_related("source__review").get(
        review=shipped, name=SCIE_FRAMEWORK
    )
    assert framework.kind == Framework.Kind.OTHER
    assert framework.source.natural_key() == (ICS_SLUG, "scie2018")
    domains = list(framework.themes.order_by("order"))
    assert [domain.name for domain in domains] == [
        "Innovation and improvement",
        "Relationships and connectivity",
        "Individual effectiveness",
        "Learning and capacity-building",
    ]
    assert all(domain.description and domain.citations for domain in domains)
    assert "distributed leadership model" in domains[2].description


def test_it_ships_scie_enabler_and_barrier_excerpts_on_the_report(shipped):
    excerpts = Excerpt.objects.filter(source__review=shipped, source__citation_key="scie2018")
    enablers = [e for e in excerpts if e.key.startswith("enabler-")]
    barriers = [e for e in excerpts if e.key.startswith("barrier-")]
    assert len(enablers) == 5 and len(barriers) == 5
    assert all(e.section.startswith("Enablers and barriers") for e in enablers + barriers)
    assert excerpts.get(key="barrier-innovation-austerity").text == (
        "Coping with austerity and a system under stress – funding pressures dwarfing "
        "attempts to introduce innovation."
    )
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
