"""Keep evidence.models.ScreeningSummary and ScreeningReviewerSummary in step with the states.

Called only by evidence.screening.states, in the transaction that refreshes
the states: for some sources it counts their states before and after the
refresh and adds the difference to the review's summary rows (so a decision
costs a few statements whatever the size of the review); for a whole review
(restore, loaders, a new number of required reviewers) it counts again.
tests/evidence/screening/test_states.py checks the rows against a recount
after every writer.
"""

from collections import defaultdict

from django.db.models import F

from evidence.models import (
    ScreeningDecision,
    ScreeningReviewerSummary,
    ScreeningStage,
    ScreeningState,
    ScreeningSummary,
)

TA, FT = ScreeningStage.TITLE_ABSTRACT, ScreeningStage.FULL_TEXT
FIELDS = ("screened", "awaiting", "included", "excluded", "conflicts", "resolved", "unscreened")
_STATES = ScreeningState._meta.db_table

# One row per stage with its counts, then one per (stage, reviewer) with the awaiting
# sources that reviewer has decided. A source title/abstract screening included and that
# nobody screened at full text yet counts as an unscreened full-text candidate.
_TALLY = f"""
SELECT 0, st.stage, 0, COUNT(*),
       SUM(CASE WHEN st.state = 'awaiting' THEN 1 ELSE 0 END),
       SUM(CASE WHEN st.state = 'include' THEN 1 ELSE 0 END),
       SUM(CASE WHEN st.state = 'exclude' THEN 1 ELSE 0 END),
       SUM(CASE WHEN st.state = 'conflict' THEN 1 ELSE 0 END),
       SUM(CASE WHEN st.resolution <> '' AND st.decisions > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN st.stage = '{TA}' AND st.state = 'include' AND NOT EXISTS (
           SELECT 1 FROM {_STATES} f WHERE f.source_id = st.source_id AND f.stage = '{FT}')
           THEN 1 ELSE 0 END)
FROM {_STATES} st WHERE st.review_id = %(review)s {{only}} GROUP BY st.stage
UNION ALL
SELECT 1, st.stage, d.reviewer_id, COUNT(*), 0, 0, 0, 0, 0, 0
FROM {_STATES} st JOIN {ScreeningDecision._meta.db_table} d
  ON d.source_id = st.source_id AND d.stage = st.stage AND d.is_current = %(true)s
WHERE st.review_id = %(review)s AND st.state = 'awaiting' {{only}}
GROUP BY st.stage, d.reviewer_id
"""  # noqa: S608 (table names are the models' own; every value is a parameter)


def tally(cursor, params, only=""):
    """({stage: {field: n}}, {(stage, reviewer id): n}) of the states `only` selects."""
    stages, reviewers = defaultdict(lambda: dict.fromkeys(FIELDS, 0)), {}
    cursor.execute(_TALLY.format(only=only), params)
    for kind, stage, reviewer, screened, *counts in cursor.fetchall():
        if kind:
            reviewers[stage, reviewer] = screened
            continue
        *by_state, unscreened = (int(n or 0) for n in counts)
        stages[stage].update(zip(FIELDS, (screened, *by_state), strict=False))
        stages[FT]["unscreened"] += unscreened
    return stages, reviewers


def add(review_id, before, after):
    """Add the change from the `before` tally to the `after` one to the review's summary rows.

    Rows are created at zero first (a concurrent first decision may create
    them too, so conflicts are ignored), then moved by relative UPDATEs in a
    fixed order, which are safe under concurrent decisions on other sources.
    """
    (stages_before, reviewers_before), (stages_after, reviewers_after) = before, after
    stage_change = {}
    for stage in sorted(set(stages_before) | set(stages_after)):
        change = {f: stages_after.get(stage, {}).get(f, 0) - stages_before.get(stage, {}).get(f, 0)
                  for f in FIELDS}
        if any(change.values()):
            stage_change[stage] = change
    reviewer_change = {key: reviewers_after.get(key, 0) - reviewers_before.get(key, 0)
                       for key in sorted(set(reviewers_before) | set(reviewers_after))}
    reviewer_change = {key: n for key, n in reviewer_change.items() if n}
    if stage_change:
        ScreeningSummary.objects.bulk_create(
            [ScreeningSummary(review_id=review_id, stage=stage) for stage in stage_change],
            ignore_conflicts=True)
        for stage, change in stage_change.items():
            ScreeningSummary.objects.filter(review_id=review_id, stage=stage).update(
                **{f: F(f) + n for f, n in change.items() if n})
    if reviewer_change:
        ScreeningReviewerSummary.objects.bulk_create(
            [ScreeningReviewerSummary(review_id=review_id, stage=stage, reviewer_id=reviewer)
             for (stage, reviewer), n in reviewer_change.items() if n > 0],
            ignore_conflicts=True)
        for (stage, reviewer), n in reviewer_change.items():
            ScreeningReviewerSummary.objects.filter(
                review_id=review_id, stage=stage, reviewer_id=reviewer
            ).update(awaiting_decided=F("awaiting_decided") + n)


def recount(cursor, review, params):
    """Count the whole review's summary rows again (a restore, a loader, a protocol change)."""
    ScreeningSummary.objects.filter(review=review).delete()
    ScreeningReviewerSummary.objects.filter(review=review).delete()
    stages, reviewers = tally(cursor, params)
    # Only stages with something to count get a row; read() gives zeros for the others.
    ScreeningSummary.objects.bulk_create(
        ScreeningSummary(review=review, stage=stage, **counts)
        for stage, counts in stages.items() if any(counts.values()))
    ScreeningReviewerSummary.objects.bulk_create(
        ScreeningReviewerSummary(review=review, stage=stage, reviewer_id=reviewer,
                                 awaiting_decided=n)
        for (stage, reviewer), n in reviewers.items())


def read(review):
    """{stage: ScreeningSummary} for every stage (zeros where nothing was screened)."""
    rows = {row.stage: row for row in ScreeningSummary.objects.filter(review=review)}
    return {stage: rows.get(stage) or ScreeningSummary(review=review, stage=stage)
            for stage in ScreeningStage.values}
