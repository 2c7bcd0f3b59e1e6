"""Keep evidence.models.ScreeningState, ScreeningPair and the summaries in step with the decisions.

Every path that writes screening decisions or resolutions calls
`refresh_states` in its own transaction (for some sources, with what
`counted` gave before the write): the services for one source
(record_decision, undo_last_decision, resolve_conflict), the whole-review
restore and the archive restore, the shipped-review loader, the admin and
the benchmark's COPY loader for a whole review. `configure_screening` calls
`restate_review` when the number of required reviewers changes, which moves
sources between awaiting, settled and conflict without any new vote. Every
path that deletes sources calls `forget_sources` first. The review's
summary rows (evidence.screening.summary) move with the states, here only.

The rule is the one of evidence.models.screening.screening_status, written in
SQL (both databases): a resolution settles the stage its way; fewer current
decisions than required leave it awaiting; all of them include, or all
exclude, settle it; anything else (a disagreement, or agreement only on
"maybe") is a conflict. A resolution whose votes were all undone still
counts. tests/evidence/screening/test_states.py checks every writer against
the per-source rule.
"""

from django.db import connection

from evidence.models import (
    ScreeningDecision,
    ScreeningPair,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningState,
    SourceDocument,
)
from evidence.screening import summary

_STATE = """CASE WHEN resolution <> '' THEN resolution
     WHEN decisions < %(required)s THEN 'awaiting'
     WHEN includes = decisions THEN 'include'
     WHEN excludes = decisions THEN 'exclude'
     ELSE 'conflict' END"""

_INSERT = f"""
INSERT INTO {ScreeningState._meta.db_table}
    (review_id, source_id, stage, decisions, includes, excludes, resolution, state)
WITH d AS (
    SELECT sd.source_id, sd.stage, COUNT(*) AS n,
           SUM(CASE WHEN sd.decision = 'include' THEN 1 ELSE 0 END) AS n_include,
           SUM(CASE WHEN sd.decision = 'exclude' THEN 1 ELSE 0 END) AS n_exclude
    FROM {ScreeningDecision._meta.db_table} sd
    JOIN {SourceDocument._meta.db_table} s ON s.id = sd.source_id
    WHERE s.review_id = %(review)s AND sd.is_current = %(true)s {{only_d}}
    GROUP BY sd.source_id, sd.stage
), r AS (
    SELECT sr.source_id, sr.stage, sr.decision
    FROM {ScreeningResolution._meta.db_table} sr
    JOIN {SourceDocument._meta.db_table} s ON s.id = sr.source_id
    WHERE s.review_id = %(review)s {{only_r}}
), k AS (
    SELECT d.source_id, d.stage, d.n AS decisions, d.n_include AS includes,
           d.n_exclude AS excludes, COALESCE(r.decision, '') AS resolution
    FROM d LEFT JOIN r ON r.source_id = d.source_id AND r.stage = d.stage
    UNION ALL
    SELECT r.source_id, r.stage, 0, 0, 0, r.decision FROM r
    WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.source_id = r.source_id AND d.stage = r.stage)
)
SELECT %(review)s, source_id, stage, decisions, includes, excludes, resolution, {_STATE}
FROM k
"""  # noqa: S608 (table names are the models' own; every value is a parameter)

# Each reviewer's blind decision on a source at a stage is their latest decision that
# revises nothing (after an undo of a first decision a reviewer may have two such rows);
# every two reviewers with one on the same item make a pair, the lower id first.
_INSERT_PAIRS = f"""
INSERT INTO {ScreeningPair._meta.db_table} (review_id, source_id, stage, first_reviewer_id,
    second_reviewer_id, first_label, second_label)
WITH blind AS (
    SELECT source_id, stage, reviewer_id, decision FROM (
        SELECT sd.source_id, sd.stage, sd.reviewer_id, sd.decision,
               ROW_NUMBER() OVER (PARTITION BY sd.source_id, sd.stage, sd.reviewer_id
                                  ORDER BY sd.decided_at DESC, sd.id DESC) AS place
        FROM {ScreeningDecision._meta.db_table} sd
        JOIN {SourceDocument._meta.db_table} s ON s.id = sd.source_id
        WHERE s.review_id = %(review)s AND sd.supersedes_id IS NULL {{only_d}}
    ) ranked WHERE place = 1
)
SELECT %(review)s, a.source_id, a.stage, a.reviewer_id, b.reviewer_id, a.decision, b.decision
FROM blind a
JOIN blind b ON b.source_id = a.source_id AND b.stage = a.stage AND b.reviewer_id > a.reviewer_id
"""  # noqa: S608 (table names are the models' own; every value is a parameter)


