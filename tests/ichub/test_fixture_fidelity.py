"""The shipped 2024 review reproduces Knight, Neiva Ganga & Tucker (2024) exactly.

Expected values are copied from the paper (seed 002), so a fixture edit that
drifts from the paper fails here. Where the paper is silent the fixture must
say so, which these tests check too.
"""

import pytest

from cmocs.models import CMOC, EvidenceLink, LineageEvent, Mechanism, Provenance
from evidence.models import Appraisal, ScreeningCount, SourceDocument
from ichub.fields import natural_sort_key
from ichub.models import OperationalDefinition, Review
from programme_theories.models import Framework, ProgrammeTheory
from tests.conftest import ICS_SLUG
from tests.seeds import PAPER_2024, seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(shipped_module):
    """The module's read-only tests share one load of the shipped reviews."""
    return shipped_module

INCLUDED_STUDIES = {
    "aufegger2020", "aunger2022b", "bell2022", "chang2021", "embuldeniya2018", "gordon2020",
    "harlock2020", "kozlowska2020", "macleod2019", "martin2021", "miller2020", "mitchell2020",
    "nicholson2018", "pearson2018", "round2018", "shand2019", "sims2021",
    "urtaranlaresgoiti2018",
}
EXCLUDED_STUDIES = {
    "alonso2022": "relevance",
    "elliott2020": "richness",
    "martin2019": "richness",
    "robert2022": "richness",
}

# Refined CMOC -> the studies its Phase 1b paragraph cites.
CITED_FOR_REFINED = {
    1: {"aufegger2020", "aunger2022b", "harlock2020", "kozlowska2020", "macleod2019",
        "martin2021", "miller2020", "round2018", "sims2021", "urtaranlaresgoiti2018"},
    2: {"sims2021", "bell2022", "gordon2020", "harlock2020", "macleod2019", "martin2021",
        "miller2020", "mitchell2020", "nicholson2018", "round2018", "urtaranlaresgoiti2018"},
    3: {"chang2021", "gordon2020", "martin2021", "sims2021", "aunger2022b", "bell2022",
        "embuldeniya2018", "harlock2020", "macleod2019", "miller2020", "nicholson2018",
        "shand2019"},
    4: {"sims2021", "gordon2020", "macleod2019", "martin2021", "miller2020", "mitchell2020",
        "round2018", "urtaranlaresgoiti2018"},
    5: {"embuldeniya2018", "pearson2018", "bell2022", "gordon2020", "mitchell2020",
        "nicholson2018"},
    6: {"bell2022", "gordon2020", "sims2021", "pearson2018", "macleod2019", "miller2020",
        "nicholson2018", "aunger2022b", "mitchell2020", "urtaranlaresgoiti2018"},
}

# Refined CMOC -> (theme, C, M-res, M-rea, O), the spans the paper marks.
REFINED_ELEMENTS = {
    1: ("Being", "ICS formation and development",
        "leaders with a clear and sustained vision communicate clarity of intent",
        "fosters a sense of purpose in stakeholders",
        "helps to focus on the achievement of ICSs\u2019 objectives"),
    2: ("Leading and visioning", "determining and measuring ICS priorities",
        "the transparent and democratic engagement of clinical and care professionals, "
        "non-health partners and local communities",
        "promotes a sense of mutual accountability",
        "a focus on population health and well-being, reducing the impact of health and social "
        "inequalities"),
    3: ("Relating and communicating",
        "bringing together health and social care organisations with different histories, "
        "funding mechanisms and governance",
        "developing strong relationships through shared goals and frequent face-to-face "
        "interactions",
        "nurture trust and understanding",
        "support collaborative decision-making and the resolution of tensions"),
    4: ("Delivering", "a shared culture of learning",
        "system partners facilitating and supporting each other to innovate and identify "
        "learning from successes and failures",
        "supports psychological safety and encourages creativity and innovative thinking",
        "effective service redesign and continuous improvement"),
    5: ("Delivering", "population health management and digitalisation",
        "the use of shared digital intelligence",
        "supports leaders to better understand local population needs",
        "improved targeting or prioritisation of local communities so they can access services"),
    6: ("Delivering", "developing a culture of accountability",
        "clear governance structures and transparent decision-making, with a robust process for "
        "monitoring and evaluation",
        "ensure partners accountability for quality, value for money and effective service "
        "provision",
        "the achievement of system outcomes"),
}

