from django.db import migrations

# evidence_exclusiontally: per review and stage, how many of its sources are excluded at
# that stage (inclusion_status 'excluded' with excluded_at_stage set), the totals the
# flow shows beside its first named exclusions (evidence.screening.flow). Kept by
# database triggers on sources for the reasons migration 0014 gives for the backlog (many
# writers; a plain table so dumpdata/loaddata do not count twice). A review's rows go when
# it is deleted, and when its id is used again after a truncating flush.
T, S = "evidence_exclusiontally", "evidence_sourcedocument"
EXCLUDED = "r.inclusion_status = 'excluded' AND r.excluded_at_stage <> ''"
TABLE = (f"CREATE TABLE {T} (review_id bigint NOT NULL, stage varchar(20) NOT NULL, "
         "excluded integer NOT NULL CHECK (excluded >= 0), PRIMARY KEY (review_id, stage))")


def _counts(rows):
    return (f"SELECT r.review_id, r.excluded_at_stage AS stage, COUNT(*) AS n FROM {rows} r "
            f"WHERE {EXCLUDED} GROUP BY 1, 2")


def _add(rows):
    return (f"INSERT INTO {T} (review_id, stage, excluded) SELECT * FROM ({_counts(rows)}) c "
            f"ON CONFLICT (review_id, stage) DO UPDATE SET excluded = {T}.excluded "
            "+ EXCLUDED.excluded;")


def _take(rows):
    return (f"UPDATE {T} t SET excluded = t.excluded - c.n FROM ({_counts(rows)}) c "
            "WHERE t.review_id = c.review_id AND t.stage = c.stage;")


# Only the rows whose review, status or stage changed, so an ordinary edit costs little.
_CHANGED = ("(SELECT o.* FROM {a} o JOIN {b} n ON n.id = o.id WHERE o.review_id <> n.review_id "
            "OR o.inclusion_status <> n.inclusion_status "
            "OR o.excluded_at_stage <> n.excluded_at_stage)")

POSTGRES_FUNCTIONS = {
    "evidence_exclusions_review_added": f"DELETE FROM {T} WHERE review_id IN "
                                        "(SELECT id FROM new_rows);",
    "evidence_exclusions_review_removed": f"DELETE FROM {T} WHERE review_id IN "
                                          "(SELECT id FROM old_rows);",
    "evidence_exclusions_sources_added": _add("new_rows"),
    "evidence_exclusions_sources_removed": _take("old_rows"),
    "evidence_exclusions_sources_changed": (
        _take(_CHANGED.format(a="old_rows", b="new_rows"))
        + _add(_CHANGED.format(a="new_rows", b="old_rows"))),
}
POSTGRES_TRIGGERS = [
    ("evidence_exclusions_review_added", "INSERT", "ichub_review", "NEW TABLE AS new_rows"),
    ("evidence_exclusions_review_removed", "DELETE", "ichub_review", "OLD TABLE AS old_rows"),
    ("evidence_exclusions_sources_added", "INSERT", S, "NEW TABLE AS new_rows"),
    ("evidence_exclusions_sources_removed", "DELETE", S, "OLD TABLE AS old_rows"),
    ("evidence_exclusions_sources_changed", "UPDATE", S,
     "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
]


def _sqlite_add(row):
    return (f"INSERT OR IGNORE INTO {T} (review_id, stage, excluded) "
            f"VALUES ({row}.review_id, {row}.excluded_at_stage, 0); "
            f"UPDATE {T} SET excluded = excluded + 1 WHERE review_id = {row}.review_id "
            f"AND stage = {row}.excluded_at_stage;")


def _sqlite_take(row):
    return (f"UPDATE {T} SET excluded = excluded - 1 WHERE review_id = {row}.review_id "
            f"AND stage = {row}.excluded_at_stage;")


def _when(row):
    return f"{row}.inclusion_status = 'excluded' AND {row}.excluded_at_stage <> ''"


SQLITE_TRIGGERS = {
    "evidence_exclusions_review_added": "AFTER INSERT ON ichub_review BEGIN "
        f"DELETE FROM {T} WHERE review_id = NEW.id; END",
    "evidence_exclusions_review_removed": "AFTER DELETE ON ichub_review BEGIN "
        f"DELETE FROM {T} WHERE review_id = OLD.id; END",
    "evidence_exclusions_sources_added": f"AFTER INSERT ON {S} WHEN {_when('NEW')} BEGIN "
        f"{_sqlite_add('NEW')} END",
    "evidence_exclusions_sources_removed": f"AFTER DELETE ON {S} WHEN {_when('OLD')} BEGIN "
        f"{_sqlite_take('OLD')} END",
    # Two triggers for an update: the old row leaves its count, the new one joins its own.
    "evidence_exclusions_sources_left": "AFTER UPDATE OF inclusion_status, excluded_at_stage, "
        f"review_id ON {S} WHEN {_when('OLD')} BEGIN {_sqlite_take('OLD')} END",
    "evidence_exclusions_sources_joined": "AFTER UPDATE OF inclusion_status, "
        f"excluded_at_stage, review_id ON {S} WHEN {_when('NEW')} BEGIN {_sqlite_add('NEW')} END",
}

FILL = (f"INSERT INTO {T} (review_id, stage, excluded) {_counts(S)}")


def add_tally(apps, schema_editor):
    execute = schema_editor.execute
    execute(TABLE)
    if schema_editor.connection.vendor == "postgresql":
        for name, body in POSTGRES_FUNCTIONS.items():
            execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$$ BEGIN {body} RETURN NULL; END $$")
        for name, event, table, referencing in POSTGRES_TRIGGERS:
            execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            execute(f"CREATE TRIGGER {name} {body}")
    execute(FILL)


def drop_tally(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for name, _, table, _ in POSTGRES_TRIGGERS:
            execute(f"DROP TRIGGER {name} ON {table}")
            execute(f"DROP FUNCTION {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            execute(f"DROP TRIGGER {name}")
    execute(f"DROP TABLE {T}")


class Migration(migrations.Migration):

    dependencies = [
        ("evidence", "0016_screening_pair_count"),
    ]

    operations = [
        migrations.RunPython(add_tally, drop_tally),
    ]