def _required(review):
    return ScreeningProtocol.for_review(review).required_reviewers


def _only(source_ids, params):
    """The SQL condition naming these sources (their ids added to params)."""
    ids = sorted({int(pk) for pk in source_ids})
    marks = ", ".join(f"%(s{n})s" for n in range(len(ids)))
    params.update({f"s{n}": pk for n, pk in enumerate(ids)})
    return f"IN ({marks})"


def counted(*, review, source_ids):
    """The summary counts of these sources as they stand: take it BEFORE changing their decisions.

    A reviewer's count of decided awaiting sources depends on the decisions
    themselves, so the change can only be worked out against what was counted
    before the write; refresh_states takes this back as `before`.
    """
    params = {"review": review.pk, "true": True}
    if not source_ids:
        return None
    ids = _only(source_ids, params)
    with connection.cursor() as cursor:
        return summary.tally(cursor, params, f"AND st.source_id {ids}")


def refresh_states(*, review, source_ids=None, before=None, required=None):
    """Rebuild the states, agreement pairs and summary of the review's sources (of `source_ids`).

    A fixed number of statements whatever the number of sources: delete their
    rows, settle them again from the current decisions and resolutions, pair
    the blind decisions again, and add the change of their counts since
    `before` (`counted(...)` of the same sources, taken before the write) to
    the review's summary (evidence.screening.summary). For the whole review
    (no `source_ids`) the summary is counted again. Call it in the
    transaction that changed them.
    """
    if source_ids is not None and not source_ids:
        return
    if source_ids is not None and before is None:
        raise TypeError("refresh_states of some sources needs `before=counted(...)`.")
    params = {"review": review.pk, "true": True,
              "required": required if required is not None else _required(review)}
    only = {"only_d": "", "only_r": ""}
    where = "WHERE review_id = %(review)s"
    if source_ids is not None:
        ids = _only(source_ids, params)
        only = {"only_d": f"AND sd.source_id {ids}", "only_r": f"AND sr.source_id {ids}"}
        where += f" AND source_id {ids}"
    with connection.cursor() as cursor:
        if source_ids is None and connection.vendor == "postgresql":
            # A whole review's decisions were usually just written in this transaction
            # (a restore, a loader); without fresh statistics the planner joins the
            # blind decisions by nested loops (minutes at 100,000 sources, not seconds).
            cursor.execute(f"ANALYZE {ScreeningDecision._meta.db_table}, "
                           f"{SourceDocument._meta.db_table}, "
                           f"{ScreeningResolution._meta.db_table}")
        for table in (ScreeningState._meta.db_table, ScreeningPair._meta.db_table):
            cursor.execute(f"DELETE FROM {table} {where}", params)  # noqa: S608
        cursor.execute(_INSERT.format(**only), params)
        cursor.execute(_INSERT_PAIRS.format(only_d=only["only_d"]), params)
        if source_ids is None:
            summary.recount(cursor, review, params)
        else:
            summary.add(review.pk, before, summary.tally(cursor, params, f"AND st.source_id {ids}"))


FORGET_STEP = 1000


def forget_sources(*, review_id, source_ids):
    """Take sources about to be deleted out of the review's states, pairs and summary.

    Deleting a source deletes its states with it (a cascade), which would
    leave the summary counting them: every path that deletes sources calls
    this first, in its transaction.
    """
    ids = sorted({int(pk) for pk in source_ids})
    # A step's ids are query parameters (twice over in the tally): a whole review's
    # sources in one statement could pass PostgreSQL's 65,535 per statement.
    for start in range(0, len(ids), FORGET_STEP):
        params = {"review": review_id, "true": True}
        only = _only(ids[start:start + FORGET_STEP], params)
        with connection.cursor() as cursor:
            before = summary.tally(cursor, params, f"AND st.source_id {only}")
            for table in (ScreeningState._meta.db_table, ScreeningPair._meta.db_table):
                cursor.execute(  # noqa: S608 (our table names; the ids are parameters)
                    f"DELETE FROM {table} WHERE review_id = %(review)s AND source_id {only}",
                    params)
            summary.add(review_id, before, ({}, {}, {}))


def restate_review(*, review, required):
    """Settle the review's states again for a new number of required reviewers.

    One UPDATE of the states, then the summary is counted again: a protocol
    change moves sources between states all over the review.
    """
    params = {"review": review.pk, "required": required, "true": True}
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ScreeningState._meta.db_table} SET state = {_STATE} "  # noqa: S608
            "WHERE review_id = %(review)s",
            params,
        )
        summary.recount(cursor, review, params)