TABLE_2 = {
    "Delivering": "Effective ICS leaders hold themselves and others to account for improving "
    "outcomes for the local population. They use available intelligence to take actions that "
    "support targeting and prioritisation of local communities. Effective ICS leaders support "
    "and encourage learning, curiosity and calculated risk-taking enabling innovative approaches "
    "that lead to service improvements",
    "Being": "Effective ICS leaders communicate a clear vision, fostering a sense of purpose "
    "across the system regarding the achievement of agreed ICS outcomes",
    "Leading and visioning": "Effective ICS leaders have a clear vision that promotes a sense of "
    "mutual accountability, providing opportunities for others to develop, make decisions and "
    "take ownership of problem-solving through the engagement of all partners in the reduction "
    "of health and social care inequalities",
    "Relating and communicating": "Effective ICS leaders build relationships at all levels of "
    "the system; they promote partnership and collaboration. Leaders encourage a collective "
    "agreement about what needs to be achieved and communicate openly about how and why "
    "decisions are made",
}

# Initial CMOC -> (lineage event kind, status), as Phase 1b states.
INITIAL_FATES = {
    1: ("refined", CMOC.Status.SUPERSEDED),
    6: ("refined", CMOC.Status.SUPERSEDED),
    7: ("refined", CMOC.Status.SUPERSEDED),
    8: ("refined", CMOC.Status.SUPERSEDED),
    3: ("dropped", CMOC.Status.DROPPED),
    2: ("merged", CMOC.Status.MERGED),
    9: ("merged", CMOC.Status.MERGED),
    4: ("merged", CMOC.Status.MERGED),
    5: ("merged", CMOC.Status.MERGED),
}

POLICY_DOCUMENTS = {
    "dhsc2021", "dhsc2022a", "dhsc2022b", "nao2022", "nhsemployers2022", "nhsei2021a",
    "nhsei2021b", "nhsei2021c", "nhsei2021d", "nhsei2021e", "nhsei2022",
}


def _cmoc(stage, n):
    return CMOC.objects.get_by_natural_key(ICS_SLUG, stage, f"CMOC {n}")


def test_it_loads_the_review_as_the_paper_describes_it(shipped):
    assert shipped.title == "Integrated care system leadership: a rapid realist review"
    assert shipped.visibility == Review.Visibility.PUBLIC
    assert shipped.method == Review.Method.RAPID_REALIST_REVIEW
    assert shipped.question.lower() == (
        "how does leadership in icss work, for whom and in what circumstances?"
    )
    assert shipped.doi == "10.1108/LHS-12-2023-0092"
    assert shipped.year == 2024
    assert shipped.authors == "Knight, L., Neiva Ganga, R. and Tucker, M."
    assert "RAMESES" in shipped.reporting_standard
    assert "Wong et al., 2013" in shipped.reporting_standard
    assert "Vol. 37 No. 3, pp. 327-341" in shipped.citation


def test_it_notes_the_gaps_the_paper_leaves(shipped):
    notes = shipped.notes
    assert "Thirteen stated, eleven cited" in notes
    assert "Supplementary files 1-3 are not held" in notes
    assert "nine initial CMOCs are not printed" in notes
    assert "lineage mapping is not stated" in notes


