"""Where a review's sources stand at each screening stage, counted in the database.

The review-wide pages (flow, overview, conflicts, queues) used to load every
source with its decisions and settle each one in Python, then to settle every
current decision in one SQL aggregate per request: both cost time in
proportion to the review. Now the screening services keep one
evidence.models.ScreeningState row per screened (source, stage)
(evidence.screening.states) with a summary row per review and stage
(evidence.screening.summary): the counts are read from the summary, and the
lists (a page of conflicts, the first or all waiting sources) come through the
states' index (review, stage, state, source). tests/evidence/screening/
test_states.py checks that the rows agree with the per-source rule after
every writer.
"""

from django.db import connection

from evidence.models import (
    ScreeningDecision,
    ScreeningReviewerSummary,
    ScreeningStage,
    ScreeningState,
    ScreeningSummary,
    SourceDocument,
)
from evidence.screening import summary

TA, FT = ScreeningStage.TITLE_ABSTRACT, ScreeningStage.FULL_TEXT
_STATES = ScreeningState._meta.db_table
_SOURCES = SourceDocument._meta.db_table
_DECISIONS = ScreeningDecision._meta.db_table


def _fetch(sql, review, **params):
    with connection.cursor() as cursor:
        cursor.execute(sql, {"review": review.pk, "true": True, **params})
        return cursor.fetchall()


_STATE_FIELD = {"awaiting": "awaiting", "include": "included", "exclude": "excluded",
                "conflict": "conflicts"}


def stage_states(review):
    """{(stage, state): number of sources}; sources nobody screened at a stage are not counted.

    Read from the review's kept summary rows (one query).
    """
    return {(stage, state): getattr(row, field)
            for stage, row in summary.read(review).items()
            for state, field in _STATE_FIELD.items() if getattr(row, field)}


def conflicts_total(review, *, stage=None, include_open=True, include_resolved=False):
    """How many open conflicts and/or resolved ones (with decisions to show), from the summary."""
    rows = summary.read(review)
    return sum((row.conflicts if include_open else 0) + (row.resolved if include_resolved else 0)
               for each_stage, row in rows.items() if stage in (None, each_stage))


_CONFLICT_KINDS = {"open": "st.state = 'conflict'",
                   "resolved": "st.resolution <> '' AND st.decisions > 0"}


def conflict_keys(review, *, stage=None, include_open=True, include_resolved=False,
                  limit=None, offset=0):
    """(total, [(source id, stage), ...]): open conflicts and/or resolved ones.

    In stage order, then source order. Resolved ones are listed only while
    they still have decisions to show. The total comes from the summary; the
    page from one short index walk per stage and kind (screening_state_by_review
    for open ones, screening_state_resolved for resolved ones), each stopping
    after offset + limit rows, so a page costs what its depth costs, not the review.
    """
    total = conflicts_total(review, stage=stage, include_open=include_open,
                            include_resolved=include_resolved)
    kinds = [kind for kind, wanted in (("open", include_open), ("resolved", include_resolved))
             if wanted]
    if limit == 0 or not kinds:
        return total, []
    depth = f" LIMIT {int(limit) + int(offset)}" if limit is not None else ""
    stages = {f"stage{n}": each for n, each in enumerate((stage,) if stage else (TA, FT))}
    arms = " UNION ALL ".join(
        f"SELECT source_id, stage FROM (SELECT st.source_id, st.stage "  # noqa: S608
        f"FROM {_STATES} st WHERE st.review_id = %(review)s AND st.stage = %({key})s "
        f"AND {_CONFLICT_KINDS[kind]} ORDER BY st.source_id{depth}) {kind}_{key}"
        for key in stages for kind in kinds
    )
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    keys = _fetch(
        f"SELECT source_id, stage FROM ({arms}) k "  # noqa: S608
        f"ORDER BY CASE stage WHEN '{TA}' THEN 0 ELSE 1 END, source_id{page}",
        review, **stages,
    )
    return total, [tuple(key) for key in keys]


# A stage's queue holds the sources screened there (a state row), plus the candidates
# nobody has screened there yet: at title/abstract the sources still pending, at full
# text the sources title/abstract screening included. Such a candidate waits for every
# reviewer; a screened source waits for those who have not decided it while it awaits.
_NOT_HERE = (f"NOT EXISTS (SELECT 1 FROM {_STATES} o "  # noqa: S608
             "WHERE o.source_id = {id} AND o.stage = %(stage)s)")
