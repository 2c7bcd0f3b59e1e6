"""Insert many model instances in one command, for imports of thousands of rows.

`bulk_create` compiles every value through `Field.get_db_prep_save`, and on
SQLite splits the insert into batches of 999 parameters (45 sources a
statement): for a 1,000-reference import that costs as much as parsing the
file. Here each column's preparation is chosen once: text, integer, boolean
and foreign-key columns take the instance's value as it is (the drivers adapt
str, int, bool and None themselves), other columns go through the field.
PostgreSQL gets a COPY, SQLite (in-process, no round trips) an executemany.

Auto-now timestamps are stamped with one "now" for the whole insert (set on
the instances too, as `bulk_create` would), unless `keep_timestamps` and the
instance carries one (a restore puts back the exported ones).

COPY and executemany return no ids. With `assign_ids` the ids are reserved
first from the table's own sequence (so no other writer can take them) and
inserted with the rows; otherwise the caller reads them back by a natural key.
"""

from types import SimpleNamespace

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


def insert_rows(model, objects, *, keep_timestamps=False, assign_ids=False):
    """INSERT the rows in one command; with `assign_ids`, return the ids reserved for them.

    `objects` are model instances, or dicts of field attname to value whose
    other fields take their defaults (cheaper than instances when nothing
    needs one: a thousandth of a second a hundred rows).
    """
    if not objects:
        return []
    connection = connections[router.db_for_write(model)]
    if isinstance(objects[0], dict):
        defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        objects = [SimpleNamespace(**{**defaults, **values}) for values in objects]
    pk_name = model._meta.pk.attname
    if assign_ids:
        for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
            setattr(obj, pk_name, pk)
    fields = [f for f in model._meta.concrete_fields if assign_ids or not f.primary_key]
    now = timezone.now()  # one stamp for every row and every auto-now column
    readers = [_reader(field, connection, now, keep_timestamps) for field in fields]
    rows = [[read(obj) for read in readers] for obj in objects]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command; the driver adapts each value in C.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    return [getattr(obj, pk_name) for obj in objects] if assign_ids else []


def reserve_ids(model, count):
    """`count` primary keys from the table's sequence, taken so no concurrent insert gets them."""
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite's AUTOINCREMENT never reuses an id below sqlite_sequence.seq: moving it
        # on by `count` (a write, so under the database's write lock) reserves the range.
        quote = connection.ops.quote_name
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) "
            f"SELECT %s, COALESCE(MAX({quote(column)}), 0) FROM {quote(table)} "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
            [table, table],
        )
        cursor.execute(
            "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq",
            [count, table],
        )
        (last,) = cursor.fetchone()
        return list(range(last - count + 1, last + 1))


def _reader(field, connection, now, keep_timestamps):
    """A function from an instance to the column's database value."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        stamp = field.get_db_prep_save(now, connection)

        def stamped(obj):
            value = getattr(obj, attname)
            if keep_timestamps and value is not None:
                return field.get_db_prep_save(value, connection)
            setattr(obj, attname, now)
            return stamp

        return stamped
    if getattr(field, "computes_on_save", False):  # e.g. a natural sort key (ichub.fields)
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=True), connection)
    if field.get_internal_type() in _PASSED_AS_IS:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
