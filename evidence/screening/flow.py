"""A review's screening flow, stage by stage, as the PRISMA-style diagram shows it.

Two kinds of number meet here and each stage says which it holds:
- recorded counts (ScreeningCount rows): records screened outside ichub,
  like the shipped review's 5,716, which never enter the tool one by one;
- live counts: the sources screened and appraised by users in ichub.
A stage's `count` is their sum, `recorded_count` and `live` keep them apart,
and `count_origin` says "recorded", "ichub", "recorded + ichub" or "not
reported". Recorded counts must therefore cover only what was screened
outside. Appraisal rows with only a reviewer label (transcribed from a
paper) are recorded, not live. The searches that fed the review are listed
as separate inflows of the "identified" stage, because realist searching is
iterative and purposive, not one linear pass.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from evidence.models import (
    Appraisal,
    AppraisalDecision,
    ScreeningCount,
    ScreeningDecision,
    ScreeningStage,
    SearchRecord,
    SourceDocument,
)
from evidence.screening.tallies import stage_states

CRITERIA = Appraisal.Criterion.values
# A stage lists at most this many of its excluded sources by name (the flow diagram's side
# box, the dashboard, the report); `exclusions_total` says how many there are in all.
EXCLUSIONS_SHOWN = 25
_SOURCE_FIELDS = ("id", "review_id", "citation_key", "authors", "year", "title",
                  "inclusion_status", "excluded_at_stage", "exclusion_reason")
_STATE_TALLY = {"include": "included", "exclude": "excluded", "conflict": "conflicts",
                "awaiting": "awaiting"}


def _empty_live():
    return {"screened": 0, "included": 0, "excluded": 0, "conflicts": 0, "awaiting": 0}


@dataclass(frozen=True)
class _Verdict:
    """AppraisalDecision's outcome, read from a source's rating counts instead of its ratings."""

    outcome: str
    criterion: str
    by_users: bool  # someone in ichub rated the deciding step (not only a transcribed label)
    rated_by_user: frozenset  # the steps a user rated

    @classmethod
    def of(cls, counts):
        """counts: {criterion: (ratings, meets, does not meet, by users)}; as appraisal_decision."""
        rated_by_user = frozenset(c for c, (*_, users) in counts.items() if users)
        for criterion in CRITERIA:
            n, meets, not_meets, users = counts.get(criterion, (0, 0, 0, 0))
            if n == 0:
                return cls(AppraisalDecision.PENDING, criterion, False, rated_by_user)
            if not_meets == n:
                return cls(AppraisalDecision.EXCLUDED, criterion, users > 0, rated_by_user)
            if meets != n:
                return cls(AppraisalDecision.DISPUTED, criterion, users > 0, rated_by_user)
        return cls(AppraisalDecision.INCLUDED, "", False, rated_by_user)


def _tally_appraisal(live, verdict):
    """Count a source at each appraisal step a user (not only a label) rated it."""
    reached = CRITERIA.index(verdict.criterion) if verdict.criterion else len(CRITERIA)
    for index, criterion in enumerate(CRITERIA):
        if criterion not in verdict.rated_by_user:
            continue
        tally = live[criterion]
        tally["screened"] += 1
        if index < reached:
            tally["included"] += 1
        elif verdict.outcome == AppraisalDecision.EXCLUDED:
            tally["excluded"] += 1
        elif verdict.outcome == AppraisalDecision.DISPUTED:
            tally["conflicts"] += 1
        else:
            tally["awaiting"] += 1
    if verdict.outcome == AppraisalDecision.INCLUDED and verdict.rated_by_user:
        live[ScreeningCount.Stage.INCLUDED]["screened"] += 1


def _exclusion_row(source, reason, live):
    return {
        "source_id": source.pk,
        "citation_key": source.citation_key,
        "citation": source.short_citation,
        "reason": reason,
        "origin": "ichub" if live else "recorded",
    }


def _appraised_sources(review):
    """{source id: (_Verdict, excluded with a stage)} of the sources with whole-source ratings.

    Only these can be excluded by appraisal, which follows full-text screening.
    The database counts each source's ratings by step and judgement, so no
    rating or source is loaded here (appraisal_decision's rule is applied to
    the counts).
    """
    rows = (
        Appraisal.objects.filter(source__review=review, excerpt__isnull=True)
        .order_by()
        .values_list("source_id", "criterion", "source__inclusion_status",
                     "source__excluded_at_stage")
        .annotate(n=Count("pk"), meets=Count("pk", filter=Q(judgement=Appraisal.Judgement.MEETS)),
                  not_meets=Count("pk", filter=Q(judgement=Appraisal.Judgement.DOES_NOT_MEET)),
                  users=Count("reviewer_id"))
    )
    counts, excluded_with_stage = {}, {}
    for source_id, criterion, status, stage, n, meets, not_meets, users in rows:
        counts.setdefault(source_id, {})[criterion] = (n, meets, not_meets, users)
        excluded_with_stage[source_id] = status == SourceDocument.Inclusion.EXCLUDED and bool(stage)
    return {pk: (_Verdict.of(by_criterion), excluded_with_stage[pk])
            for pk, by_criterion in counts.items()}


def _excluded_by_ratings(ids):
    """[(source, AppraisalDecision)] of sources whose ratings exclude them, their status not."""
    ratings = {}
    for rating in (
        Appraisal.objects.filter(source_id__in=ids, excerpt__isnull=True)
        .select_related("source")
        .only("id", "source_id", "excerpt_id", "criterion", "judgement", "reviewer_id",
              "reviewer_label", "note", *(f"source__{f}" for f in _SOURCE_FIELDS))
    ):
        ratings.setdefault(rating.source_id, (rating.source, []))[1].append(rating)
    return [(source, source.appraisal_decision(appraisals=rated))
            for source, rated in ratings.values()]


def _exclusion_totals(review):
    """{stage: sources excluded there}, as database triggers keep them (migration evidence 0017).

    Counting the excluded sources per request cost time in proportion to the
    review (an index scan of ~55,000 entries at 100,000 sources).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT stage, excluded FROM evidence_exclusiontally "
                       "WHERE review_id = %s AND excluded > 0", [review.pk])
        return dict(cursor.fetchall())


