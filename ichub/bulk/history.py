"""History records for rows just bulk-inserted, written by the database in one statement.

django-simple-history's `bulk_history_create` builds one historical model
instance per row in Python and inserts them again through the ORM: for an
import of a thousand references that costs about as much as parsing the file.
The rows are already in the table, so `INSERT INTO <history> SELECT … FROM
<table>` copies them server-side instead. Its column list comes from the
historical model's own `_meta` (its tracked fields plus the history fields),
so it follows the model when fields are added.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils import timezone

# Integer ids are written into the statement as literals (checked with int()), so one
# statement covers a chunk whatever the backend's parameter limit (SQLite's is 999).
_CHUNK = 10_000


def insert_creation_history(model, pks, *, user=None, change_reason=""):
    """Write one '+' history record for each row of `model` whose id is in `pks`.

    Call it inside the transaction that inserted the rows, right after the
    insert: the records copy the rows as they are then. Returns how many were written.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    pks = [int(pk) for pk in pks]
    if not pks:
        return 0
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    connection = connections[router.db_for_write(history)]
    targets, sources, params = _columns(model, history, connection, user, change_reason)
    quote = connection.ops.quote_name
    pk_column = quote(model._meta.pk.column)
    statement = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(sources)} FROM {quote(model._meta.db_table)} "
        f"WHERE {pk_column} IN ({{ids}}) ORDER BY {pk_column}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _CHUNK):
            ids = ", ".join(str(pk) for pk in pks[start : start + _CHUNK])
            cursor.execute(statement.format(ids=ids), params)
    return len(pks)


def _columns(model, history, connection, user, change_reason):
    """(history columns, SELECT expressions, parameters) in matching order."""
    quote = connection.ops.quote_name
    tracked = {field.name: field for field in history.tracked_fields}
    history_values = {
        "history_date": timezone.now(),
        "history_change_reason": change_reason,
        "history_type": "+",
        "history_user": user.pk if user is not None and user.is_authenticated else None,
    }
    targets, sources, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key and field.name == "history_id":
            continue  # the database numbers the records
        targets.append(quote(field.column))
        if field.name in tracked:
            sources.append(quote(tracked[field.name].column))
        elif field.name in history_values:
            sources.append("%s")
            value = history_values[field.name]
            params.append(field.get_db_prep_value(value, connection) if value is not None else None)
        else:
            raise ImproperlyConfigured(
                f"{history._meta.label}.{field.name} is neither tracked nor a history field: "
                "teach insert_creation_history its value."
            )
    return targets, sources, params