_UNSCREENED = {
    TA: ("s.id", f"{_SOURCES} s WHERE s.review_id = %(review)s "
                 f"AND s.inclusion_status = '{SourceDocument.Inclusion.PENDING}' "
                 f"AND {_NOT_HERE.format(id='s.id')}"),
    FT: ("p.source_id", f"{_STATES} p WHERE p.review_id = %(review)s AND p.stage = '{TA}' "
                        f"AND p.state = 'include' AND {_NOT_HERE.format(id='p.source_id')}"),
}
_AWAITING = (f"{_STATES} st WHERE st.review_id = %(review)s AND st.stage = %(stage)s "
             "AND st.state = 'awaiting'")
_DECIDED_BY_USER = (f"EXISTS (SELECT 1 FROM {_DECISIONS} mine "  # noqa: S608
                    "WHERE mine.source_id = st.source_id AND mine.stage = %(stage)s "
                    "AND mine.reviewer_id = %(user)s AND mine.is_current = %(true)s)")


_SUMMARY = ScreeningSummary._meta.db_table
# Per review, its pending sources with no title/abstract state, kept by database triggers
# (a plain table: see migration evidence 0014_screening_backlog for why).
_BACKLOG = "evidence_screeningbacklog"
_REVIEWER_SUMMARY = ScreeningReviewerSummary._meta.db_table


def queue_counts(review, stage, user):
    """(sources the stage's queue holds, how many wait for this user, the first of them or None).

    One query: the screened, awaiting and full-text candidate counts and the
    user's decided awaiting sources come from the kept summary rows, the
    title/abstract candidates (pending sources nobody screened there) from the
    review's backlog row (kept by triggers); the first waiting source (lowest
    id) is found through indexes.
    """
    column, unscreened = _UNSCREENED[stage]
    fresh = (f"(SELECT unscreened FROM {_BACKLOG} WHERE review_id = %(review)s)" if stage == TA
             else f"(SELECT unscreened FROM {_SUMMARY} WHERE review_id = %(review)s "
                  "AND stage = %(stage)s)")
    awaiting = (f"(SELECT awaiting FROM {_SUMMARY} WHERE review_id = %(review)s "  # noqa: S608
                "AND stage = %(stage)s)")
    decided = (f"(SELECT awaiting_decided FROM {_REVIEWER_SUMMARY} "  # noqa: S608
               "WHERE review_id = %(review)s AND stage = %(stage)s AND reviewer_id = %(user)s)")
    (screened, fresh, awaiting, decided, first_fresh, first_awaiting), = _fetch(
        f"SELECT (SELECT screened FROM {_SUMMARY} WHERE review_id = %(review)s "  # noqa: S608
        f"AND stage = %(stage)s), {fresh}, {awaiting}, {decided}, "
        # The first waiting source is looked for only where the counts say there is one,
        # with ORDER BY + LIMIT (not MIN), so the planner walks the id-ordered indexes
        # (source_pending_by_id, screening_state_by_review) and stops at the first.
        f"CASE WHEN {fresh} > 0 THEN (SELECT {column} FROM {unscreened} ORDER BY 1 LIMIT 1) END, "
        f"CASE WHEN {awaiting} > COALESCE({decided}, 0) THEN (SELECT st.source_id "
        f"FROM {_AWAITING} AND NOT {_DECIDED_BY_USER} ORDER BY 1 LIMIT 1) END",
        review, stage=stage, user=user.pk,
    )
    screened, fresh, awaiting, decided = (n or 0 for n in (screened, fresh, awaiting, decided))
    firsts = [pk for pk in (first_fresh, first_awaiting) if pk is not None]
    return screened + fresh, fresh + awaiting - decided, min(firsts) if firsts else None


def waiting_among(review, stage, user, ids):
    """Which of `ids` wait for this user at the stage: one query whose cost follows len(ids)."""
    if not ids:
        return set()
    column, unscreened = _UNSCREENED[stage]
    marks = ", ".join(f"%(id{n})s" for n in range(len(ids)))
    rows = _fetch(
        f"SELECT {column} FROM {unscreened} AND {column} IN ({marks}) UNION "  # noqa: S608
        f"SELECT st.source_id FROM {_AWAITING} AND NOT {_DECIDED_BY_USER} "
        f"AND st.source_id IN ({marks})",
        review, stage=stage, user=user.pk, **{f"id{n}": pk for n, pk in enumerate(ids)},
    )
    return {pk for (pk,) in rows}
