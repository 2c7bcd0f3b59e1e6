"""Failing fast when the database is slow: 503 + Retry-After, never a hung request.

PostgreSQL's own timers do the work (DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT,
DB_CONNECT_TIMEOUT); the tests make a statement wait for real, on a table lock
held by a second connection, and stop (kill -STOP) a server of the test's own.
"""

import os
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, connection
from rest_framework.throttling import SimpleRateThrottle

from tests.security.own_postgres import own_postgres

postgres_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in {"postgres", "postgresql"},
    reason="PostgreSQL's timeouts",
)


def unreachable(execute, sql, params, many, context):
    raise OperationalError("unable to open database file")


def test_it_shows_browsers_a_page_not_json_when_the_database_is_unavailable(client, db):
    with connection.execute_wrapper(unreachable):
        response = client.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml")

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content


@contextmanager
def table_locked_elsewhere(table):
    """Another connection holds an exclusive lock on `table` until the block ends."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=False) as other:
        other.execute("SET lock_timeout = '5s'")  # never hang the suite if the test is wrong
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()


def wait_at_most(setting):
    """This test's transaction gives up waiting after 300 ms by `setting` (the other one off)."""
    other = {"statement_timeout": "lock_timeout", "lock_timeout": "statement_timeout"}[setting]
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {setting} = '300ms'")
        cursor.execute(f"SET LOCAL {other} = 0")


@postgres_only
def test_it_sets_the_request_timeouts_on_every_connection(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]

    assert (statement, lock) == ("30s", "10s")
    assert connection.connection.info.get_parameters()["connect_timeout"] == "5"


@postgres_only
def test_it_turns_jit_compilation_off_on_every_connection(db):
    # Compiling the theory ETag's query cost ~650 ms a read at bench scale 10.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@postgres_only
@pytest.mark.parametrize("setting", ["statement_timeout", "lock_timeout"])
def test_it_answers_503_with_retry_after_to_an_api_statement_that_timed_out(
    token_client, db, monkeypatch, setting
):
    # The anonymous throttle's upsert is the request's first statement on this table.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/minute", "user": None})
    wait_at_most(setting)

    with table_locked_elsewhere("ichub_throttlewindow"):
        response = token_client(None).get("/api/")

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["database"] == "down"


@postgres_only
def test_it_shows_a_503_page_to_a_browser_whose_page_timed_out(client, owner, review):
    client.force_login(owner)
    wait_at_most("statement_timeout")

    with table_locked_elsewhere("jobs_job"):
        response = client.get(f"/reviews/{review.slug}/jobs/", HTTP_ACCEPT="text/html")

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert b"Temporarily unavailable" in response.content


@postgres_only
def test_it_answers_healthz_503_while_postgresql_is_stalled_and_200_after(client, db, monkeypatch):
    # /healthz probes on a fresh connection: point it at a server of this test's own
    # and kill -STOP its processes. The kernel still completes the TCP handshake; nobody
    # answers. The server all parallel tests share is never stopped (own_postgres.py).
    with own_postgres() as server:
        if server is None:
            pytest.skip("no PostgreSQL server binaries to start a server of the test's own")
        for key, value in (("HOST", "127.0.0.1"), ("PORT", str(server.port)),
                           ("NAME", "postgres"), ("USER", "postgres"), ("PASSWORD", "")):
            monkeypatch.setitem(connection.settings_dict, key, value)
        before = client.get("/healthz")
        with server.stopped():
            stalled = client.get("/healthz")
        after = client.get("/healthz")

    assert before.status_code == 200
    assert stalled.status_code == 503 and int(stalled["Retry-After"]) > 0
    assert stalled.json()["database"] == "down"
    assert after.status_code == 200
