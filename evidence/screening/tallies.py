"""Where a review's sources stand at each screening stage, computed in the database.

The review-wide pages (flow, overview, conflicts, queues) used to load every
source with its decisions and settle each one in Python, so a request took
time in proportion to the review (16-26 s at 100,000 sources). Here the rule
of `evidence.models.screening.screening_status` is written once more, as SQL,
and each function below is one query whatever the size of the review: per
(source, stage), a resolution settles it; fewer current decisions than the
protocol requires leave it awaiting; all of the required number agreeing on
include, or on exclude, settles it; anything else (a disagreement, or
agreement only on "maybe") is a conflict. tests/perf/test_review_pages.py
checks that the two rules agree on the benchmark's screened review.
"""

from django.db import connection

from evidence.models import ScreeningDecision, ScreeningResolution, ScreeningStage, SourceDocument

TA, FT = ScreeningStage.TITLE_ABSTRACT, ScreeningStage.FULL_TEXT

# `st`: one row per (source, stage) somebody screened: its current decisions (n), its
# state (awaiting | include | exclude | conflict; include and exclude are final) and
# whether a resolution made it so. A resolution with no current decision left (every
# vote undone) still counts, as in screening_status.
_STATES_CTE = f"""
WITH d AS (
    SELECT sd.source_id, sd.stage, COUNT(*) AS n,
           SUM(CASE WHEN sd.decision = 'include' THEN 1 ELSE 0 END) AS n_include,
           SUM(CASE WHEN sd.decision = 'exclude' THEN 1 ELSE 0 END) AS n_exclude
    FROM {ScreeningDecision._meta.db_table} sd
    JOIN {SourceDocument._meta.db_table} s ON s.id = sd.source_id
    WHERE s.review_id = %(review)s AND sd.is_current = %(true)s
    GROUP BY sd.source_id, sd.stage
), r AS (
    SELECT sr.source_id, sr.stage, sr.decision
    FROM {ScreeningResolution._meta.db_table} sr
    JOIN {SourceDocument._meta.db_table} s ON s.id = sr.source_id
    WHERE s.review_id = %(review)s
), st AS (
    SELECT d.source_id, d.stage, d.n,
           CASE WHEN r.decision IS NOT NULL THEN r.decision
                WHEN d.n < %(required)s THEN 'awaiting'
                WHEN d.n_include = d.n THEN 'include'
                WHEN d.n_exclude = d.n THEN 'exclude'
                ELSE 'conflict' END AS state,
           CASE WHEN r.decision IS NOT NULL THEN 1 ELSE 0 END AS resolved
    FROM d LEFT JOIN r ON r.source_id = d.source_id AND r.stage = d.stage
    UNION ALL
    SELECT r.source_id, r.stage, 0, r.decision, 1 FROM r
    WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.source_id = r.source_id AND d.stage = r.stage)
)
"""  # noqa: S608 (table names are the models' own; every value is a parameter)

_SOURCES = SourceDocument._meta.db_table
_DECISIONS = ScreeningDecision._meta.db_table


def _fetch(sql, review, required, **params):
    with connection.cursor() as cursor:
        cursor.execute(_STATES_CTE + sql,
                       {"review": review.pk, "true": True, "required": required, **params})
        return cursor.fetchall()


def stage_states(review, required):
    """{(stage, state): number of sources}; sources nobody screened at a stage are not counted."""
    rows = _fetch("SELECT stage, state, COUNT(*) FROM st GROUP BY stage, state", review, required)
    return {(stage, state): n for stage, state, n in rows}


def _conflicts_where(stage, include_open, include_resolved):
    states = []
    if include_open:
        states.append("st.state = 'conflict'")
    if include_resolved:
        states.append("(st.resolved = 1 AND st.n > 0)")
    where = f"({' OR '.join(states) or '1 = 0'})"
    if stage:
        where += " AND st.stage = %(stage)s"
    return where


def conflict_keys(review, required, *, stage=None, include_open=True, include_resolved=False,
                  limit=None, offset=0):
    """(total, [(source id, stage), ...]): open conflicts and/or resolved ones.

    In stage order, then source order. Resolved ones are listed only while
    they still have decisions to show.
    """
    where = _conflicts_where(stage, include_open, include_resolved)
    total = _fetch(f"SELECT COUNT(*) FROM st WHERE {where}",  # noqa: S608
                   review, required, stage=stage)[0][0]
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    keys = _fetch(
        f"SELECT st.source_id, st.stage FROM st WHERE {where} "  # noqa: S608
        f"ORDER BY CASE st.stage WHEN '{TA}' THEN 0 ELSE 1 END, st.source_id{page}",
        review, required, stage=stage,
    )
    return total, [tuple(key) for key in keys]


def _queue_from(stage):
    """FROM and WHERE of a stage's queue: the sources it holds (see queue._is_candidate)."""
    if stage == TA:
        joins, candidate = "", f"s.inclusion_status = '{SourceDocument.Inclusion.PENDING}'"
    else:
        joins = f" LEFT JOIN st prev ON prev.source_id = s.id AND prev.stage = '{TA}'"
        candidate = "prev.state = 'include'"
    return (
        f" FROM {_SOURCES} s LEFT JOIN st own ON own.source_id = s.id AND own.stage = %(stage)s"
        f"{joins} WHERE s.review_id = %(review)s AND (own.source_id IS NOT NULL OR {candidate})"
    )


# Waiting for this user: nobody settled it here, and the user has not decided it yet.
_WAITING = f"""(own.state IS NULL OR own.state = 'awaiting') AND NOT EXISTS (
    SELECT 1 FROM {_DECISIONS} mine WHERE mine.source_id = s.id AND mine.stage = %(stage)s
    AND mine.reviewer_id = %(user)s AND mine.is_current = %(true)s)"""  # noqa: S608


def queue_counts(review, required, stage, user):
    """(sources the stage's queue holds, how many wait for this user, the first of them or None).

    One query: the first waiting source (lowest id) comes with the counts.
    """
    total, waiting, first = _fetch(
        f"SELECT COUNT(*), SUM(CASE WHEN {_WAITING} THEN 1 ELSE 0 END), "  # noqa: S608
        f"MIN(CASE WHEN {_WAITING} THEN s.id END)" + _queue_from(stage),
        review, required, stage=stage, user=user.pk,
    )[0]
    return total, waiting or 0, first


def waiting_ids(review, required, stage, user):
    """The ids of all the sources waiting for this user at the stage, in source order."""
    rows = _fetch(
        "SELECT s.id" + _queue_from(stage) + f" AND {_WAITING} ORDER BY s.id",
        review, required, stage=stage, user=user.pk,
    )
    return [pk for (pk,) in rows]
