"""The flow combines recorded counts with live decisions, and derives appraisal exclusions."""

from evidence.models import ScreeningCount, ScreeningDecision, SearchRecord, SourceDocument
from evidence.screening.flow import screening_flow
from evidence.screening.services import record_appraisal, record_decision
from tests.conftest import ICS_SLUG

TA = ScreeningDecision.Stage.TITLE_ABSTRACT
FT = ScreeningDecision.Stage.FULL_TEXT


def by_stage(review):
    return {row["stage"]: row for row in screening_flow(review)}


def test_it_adds_live_decisions_to_recorded_counts(review, editor, editor2, batch, reasons):
    ScreeningCount.objects.create(review=review, stage=TA, count=100, note="Screened in Rayyan")
    for source in batch[:3]:
        record_decision(user=editor, source=source, stage=TA, decision="include")
        record_decision(user=editor2, source=source, stage=TA, decision="include")
    record_decision(
        user=editor, source=batch[3], stage=TA, decision="exclude", exclusion_reason=reasons[0]
    )
    record_decision(
        user=editor2, source=batch[3], stage=TA, decision="exclude", exclusion_reason=reasons[0]
    )
    record_decision(user=editor, source=batch[4], stage=TA, decision="include")
    record_decision(user=editor2, source=batch[4], stage=TA, decision="maybe")
    record_decision(user=editor, source=batch[5], stage=TA, decision="include")
    record_decision(user=editor, source=batch[0], stage=FT, decision="include")

    flow = by_stage(review)
    ta = flow[TA]
    assert (ta["count"], ta["recorded_count"], ta["count_origin"]) == (106, 100, "recorded + ichub")
    assert ta["live"] == {
        "screened": 6, "included": 3, "excluded": 1, "conflicts": 1, "awaiting": 1
    }
    assert ta["note"] == "Screened in Rayyan"
    assert ta["exclusions"] == [
        {
            "source_id": batch[3].pk,
            "citation_key": batch[3].citation_key,
            "citation": "Author3 (2013)",
            "reason": "Not about system leaders",
            "origin": "ichub",
        }
    ]
    ft = flow[FT]
    assert (ft["count"], ft["recorded_count"], ft["count_origin"]) == (1, None, "ichub")
    assert ft["live"]["awaiting"] == 1
    assert flow["rigour"]["count_origin"] == "not reported"


def test_it_counts_user_appraisals_as_live(review, editor, batch):
    for criterion in ("relevance", "richness", "rigour"):
        record_appraisal(user=editor, source=batch[0], criterion=criterion, judgement="meets")
    record_appraisal(user=editor, source=batch[1], criterion="relevance", judgement="meets")
    record_appraisal(user=editor, source=batch[1], criterion="richness", judgement="does_not_meet")
    flow = by_stage(review)
    assert flow["relevance"]["live"]["screened"] == 2
    assert flow["relevance"]["live"]["included"] == 2
    assert flow["richness"]["live"]["excluded"] == 1
    assert flow["included"]["count"] == 1
    assert [e["citation_key"] for e in flow["richness"]["exclusions"]] == ["author2011"]
    assert flow["richness"]["exclusions"][0]["origin"] == "ichub"
    assert SourceDocument.objects.get(pk=batch[0].pk).inclusion_status == "included"
    assert SourceDocument.objects.get(pk=batch[1].pk).excluded_at_stage == "richness"


def test_it_lists_iterative_and_purposive_searches_as_separate_inflows(review):
    SearchRecord.objects.create(review=review, kind="database", label="HMIC", records_found=90)
    SearchRecord.objects.create(
        review=review, kind="iterative", label="Second pass", records_found=8, order=1
    )
    SearchRecord.objects.create(
        review=review, kind="purposive", label="Key informants' papers", records_found=2, order=2
    )
    identified = by_stage(review)["identified"]
    assert [(i["kind"], i["count"]) for i in identified["inflows"]] == [
        ("database", 90), ("iterative", 8), ("purposive", 2)
    ]
    assert (identified["count"], identified["count_origin"]) == (100, "recorded")


def test_it_reads_the_flow_in_a_fixed_number_of_queries(
    review, editor, editor2, batch, django_assert_num_queries
):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    # Screening counts come from the kept states; the named exclusions take one short query
    # for each of the five stages a source can be excluded at.
    with django_assert_num_queries(10) as small:
        screening_flow(review)
    for source in batch:
        record_decision(user=editor2, source=source, stage=TA, decision="include")
        record_appraisal(user=editor, source=source, criterion="relevance", judgement="meets")
    with django_assert_num_queries(len(small.captured_queries)):
        screening_flow(review)


def test_it_reads_the_shipped_reviews_appraisal_exclusions(shipped):
    flow = by_stage(shipped)
    assert shipped.slug == ICS_SLUG
    assert [(e["citation"], e["origin"]) for e in flow["relevance"]["exclusions"]] == [
        ("Alonso and Andrews (2022)", "recorded")
    ]
    assert [e["citation"] for e in flow["richness"]["exclusions"]] == [
        "Elliott et al. (2020)", "Martin and Knowles (2019)", "Robert et al. (2022)"
    ]
    assert flow["title_abstract"]["count"] == 5716
    assert flow["title_abstract"]["count_origin"] == "recorded"
    assert flow["included"]["count"] == 18
    decisions = {
        s.citation_key: s.appraisal_decision()
        for s in SourceDocument.objects.filter(review=shipped).prefetch_related("appraisals")
    }
    assert (decisions["alonso2022"].outcome, decisions["alonso2022"].criterion) == (
        "excluded", "relevance"
    )
    for key in ("elliott2020", "martin2019", "robert2022"):
        assert (decisions[key].outcome, decisions[key].criterion) == ("excluded", "richness")
    assert sum(d.outcome == "included" for d in decisions.values()) == 18


def test_it_serves_the_combined_flow_from_the_api(token_client, viewer, editor, editor2, batch):
    review = batch[0].review
    ScreeningCount.objects.create(review=review, stage=TA, count=40)
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(user=editor2, source=batch[0], stage=TA, decision="include")
    response = token_client(viewer).get(f"/api/reviews/{review.slug}/flow/")
    assert response.status_code == 200
    ta = next(s for s in response.json()["stages"] if s["stage"] == TA)
    assert (ta["count"], ta["recorded_count"], ta["count_origin"]) == (41, 40, "recorded + ichub")
    assert ta["live"]["included"] == 1
