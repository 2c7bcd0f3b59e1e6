"""The database cache tables, made by `migrate` instead of `manage.py createcachetable`.

Settings name these tables (CACHES in ichub/settings.py) while no REDIS_URL is set.
They are made whatever the settings say, so switching Redis off later finds them
ready; a table that `createcachetable` made before this migration is kept as it is.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLES = ("ichub_cache", "ichub_representation_cache")


def create_tables(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    for table in TABLES:
        # Django's own table layout for DatabaseCache; it skips a table that exists.
        command.create_table(schema_editor.connection.alias, table, dry_run=False)


def drop_tables(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    for table in TABLES:
        schema_editor.execute(f"DROP TABLE IF EXISTS {quote(table)}")


class Migration(migrations.Migration):

    dependencies = [
        ("ichub", "0008_checklist_not_applicable_and_versions"),
    ]

    operations = [
        migrations.RunPython(create_tables, drop_tables),
    ]
