"""Throttle windows know when they end, and old ones are purged by the database itself.

A trigger fires when a caller's row is inserted or starts a new window (the
throttle's upsert changes `started`) and deletes at most 100 rows whose window
ended before the new one started: the table stays about as large as the set of
callers of the last window, with no extra statement on any request and no
periodic job. On PostgreSQL, rows another request holds are skipped, so two
purges never wait on each other.

SQLite drops a table's triggers when Django remakes the table (most ALTERs on
SQLite): a later migration that alters this table must create them again
(tests/ichub/test_throttle_purge.py fails otherwise).
"""

from django.db import migrations, models

PURGE = (
    'DELETE FROM ichub_throttlewindow WHERE "key" IN ('
    'SELECT "key" FROM ichub_throttlewindow WHERE expires <= NEW.started LIMIT 100{lock})'
)

POSTGRES_CREATE = f"""
CREATE FUNCTION ichub_throttlewindow_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {PURGE.format(lock=" FOR UPDATE SKIP LOCKED")};
    RETURN NULL;
END
$$;
CREATE TRIGGER ichub_throttlewindow_purge_on_insert AFTER INSERT ON ichub_throttlewindow
    FOR EACH ROW EXECUTE FUNCTION ichub_throttlewindow_purge();
CREATE TRIGGER ichub_throttlewindow_purge_on_new_window AFTER UPDATE ON ichub_throttlewindow
    FOR EACH ROW WHEN (OLD.started <> NEW.started) EXECUTE FUNCTION ichub_throttlewindow_purge();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS ichub_throttlewindow_purge_on_insert ON ichub_throttlewindow;
DROP TRIGGER IF EXISTS ichub_throttlewindow_purge_on_new_window ON ichub_throttlewindow;
DROP FUNCTION IF EXISTS ichub_throttlewindow_purge();
"""
SQLITE_CREATE = (
    "CREATE TRIGGER ichub_throttlewindow_purge_on_insert AFTER INSERT ON ichub_throttlewindow "
    f"BEGIN {PURGE.format(lock='')}; END",
    "CREATE TRIGGER ichub_throttlewindow_purge_on_new_window AFTER UPDATE OF started "
    "ON ichub_throttlewindow WHEN OLD.started <> NEW.started "
    f"BEGIN {PURGE.format(lock='')}; END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS ichub_throttlewindow_purge_on_insert",
    "DROP TRIGGER IF EXISTS ichub_throttlewindow_purge_on_new_window",
)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    else:
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    else:
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("ichub", "0009_cache_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="throttlewindow",
            name="expires",
            field=models.BigIntegerField(
                db_index=True, default=0, help_text="End of the current window, in epoch seconds."
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
