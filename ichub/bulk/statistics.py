"""Fresh planner statistics for tables a bulk write has just filled (PostgreSQL only).

PostgreSQL plans every query from the statistics ANALYZE last recorded. A
restore into a fresh database fills tables that autovacuum last saw empty, so
until autoanalyze gets round to them (it waits for a share of the rows to
change, and runs when it runs) each page plans for empty tables: nested loops
over "no rows" that on a large review ran past the statement timeout. An
ANALYZE reads a sample (300 x default_statistics_target rows a table), so it
costs about the same whatever was written. SQLite plans without statistics of
this kind: nothing to do there.
"""

from django.db import connections, router


def refresh_statistics(models):
    """ANALYZE the tables of `models` and of their history models, after their rows commit."""
    tables = set()
    for model in models:
        tables.add(model._meta.db_table)
        history = getattr(model._meta, "simple_history_manager_attribute", None)
        if history:
            tables.add(getattr(model, history).model._meta.db_table)
    if not tables:
        return []
    connection = connections[router.db_for_write(next(iter(models)))]
    if connection.vendor != "postgresql":
        return []
    tables = sorted(tables)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    return tables