def test_it_holds_the_table_1_operational_definitions(shipped):
    definitions = {d.element: d.text for d in OperationalDefinition.objects.filter(review=shipped)}
    assert set(definitions) == {"context", "mechanism", "outcome"}
    assert definitions["context"].startswith("A situation or condition that existed before the "
                                             "formation of ICS")
    assert "(resources)" in definitions["mechanism"] and "(reasoning)" in definitions["mechanism"]
    assert definitions["outcome"] == (
        "Result or consequence of ICS leadership (intended or unintended)"
    )


def test_it_holds_nine_initial_and_six_refined_cmocs(shipped):
    cmocs = CMOC.objects.for_review(shipped)
    assert sorted(cmocs.initial().values_list("code", flat=True)) == [
        f"CMOC {n}" for n in range(1, 10)
    ]
    assert sorted(cmocs.refined().values_list("code", flat=True)) == [
        f"CMOC {n}" for n in range(1, 7)
    ]
    assert set(cmocs.refined().values_list("status", flat=True)) == {CMOC.Status.ACTIVE}


def test_it_gives_two_initial_cmocs_each_to_three_themes_and_three_to_delivering(shipped):
    per_theme = {}
    for cmoc in CMOC.objects.for_review(shipped).initial().select_related("theory"):
        assert cmoc.theory.stage == ProgrammeTheory.Stage.INITIAL_ROUGH
        per_theme[cmoc.theory.name] = per_theme.get(cmoc.theory.name, 0) + 1
        # The paper gives only the counts: which CMOC is in which theme is ichub's reading.
        assert cmoc.theory_provenance == Provenance.PROJECT_READING
        assert "ichub's reading, not the paper's" in cmoc.theory_reading
    assert per_theme == {
        "Being": 2, "Leading and visioning": 2, "Relating and communicating": 2, "Delivering": 3
    }


def test_it_does_not_invent_the_texts_of_initial_cmocs(shipped):
    for cmoc in CMOC.objects.for_review(shipped).initial():
        assert "Supplementary File 2" in cmoc.statement
        assert "not reproduced" in cmoc.statement
        assert cmoc.context_id is None and cmoc.outcome_id is None
        assert cmoc.mechanism_resource_id is None and cmoc.mechanism_reasoning_id is None


@pytest.mark.parametrize(("number", "fate"), sorted(INITIAL_FATES.items()))
def test_it_records_each_initial_cmocs_fate(shipped, number, fate):
    kind, status = fate
    cmoc = _cmoc("initial", number)
    assert cmoc.status == status
    events = list(cmoc.lineage_as_input.reported())
    assert [event.kind for event in events] == [kind]
    assert events[0].phase == "Phase 1b: empirical testing"
    assert events[0].rationale
    created = cmoc.lineage_as_output.get()
    assert (created.kind, created.phase) == ("created", "Phase 1a: theory gleaning")


def test_it_records_the_refines_and_the_merge_as_the_sets_the_paper_reports(shipped):
    events = LineageEvent.objects.filter(review=shipped).reported()
    sets = {
        e.kind: e for e in events.filter(kind__in=["refined", "merged"]).prefetch_related(
            "inputs", "outputs"
        )
    }
    six = [f"CMOC {n}" for n in range(1, 7)]
    for kind, numbers in (("refined", [1, 6, 7, 8]), ("merged", [2, 4, 5, 9])):
        event = sets[kind]
        assert event.certainty == LineageEvent.Certainty.UNREPORTED_PAIRING
        assert sorted((c.code for c in event.inputs.all()), key=natural_sort_key) == [
            f"CMOC {n}" for n in numbers
        ]
        assert sorted((c.code for c in event.outputs.all()), key=natural_sort_key) == six
        assert "pairing is recorded as not reported" in event.rationale
    assert "insufficient distinct evidence" in sets["merged"].rationale
    dropped = events.get(kind="dropped")
    assert dropped.certainty == LineageEvent.Certainty.STATED
    assert "lacked evidence" in dropped.rationale


