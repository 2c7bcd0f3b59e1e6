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

from evidence.models import (
    Appraisal,
    AppraisalDecision,
    ScreeningCount,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningStage,
    ScreeningStatus,
    SearchRecord,
)
from evidence.screening.queue import sources_with_screening

CRITERIA = Appraisal.Criterion.values


def _empty_live():
    return {"screened": 0, "included": 0, "excluded": 0, "conflicts": 0, "awaiting": 0}


def _tally_screening(live, status):
    if not status.decisions and status.resolution is None:
        return
    tally = live[status.stage]
    tally["screened"] += 1
    if status.is_final:
        tally["included" if status.decision == ScreeningDecision.Decision.INCLUDE
              else "excluded"] += 1
    elif status.state == ScreeningStatus.CONFLICT:
        tally["conflicts"] += 1
    else:
        tally["awaiting"] += 1


def _tally_appraisal(live, verdict, source_ratings):
    """Count a source at each appraisal step a user (not only a label) rated it."""
    rated_by_user = {a.criterion for a in source_ratings if a.reviewer_id}
    reached = CRITERIA.index(verdict.criterion) if verdict.criterion else len(CRITERIA)
    for index, criterion in enumerate(CRITERIA):
        if criterion not in rated_by_user:
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
    if verdict.outcome == AppraisalDecision.INCLUDED and rated_by_user:
        live[ScreeningCount.Stage.INCLUDED]["screened"] += 1


def _exclusion(source, screening, verdict):
    """The source's exclusion as the flow lists it, with where it came from, or None."""
    if source.inclusion_status == source.Inclusion.EXCLUDED and source.excluded_at_stage:
        stage, reason = source.excluded_at_stage, source.exclusion_reason
    elif verdict.outcome == AppraisalDecision.EXCLUDED:
        stage, reason = verdict.criterion, verdict.ratings[0].note
    else:
        return None
    if stage in screening:
        live = bool(screening[stage].decisions)
    else:
        live = verdict.criterion == stage and verdict.by_users
    return stage, {
        "source_id": source.pk,
        "citation_key": source.citation_key,
        "citation": source.short_citation,
        "reason": reason,
        "origin": "ichub" if live else "recorded",
    }


def screening_flow(review):
    """The flow in stage order, identified → … → included, in a fixed number of queries."""
    recorded = {row.stage: row for row in ScreeningCount.objects.filter(review=review)}
    required = ScreeningProtocol.for_review(review).required_reviewers
    live = {stage: _empty_live() for stage in ScreeningCount.STAGE_ORDER}
    exclusions_by_stage = {}
    for source in sources_with_screening(review, with_appraisals=True):
        screening = {s: source.screening_status(s, required) for s in ScreeningStage.values}
        for status in screening.values():
            _tally_screening(live, status)
        verdict = source.appraisal_decision()
        source_ratings = [a for a in source.appraisals.all() if a.excerpt_id is None]
        _tally_appraisal(live, verdict, source_ratings)
        exclusion = _exclusion(source, screening, verdict)
        if exclusion:
            exclusions_by_stage.setdefault(exclusion[0], []).append(exclusion[1])

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
                "exclusions": sorted(
                    exclusions_by_stage.get(stage, []), key=lambda e: e["citation"]
                ),
            }
        )
    return stages
