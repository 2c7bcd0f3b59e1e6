"""Full-text search on PostgreSQL: a stored tsvector per searchable table, kept by triggers.

Only PostgreSQL gets these columns (SQLite searches with LIKE, see
ichub/search.py). They live outside the Django models on purpose: no model
reads or writes them, so the evidence and cmocs apps keep their own migrations,
and a later ALTER of a text column does not trip over a generated column. A
BEFORE INSERT OR UPDATE trigger fills the vector, so bulk_create, fixtures and
raw SQL all keep it current. A trigger names the columns it reads: a migration
that renames or drops one of them must update the function here too.
"""

from django.db import migrations

# table -> (tsvector expression over NEW, with weights), in the 'simple' configuration
SEARCHABLE = {
    "evidence_sourcedocument": (
        "setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A')"
        " || setweight(to_tsvector('simple', coalesce(NEW.authors, '') || ' '"
        " || coalesce(NEW.citation_key, '')), 'B')"
        " || setweight(to_tsvector('simple', coalesce(NEW.container, '')), 'C')"
        " || setweight(to_tsvector('simple', coalesce(NEW.abstract, '')), 'D')"
    ),
    "evidence_excerpt": (
        "setweight(to_tsvector('simple', coalesce(NEW.text, '')), 'A')"
        " || setweight(to_tsvector('simple', coalesce(NEW.section, '')), 'B')"
    ),
    "cmocs_cmoc": (
        "setweight(to_tsvector('simple', coalesce(NEW.code, '')), 'A')"
        " || setweight(to_tsvector('simple', coalesce(NEW.statement, '')), 'B')"
        " || setweight(to_tsvector('simple', coalesce(NEW.notes, '')), 'D')"
    ),
    "cmocs_context": "to_tsvector('simple', coalesce(NEW.text, ''))",
    "cmocs_mechanism": "to_tsvector('simple', coalesce(NEW.text, ''))",
    "cmocs_outcome": "to_tsvector('simple', coalesce(NEW.text, ''))",
}


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in SEARCHABLE.items():
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector")
        schema_editor.execute(
            f"CREATE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN NEW.search_vector := {expression}; RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()"
        )
        # Rows loaded before this migration: fire the trigger once for each.
        schema_editor.execute(f"UPDATE {table} SET id = id")
        schema_editor.execute(
            f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)"
        )


def remove_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCHABLE:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector()")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("ichub", "0001_initial"),
        ("evidence", "0001_initial"),
        ("cmocs", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_search_vectors, remove_search_vectors)]