def test_it_keeps_every_lineage_shape_valid(shipped):
    events = LineageEvent.objects.filter(review=shipped).prefetch_related("inputs", "outputs")
    assert events.count() == 9 + 2 + 1 + 4
    for event in events:
        inputs, outputs = list(event.inputs.all()), list(event.outputs.all())
        errors = LineageEvent.shape_errors(event.kind, len(inputs), len(outputs), event.certainty)
        assert errors == [], event.key


def test_it_keeps_ichubs_inferred_pairings_apart_and_infers_none_for_the_merge(shipped):
    inferred = LineageEvent.objects.filter(
        review=shipped, certainty=LineageEvent.Certainty.INFERRED
    ).prefetch_related("inputs", "outputs")
    pairs = {
        (e.kind, e.inputs.get().code, e.outputs.get().code) for e in inferred
    }
    assert pairs == {
        ("refined", "CMOC 1", "CMOC 1"), ("refined", "CMOC 6", "CMOC 3"),
        ("refined", "CMOC 7", "CMOC 4"), ("refined", "CMOC 8", "CMOC 5"),
    }
    for event in inferred:
        assert event.rationale.startswith("ichub's inference, not the paper's")
    merge = LineageEvent.objects.get(review=shipped, kind="merged")
    assert "ichub draws no inferred pairing for the merge" in merge.rationale


@pytest.mark.parametrize("number", sorted(REFINED_ELEMENTS))
def test_it_decomposes_each_refined_cmoc_as_the_paper_marks_it(shipped, number):
    theme, context, resource, reasoning, outcome = REFINED_ELEMENTS[number]
    cmoc = CMOC.objects.with_elements().get(review=shipped, stage="refined", code=f"CMOC {number}")
    assert (cmoc.theory.name, cmoc.theory.stage) == (theme, ProgrammeTheory.Stage.REFINED)
    assert cmoc.context.text == context
    assert (cmoc.mechanism_resource.text, cmoc.mechanism_resource.kind) == (
        resource, Mechanism.Kind.RESOURCE
    )
    assert (cmoc.mechanism_reasoning.text, cmoc.mechanism_reasoning.kind) == (
        reasoning, Mechanism.Kind.REASONING
    )
    assert cmoc.outcome.text == outcome
    for span, marker in ((context, "(C)"), (resource, "Res)"), (reasoning, "Rea)"),
                         (outcome, "(O)")):
        assert span in cmoc.statement and marker in cmoc.statement
    assert cmoc.statement.startswith("In the context of ")


def test_it_keeps_refined_cmoc_statements_verbatim(shipped):
    assert _cmoc("refined", 5).statement == (
        "In the context of population health management and digitalisation (C), the use of "
        "shared digital intelligence (M-Res) supports leaders to better understand local "
        "population needs (M-Rea), which leads to improved targeting or prioritisation of local "
        "communities so they can access services (O)."
    )
    assert _cmoc("refined", 1).statement.endswith(
        "(M \u2013 Res), which fosters a sense of purpose in stakeholders (M- Rea) and helps to "
        "focus on the achievement of ICSs\u2019 objectives (O)."
    )


@pytest.mark.parametrize("number", sorted(CITED_FOR_REFINED))
def test_it_links_each_refined_cmoc_to_exactly_the_studies_the_paper_cites(shipped, number):
    links = EvidenceLink.objects.filter(
        cmoc__review=shipped, cmoc__stage="refined", cmoc__code=f"CMOC {number}",
        excerpt__source__review=shipped,
    ).select_related("excerpt__source")
    cited = {link.excerpt.source.citation_key for link in links}
    assert cited == CITED_FOR_REFINED[number]
    for link in links:
        assert link.excerpt.kind == "summary"
        assert link.excerpt.section == f"Knight et al. 2024, Phase 1b, CMOC {number}"
        assert link.excerpt.source.inclusion_status == SourceDocument.Inclusion.INCLUDED
        assert link.note


