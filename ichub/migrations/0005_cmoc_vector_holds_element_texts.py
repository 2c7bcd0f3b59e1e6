"""A CMOC's search vector also holds its elements' texts (PostgreSQL only).

Matching "the CMOC's own words OR any of its four elements' words" was an OR
over five tables that PostgreSQL could only answer by scanning every CMOC
(BENCHMARKS.md). With the context, both mechanisms' and the outcome's texts in
the CMOC's own vector, a CMOC search is one GIN index scan, as an excerpt
search became when its source's title joined its vector (0003).

The copies are kept right from both sides: the CMOC's trigger reads its
elements whenever the CMOC is written (so changing an element FK refreshes
it), and a trigger on each element table re-fires the trigger of every CMOC
that uses the element when its text changes or when it is inserted (a fixture
or an import may insert a CMOC before the element it names). The elements'
own vectors are dropped: nothing searches the element tables by vector any more.
"""

from django.db import migrations

CMOC_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(NEW.code, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(NEW.statement, '')), 'B')"
    " || setweight(to_tsvector('simple', concat_ws(' ',"
    " (SELECT text FROM cmocs_context WHERE id = NEW.context_id),"
    " (SELECT text FROM cmocs_mechanism WHERE id = NEW.mechanism_resource_id),"
    " (SELECT text FROM cmocs_mechanism WHERE id = NEW.mechanism_reasoning_id),"
    " (SELECT text FROM cmocs_outcome WHERE id = NEW.outcome_id))), 'C')"
    " || setweight(to_tsvector('simple', coalesce(NEW.notes, '')), 'D')"
)
OLD_CMOC_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(NEW.code, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(NEW.statement, '')), 'B')"
    " || setweight(to_tsvector('simple', coalesce(NEW.notes, '')), 'D')"
)
ELEMENT_VECTOR = "to_tsvector('simple', coalesce(NEW.text, ''))"

# element table -> which CMOCs hold a copy of its text
ELEMENT_USERS = {
    "cmocs_context": "context_id = NEW.id",
    "cmocs_mechanism": "mechanism_resource_id = NEW.id OR mechanism_reasoning_id = NEW.id",
    "cmocs_outcome": "outcome_id = NEW.id",
}


def _set_cmoc_function(schema_editor, expression):
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION cmocs_cmoc_search_vector() RETURNS trigger"
        f" LANGUAGE plpgsql AS $$ BEGIN NEW.search_vector := {expression}; RETURN NEW; END $$"
    )
    schema_editor.execute("UPDATE cmocs_cmoc SET id = id")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _set_cmoc_function(schema_editor, CMOC_VECTOR)
    for table, users in ELEMENT_USERS.items():
        schema_editor.execute(f"DROP TRIGGER {table}_search_vector ON {table}")
        schema_editor.execute(f"DROP FUNCTION {table}_search_vector()")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")  # and its index
        schema_editor.execute(
            f"CREATE FUNCTION {table}_text_to_cmocs() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN UPDATE cmocs_cmoc SET id = id WHERE {users}; RETURN NULL; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_inserted_to_cmocs AFTER INSERT ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_text_to_cmocs()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_text_to_cmocs AFTER UPDATE OF text ON {table}"
            " FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)"
            f" EXECUTE FUNCTION {table}_text_to_cmocs()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ELEMENT_USERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_text_to_cmocs ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_inserted_to_cmocs ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_text_to_cmocs()")
        # As migration 0002 made them.
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector")
        schema_editor.execute(
            f"CREATE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN NEW.search_vector := {ELEMENT_VECTOR}; RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()"
        )
        schema_editor.execute(f"UPDATE {table} SET id = id")
        schema_editor.execute(
            f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)"
        )
    _set_cmoc_function(schema_editor, OLD_CMOC_VECTOR)


class Migration(migrations.Migration):
    dependencies = [
        ("ichub", "0004_throttle_window"),
        ("cmocs", "0002_element_and_reason_restrict"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
