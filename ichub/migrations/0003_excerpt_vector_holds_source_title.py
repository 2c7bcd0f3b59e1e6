"""An excerpt's search vector also holds its source's title (PostgreSQL only).

Matching "excerpt text OR source title" across two tables needed a UNION that
PostgreSQL could only count by scanning every excerpt (seconds at 100,000
excerpts, BENCHMARKS.md). With the title in the excerpt's own vector, an
excerpt search is one GIN index scan. A trigger on sources re-fires the
excerpts' trigger when a title changes, so the copy cannot go stale.
"""

from django.db import migrations

EXCERPT_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(NEW.text, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(NEW.section, '')), 'B')"
    " || setweight(to_tsvector('simple', coalesce("
    "(SELECT title FROM evidence_sourcedocument WHERE id = NEW.source_id), '')), 'C')"
)
OLD_EXCERPT_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(NEW.text, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(NEW.section, '')), 'B')"
)


def _set_excerpt_function(schema_editor, expression):
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION evidence_excerpt_search_vector() RETURNS trigger"
        f" LANGUAGE plpgsql AS $$ BEGIN NEW.search_vector := {expression}; RETURN NEW; END $$"
    )
    schema_editor.execute("UPDATE evidence_excerpt SET id = id")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _set_excerpt_function(schema_editor, EXCERPT_VECTOR)
    schema_editor.execute(
        "CREATE FUNCTION evidence_sourcedocument_title_to_excerpts() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        " UPDATE evidence_excerpt SET id = id WHERE source_id = NEW.id; RETURN NULL; END $$"
    )
    schema_editor.execute(
        "CREATE TRIGGER evidence_sourcedocument_title_to_excerpts"
        " AFTER UPDATE OF title ON evidence_sourcedocument FOR EACH ROW"
        " WHEN (OLD.title IS DISTINCT FROM NEW.title)"
        " EXECUTE FUNCTION evidence_sourcedocument_title_to_excerpts()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS evidence_sourcedocument_title_to_excerpts"
        " ON evidence_sourcedocument"
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS evidence_sourcedocument_title_to_excerpts()")
    _set_excerpt_function(schema_editor, OLD_EXCERPT_VECTOR)


class Migration(migrations.Migration):
    dependencies = [("ichub", "0002_full_text_search")]

    operations = [migrations.RunPython(forwards, backwards)]