def test_it_quotes_what_the_paper_says_each_cited_study_contributes(shipped):
    excerpt = EvidenceLink.objects.select_related("excerpt").get(
        cmoc__review=shipped, cmoc__stage="refined", cmoc__code="CMOC 5",
        excerpt__source__citation_key="embuldeniya2018",
    ).excerpt
    assert excerpt.text.startswith(
        "Knight, Neiva Ganga and Tucker (2024) cite Embuldeniya et al. (2018), together with "
        "Pearson and Watson (2018), for refined CMOC 5: \u201cThere was empirical evidence of the "
        "need for real-time data sharing across partners"
    )
    assert "Supplementary File 1, not held" in excerpt.text


def test_it_records_the_one_challenge_the_paper_reports(shipped):
    challenges = EvidenceLink.objects.filter(
        cmoc__review=shipped, stance=EvidenceLink.Stance.CHALLENGES,
        excerpt__source__review=shipped,
    ).select_related("cmoc", "excerpt__source")
    assert [(c.cmoc.code, c.excerpt.source.citation_key) for c in challenges] == [
        ("CMOC 6", "pearson2018")
    ]
    assert "historical health and social care sector differences" in challenges[0].excerpt.text


def test_it_includes_18_studies_and_excludes_four_at_the_stages_named(shipped):
    studies = SourceDocument.objects.for_review(shipped).filter(kind="empirical_study")
    assert studies.count() == 22
    assert set(studies.filter(phase="theory_testing").values_list("citation_key", flat=True)) == (
        INCLUDED_STUDIES | set(EXCLUDED_STUDIES)
    )
    assert set(studies.included().values_list("citation_key", flat=True)) == INCLUDED_STUDIES
    excluded = {s.citation_key: s for s in studies.excluded()}
    assert {key: s.excluded_at_stage for key, s in excluded.items()} == EXCLUDED_STUDIES
    assert all(s.exclusion_reason for s in excluded.values())


def test_it_holds_full_bibliographic_data_of_the_assessed_studies(shipped):
    studies = SourceDocument.objects.for_review(shipped).filter(kind="empirical_study")
    assert all(s.doi and s.title and s.container and s.volume for s in studies)
    embuldeniya = studies.get(citation_key="embuldeniya2018")
    assert (embuldeniya.authors, embuldeniya.year, embuldeniya.container) == (
        "Embuldeniya, G., Kirst, M., Walker, K. and Wodchis, W.P.", 2018, "The Milbank Quarterly"
    )
    assert (embuldeniya.volume, embuldeniya.issue, embuldeniya.pages) == ("96", "4", "782-813")
    assert embuldeniya.doi.lower() == "10.1111/1468-0009.12357"
    pearson = studies.get(citation_key="pearson2018")
    assert pearson.title.startswith("Implementing health and social care integration in Scotland")
    assert pearson.pages == "e396-e403"


def test_it_appraises_22_for_relevance_21_for_richness_and_18_for_rigour(shipped):
    appraisals = Appraisal.objects.filter(source__review=shipped)
    for criterion, meets, fails in (("relevance", 21, 1), ("richness", 18, 3), ("rigour", 18, 0)):
        of_criterion = appraisals.filter(criterion=criterion)
        assert of_criterion.filter(judgement="meets").count() == meets, criterion
        assert of_criterion.filter(judgement="does_not_meet").count() == fails, criterion
    failed = appraisals.filter(judgement="does_not_meet")
    assert {(a.source.citation_key, a.criterion) for a in failed} == set(EXCLUDED_STUDIES.items())
    # The paper names LK and RG for screening, relevance and richness, and no one for rigour.
    labels = dict(appraisals.values_list("criterion", "reviewer_label").distinct())
    assert labels == {
        "relevance": "LK and RG", "richness": "LK and RG", "rigour": "Not named in the paper"
    }
    paper = seed_text(PAPER_2024)
    assert "two reviewers (LK and RG) screened studies" in paper
    assert "The rigour of each study was assessed" in paper


