"""/healthz answers 200 while the database answers and 503 while it does not, then recovers.

On PostgreSQL the outage is real: the app's connection is pointed at a
closed port, then back, without restarting anything. SQLite's test database
lives in memory and vanishes if its connection closes, so there every query
fails as an unreachable server's would, with the same OperationalError.
"""

import socket
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection

from cmocs.models import CMOC

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


def unreachable(execute, sql, params, many, context):
    raise OperationalError("unable to open database file")


@contextmanager
def database_unreachable():
    if connection.vendor != "postgresql":
        with connection.execute_wrapper(unreachable):
            yield
        return
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_it_answers_200_while_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_during_an_outage_and_200_again_after_it_without_a_restart(client):
    with database_unreachable():
        down = client.get("/healthz")
        still_down = client.get("/healthz")
    back = client.get("/healthz")

    assert (down.status_code, still_down.status_code) == (503, 503)
    assert down.json()["database"] == "down"
    assert int(down["Retry-After"]) > 0
    assert back.status_code == 200


def test_it_answers_503_not_500_to_api_reads_and_writes_during_an_outage(
    token_client, editor, review
):
    client = token_client(editor)
    with database_unreachable():
        read = client.get("/api/cmocs/")
        write = client.post("/api/cmocs/", {"review": review.slug, "code": "CMOC 1",
                                            "statement": "Written during an outage?"},
                            format="json")
    after = client.get("/api/cmocs/")

    assert (read.status_code, write.status_code) == (503, 503)
    assert "unavailable" in write.json()["detail"]
    assert after.status_code == 200
    assert not CMOC.objects.exists()  # nothing partial was written


def test_it_refuses_to_change_state(client):
    assert client.post("/healthz").status_code == 405
