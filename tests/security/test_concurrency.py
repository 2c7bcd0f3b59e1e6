"""Two editors race on one CMOC through the API, 200 rounds: one winner and one 412 each round.

Each writer is a thread with its own API client and its own database
connection, so the whole request stack (middleware, view, If-Match, service,
history) runs truly side by side; only the socket is left out, which keeps
400 requests to a few seconds. Real concurrency needs a real database
server (SQLite queues writers on one file lock), so this runs on PostgreSQL
only: the `make test-postgres` half of CI.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from cmocs import services
from cmocs.models import CMOC
from ichub.etags import etag_for
from tests.conftest import make_user, token_client_for

ROUNDS = 200

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs concurrent writers: PostgreSQL"),
]


def race(client, cmoc_id, name, barrier, outcomes):
    """PATCH once per round with the ETag of the version both writers hold.

    Each answer says the new version (200's ETag, 412's current_version), so
    no read is needed between rounds and both start the next from the same one.
    """
    url = f"/api/cmocs/{cmoc_id}/"
    etag = client.get(url)["ETag"]
    try:
        for round_number in range(ROUNDS):
            barrier.wait(timeout=30)  # both hold the same version before either writes
            response = client.patch(url, {"statement": f"{name} won round {round_number}"},
                                    format="json", HTTP_IF_MATCH=etag)
            outcomes[round_number].append((name, response.status_code))
            if response.status_code == 200:
                etag = response["ETag"]
            elif response.status_code == 412:
                etag = etag_for("cmoc", cmoc_id, response.json()["current_version"])
    finally:
        connection.close()  # this thread's own connection


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_edits_win_each_round(review, owner):
    cmoc = services.create_cmoc(review=review, user=owner, code="CMOC 1", statement="Start.")
    first, second = make_user("racer_one"), make_user("racer_two")
    review.memberships.create(user=first, role="editor")
    review.memberships.create(user=second, role="editor")
    barrier = threading.Barrier(2)
    outcomes = [[] for _ in range(ROUNDS)]
    writers = [
        threading.Thread(target=race, args=(token_client_for(u), cmoc.pk, u.username, barrier,
                                            outcomes))
        for u in (first, second)
    ]

    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=600)

    assert all(len(round_) == 2 for round_ in outcomes), "a writer stopped early"
    statuses = [sorted(code for _, code in round_) for round_ in outcomes]
    assert statuses == [[200, 412]] * ROUNDS
    cmoc.refresh_from_db()
    assert cmoc.version == 1 + ROUNDS
    winners = [name for round_ in outcomes for name, code in round_ if code == 200]
    edits = cmoc.history.filter(history_type="~").order_by("history_id")
    assert edits.count() == ROUNDS
    assert [h.history_user.username for h in edits] == winners
    assert [h.version for h in edits] == list(range(2, ROUNDS + 2))
    assert cmoc.statement == f"{winners[-1]} won round {ROUNDS - 1}"
    assert CMOC.objects.filter(review=review).count() == 1