def test_it_keeps_the_screening_counts(shipped):
    counts = dict(ScreeningCount.objects.filter(review=shipped).values_list("stage", "count"))
    assert counts == {
        "identified": None, "title_abstract": 5716, "full_text": 99, "relevance": 22,
        "richness": 21, "rigour": 18, "included": 18,
    }
    identified = ScreeningCount.objects.get_by_natural_key(ICS_SLUG, "identified")
    assert "Not reported" in identified.note


def test_it_orders_the_organising_frameworks_four_themes_as_the_paper_does(shipped):
    framework = Framework.objects.get(review=shipped, kind=Framework.Kind.ORGANISING)
    assert framework.name == "Doing Things Differently: rethinking leadership behaviours"
    assert "NHS North West Leadership Academy (2021)" in framework.citation
    assert framework.source.citation_key == "nhsnwla2021"
    assert list(framework.themes.values_list("name", flat=True)) == [
        "Being", "Relating and communicating", "Leading and visioning", "Delivering"
    ]


def test_it_holds_the_figure_2_literature_scoping_themes(shipped):
    scoping = Framework.objects.get(review=shipped, kind=Framework.Kind.SCOPING_THEMES)
    themes = list(scoping.themes.all())
    assert [t.name for t in themes] == [
        "Individual reflection", "Working together", "Relationships and trust", "Culture",
        "Engagement", "System understanding", "Progress monitoring",
        "Quality improvement and innovation",
    ]
    assert all(t.description and t.citations for t in themes)
    assert "Social Care Institute for Excellence, 2018" in themes[1].citations


def test_it_holds_table_2_as_refined_theories_revising_the_rough_ones(shipped):
    theories = ProgrammeTheory.objects.for_review(shipped).select_related("revises", "theme")
    refined = {t.name: t for t in theories.refined()}
    assert {name: t.statement for name, t in refined.items()} == TABLE_2
    for name, theory in refined.items():
        assert theory.theme.name == name
        assert (theory.revises.stage, theory.revises.name) == ("initial_rough", name)
        assert "IPT" in theory.notes


def test_it_does_not_invent_the_initial_rough_programme_theories(shipped):
    rough = ProgrammeTheory.objects.for_review(shipped).filter(stage="initial_rough")
    assert sorted(rough.values_list("name", flat=True)) == sorted(TABLE_2)
    for theory in rough:
        assert "Supplementary File 2" in theory.statement
        assert "not reproduced" in theory.statement


def test_it_holds_the_eleven_cited_policy_documents(shipped):
    policy = SourceDocument.objects.for_review(shipped).filter(kind="policy_guidance")
    assert set(policy.values_list("citation_key", flat=True)) == POLICY_DOCUMENTS
    assert set(policy.values_list("phase", flat=True)) == {"theory_gleaning"}
    design_framework = policy.get(citation_key="nhsei2021b")
    assert design_framework.title == "Integrated care systems: design framework"
    assert all("thirteen" in doc.notes and "eleven" in doc.notes for doc in policy)


def test_it_holds_five_anonymised_key_informant_interviews(shipped):
    interviews = SourceDocument.objects.for_review(shipped).filter(kind="key_informant_interview")
    assert sorted(interviews.values_list("title", flat=True)) == [
        f"Key-informant interview {n}" for n in range(1, 6)
    ]
    for interview in interviews:
        assert interview.authors == "" and interview.year is None
        assert "semi-structured" in interview.notes and "regional ICS" in interview.notes
        assert interview.phase == "theory_gleaning"


def test_it_holds_the_scie_report_under_the_key_other_fixtures_use(shipped):
    scie = SourceDocument.objects.get_by_natural_key(ICS_SLUG, "scie2018")
    assert scie.kind == SourceDocument.Kind.GREY_LITERATURE
    assert scie.authors == "Social Care Institute for Excellence"
    assert scie.title == (
        "Leadership in integrated care systems: report prepared for the NHS leadership academy"
    )
