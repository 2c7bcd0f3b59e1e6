"""Carry DRF's single per-user tokens over as named API tokens, so clients keep working.

rest_framework.authtoken is no longer installed, so its table is read with
plain SQL, and only when a database made before this change still has it.
"""

import hashlib

from django.db import migrations


def carry_over(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    APIToken = apps.get_model("accounts", "APIToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    APIToken.objects.bulk_create(
        APIToken(user_id=user_id, name="Carried over from the old single token",
                 prefix=key[:8], key_hash=hashlib.sha256(key.encode()).hexdigest(),
                 created_at=created)
        for key, user_id, created in rows
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