def _exclusions(review, appraised):
    """{stage: (how many, the first EXCLUSIONS_SHOWN by citation)}, in a fixed number of queries.

    A source the review excluded at a stage counts there; a source whose ratings
    exclude it (but whose status was recorded otherwise) counts at the appraisal
    step. "ichub" marks exclusions decided in the tool, "recorded" ones transcribed.
    """
    excluded = SourceDocument.objects.filter(
        review=review, inclusion_status=SourceDocument.Inclusion.EXCLUDED
    ).exclude(excluded_at_stage="")
    totals = _exclusion_totals(review)
    screened_here = ScreeningDecision.objects.filter(
        source=OuterRef("pk"), stage=OuterRef("excluded_at_stage"), is_current=True
    )
    # One short query for each of the five stages a source can be excluded at (a fixed
    # number), read in the order of the index source_exclusions_by_author: (start of
    # authors, authors) orders as authors does, and the query stops after a page.
    first = [
        source
        for stage in SourceDocument.Stage.values
        for source in excluded.filter(excluded_at_stage=stage)
        .annotate(screened_here=Exists(screened_here))
        .order_by(Substr("authors", 1, 100), "authors", "year", "id")
        .only(*_SOURCE_FIELDS)[:EXCLUSIONS_SHOWN]
    ]
    shown = {}
    for source in first:
        stage = source.excluded_at_stage
        if stage in ScreeningStage.values:
            live = source.screened_here
        else:
            verdict = appraised[source.pk][0] if source.pk in appraised else None
            live = bool(verdict and verdict.criterion == stage and verdict.by_users)
        shown.setdefault(stage, []).append(_exclusion_row(source, source.exclusion_reason, live))
    # Sources excluded by their ratings whose status was recorded otherwise (transcribed
    # reviews): the services keep a live source's status in step, so these are few.
    by_ratings = [pk for pk, (verdict, with_stage) in appraised.items()
                  if not with_stage and verdict.outcome == AppraisalDecision.EXCLUDED]
    for source, verdict in _excluded_by_ratings(by_ratings) if by_ratings else []:
        if verdict.outcome == AppraisalDecision.EXCLUDED:
            totals[verdict.criterion] = totals.get(verdict.criterion, 0) + 1
            shown.setdefault(verdict.criterion, []).append(
                _exclusion_row(source, verdict.ratings[0].note, verdict.by_users)
            )
    return {
        stage: (totals.get(stage, 0),
                sorted(rows, key=lambda e: e["citation"])[:EXCLUSIONS_SHOWN])
        for stage, rows in shown.items()
    }


def screening_flow(review):
    """The flow in stage order, identified → … → included, in a fixed number of queries.

    Screening counts are indexed counts of the kept states
    (evidence.screening.tallies); appraisal counts come from one aggregate of
    the whole-source ratings.
    """
    recorded = {row.stage: row for row in ScreeningCount.objects.filter(review=review)}
    live = {stage: _empty_live() for stage in ScreeningCount.STAGE_ORDER}
    for (stage, state), n in stage_states(review).items():
        live[stage]["screened"] += n
        live[stage][_STATE_TALLY[state]] += n
    appraised = _appraised_sources(review)
    for verdict, _ in appraised.values():
        _tally_appraisal(live, verdict)
    exclusions = _exclusions(review, appraised)

    inflows = [
        {
            "kind": record.kind,
            "kind_label": record.get_kind_display(),
            "label": record.label,
            "searched_on": record.searched_on,
            "count": record.records_found,
            "note": record.note,
        }
        for record in SearchRecord.objects.filter(review=review)
    ]
    stages = []
    for stage, label in ScreeningCount.Stage.choices:
        row = recorded.get(stage)
        recorded_count = row.count if row else None
        live_count = live[stage]["screened"]
        if stage == ScreeningCount.Stage.IDENTIFIED:
            live_count = 0
            if recorded_count is None and any(i["count"] is not None for i in inflows):
                recorded_count = sum(i["count"] or 0 for i in inflows)
        origins = [name for name, n in (("recorded", recorded_count), ("ichub", live_count)) if n]
        if recorded_count == 0:
            origins.insert(0, "recorded")
        stages.append(
            {
                "stage": stage,
                "label": label,
                "count": (recorded_count or 0) + live_count if origins else None,
                "count_origin": " + ".join(origins) or "not reported",
                "recorded_count": recorded_count,
                "live": live[stage] if stage != ScreeningCount.Stage.IDENTIFIED else None,
                "note": row.note if row else "",
                "inflows": inflows if stage == ScreeningCount.Stage.IDENTIFIED else [],
                "exclusions": exclusions.get(stage, (0, []))[1],
                "exclusions_total": exclusions.get(stage, (0, []))[0],
            }
        )
    return stages
