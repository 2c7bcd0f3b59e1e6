"""Insert many model instances in a few statements, for imports of thousands of rows.

`bulk_create` compiles every value through `Field.get_db_prep_save`, and on
SQLite splits the insert into batches of 999 parameters (45 sources a
statement): for a 1,000-reference import that costs as much as parsing the
file. Here each column's preparation is chosen once: text, integer, boolean
and foreign-key columns take the instance's value as it is (the drivers adapt
str, int, bool and None themselves), other columns go through the field.
Auto-now timestamps are stamped with one "now" for the whole insert (set on
the instances too, as `bulk_create` would), unless `keep_timestamps` (a
restore puts back the exported ones). It returns no ids: callers
read them back by a natural key, which they need for their report anyway.
"""

from django.db import connections, router
from django.utils import timezone

_PASSED_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def insert_rows(model, objects, *, keep_timestamps=False):
    """INSERT the instances (without their primary keys) in one command."""
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    now = None if keep_timestamps else timezone.now()
    readers = [_reader(field, connection, now) for field in fields]
    rows = [[read(obj) for read in readers] for obj in objects]
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command; the driver adapts each value in C.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:  # SQLite is in-process: executemany makes no round trips
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _reader(field, connection, now):
    """A function from an instance to the column's database value."""
    attname = field.attname
    if now is not None and (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ):
        stamp = field.get_db_prep_save(now, connection)

        def stamped(obj):
            setattr(obj, attname, now)
            return stamp

        return stamped
    if field.get_internal_type() in _PASSED_AS_IS:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
