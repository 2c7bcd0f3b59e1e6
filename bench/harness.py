"""Timing and SQL-replay tools for the benchmark (not part of the app).

Timings are interleaved: each round runs every variant once, in turn, so a
burst of load from another process slows all variants alike and their ratio
stays meaningful even when the absolute numbers are noisy.
"""

import statistics
import time
from contextlib import contextmanager

import orjson
from django.db import connection


def summarise(samples_ms):
    ordered = sorted(samples_ms)
    n = len(ordered)
    return {
        "n": n,
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[min(n - 1, int(round(0.95 * (n - 1))))], 3),
        "p99_ms": round(ordered[min(n - 1, int(round(0.99 * (n - 1))))], 3),
        "min_ms": round(ordered[0], 3),
        "max_ms": round(ordered[-1], 3),
    }


def interleaved(variants, *, reps, warmup=3):
    """{name: callable} -> {name: summary}, each callable timed `reps` times in turn."""
    for _ in range(warmup):
        for run in variants.values():
            run()
    samples = {name: [] for name in variants}
    for _ in range(reps):
        for name, run in variants.items():
            started = time.perf_counter_ns()
            run()
            samples[name].append((time.perf_counter_ns() - started) / 1e6)
    return {name: summarise(values) for name, values in samples.items()}


@contextmanager
def recorded_sql():
    """Collect (sql, params) of every statement Django runs inside the block."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def is_read(sql):
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def raw_cursor():
    """A DB-API cursor on Django's own connection, below all of Django's layers.

    PostgreSQL: psycopg's ClientCursor, the binding Django itself uses.
    SQLite: the sqlite3 cursor, with Django's %s -> ? placeholder conversion
    only (the SQL Django logs uses %s).
    """
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        import psycopg

        return psycopg.ClientCursor(raw)
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    return raw.cursor(factory=SQLiteCursorWrapper)


def floor_replay(statements):
    """The floor F: replay the reads on a raw cursor, then orjson-encode all rows."""
    reads = [(sql, params) for sql, params in statements if is_read(sql)]

    def replay():
        cursor = raw_cursor()
        rows = []
        for sql, params in reads:
            cursor.execute(sql, params)
            rows.append(cursor.fetchall())
        cursor.close()
        return orjson.dumps(rows, default=str)

    return replay
