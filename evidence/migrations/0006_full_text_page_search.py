"""Full-text search over extracted pages on PostgreSQL (the pattern of ichub 0002).

A tsvector column kept by a trigger and a GIN index; SQLite searches pages
with LIKE instead (ichub/search.py).
"""

from django.db import migrations

TABLE = "evidence_fulltextpage"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector")
    schema_editor.execute(
        f"CREATE FUNCTION {TABLE}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN NEW.search_vector := to_tsvector('simple', coalesce(NEW.text, ''));"
        " RETURN NEW; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_search_vector BEFORE INSERT OR UPDATE ON {TABLE}"
        f" FOR EACH ROW EXECUTE FUNCTION {TABLE}_search_vector()"
    )
    schema_editor.execute(f"CREATE INDEX {TABLE}_search_gin ON {TABLE} USING gin (search_vector)")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_search_vector ON {TABLE}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_search_vector()")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0005_full_texts")]

    operations = [migrations.RunPython(add, remove)]
