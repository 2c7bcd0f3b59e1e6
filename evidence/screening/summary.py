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
    ScreeningPair,
    ScreeningPairCount,
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

# The agreement tables' cells: pairs counted by stage, reviewers and labels.
_PAIR_TALLY = f"""
SELECT st.stage, st.first_reviewer_id, st.second_reviewer_id, st.first_label, st.second_label,
       COUNT(*)
FROM {ScreeningPair._meta.db_table} st WHERE st.review_id = %(review)s {{only}}
GROUP BY st.stage, st.first_reviewer_id, st.second_reviewer_id, st.first_label, st.second_label
"""  # noqa: S608 (table names are the models' own; every value is a parameter)


def tally(cursor, params, only=""):
    """The summary counts of the states and pairs `only` selects.

    ({stage: {field: n}}, {(stage, reviewer id): n}, {(stage, first, second,
    first label, second label): n}).
    """
    stages, reviewers = defaultdict(lambda: dict.fromkeys(FIELDS, 0)), {}
    cursor.execute(_TALLY.format(only=only), params)
    for kind, stage, reviewer, screened, *counts in cursor.fetchall():
        if kind:
            reviewers[stage, reviewer] = screened
            continue
        *by_state, unscreened = (int(n or 0) for n in counts)
        stages[stage].update(zip(FIELDS, (screened, *by_state), strict=False))
        stages[FT]["unscreened"] += unscreened
    cursor.execute(_PAIR_TALLY.format(only=only), params)
    pairs = {tuple(key): n for *key, n in cursor.fetchall()}
    return stages, reviewers, pairs


def add(review_id, before, after):
    """Add the change from the `before` tally to the `after` one to the review's summary rows.

    Rows are created at zero first (a concurrent first decision may create
    them too, so conflicts are ignored), then moved by relative UPDATEs in a
    fixed order, which are safe under concurrent decisions on other sources.
    """
    (stages_before, reviewers_before, pairs_before) = before
    (stages_after, reviewers_after, pairs_after) = after
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
    pair_change = {key: pairs_after.get(key, 0) - pairs_before.get(key, 0)
                   for key in sorted(set(pairs_before) | set(pairs_after))}
    pair_change = {key: n for key, n in pair_change.items() if n}
    if pair_change:
        ScreeningPairCount.objects.bulk_create(
            [ScreeningPairCount(review_id=review_id, **dict(zip(_PAIR_KEY, key, strict=True)))
             for key, n in pair_change.items() if n > 0],
            ignore_conflicts=True)
        for key, n in pair_change.items():
            ScreeningPairCount.objects.filter(
                review_id=review_id, **dict(zip(_PAIR_KEY, key, strict=True))
            ).update(items=F("items") + n)


_PAIR_KEY = ("stage", "first_reviewer_id", "second_reviewer_id", "first_label", "second_label")


def recount(cursor, review, params):
    """Count the whole review's summary rows again (a restore, a loader, a protocol change)."""
    ScreeningSummary.objects.filter(review=review).delete()
    ScreeningReviewerSummary.objects.filter(review=review).delete()
    ScreeningPairCount.objects.filter(review=review).delete()
    stages, reviewers, pairs = tally(cursor, params)
    # Only stages with something to count get a row; read() gives zeros for the others.
    ScreeningSummary.objects.bulk_create(
        ScreeningSummary(review=review, stage=stage, **counts)
        for stage, counts in stages.items() if any(counts.values()))
    ScreeningReviewerSummary.objects.bulk_create(
        ScreeningReviewerSummary(review=review, stage=stage, reviewer_id=reviewer,
                                 awaiting_decided=n)
        for (stage, reviewer), n in reviewers.items())
    ScreeningPairCount.objects.bulk_create(
        ScreeningPairCount(review=review, items=n, **dict(zip(_PAIR_KEY, key, strict=True)))
        for key, n in pairs.items())


def read(review):
    """{stage: ScreeningSummary} for every stage (zeros where nothing was screened)."""
    rows = {row.stage: row for row in ScreeningSummary.objects.filter(review=review)}
    return {stage: rows.get(stage) or ScreeningSummary(review=review, stage=stage)
            for stage in ScreeningStage.values}
