"""Two clients editing the same record at the same moment: exactly one wins.

This needs a database that runs transactions concurrently; SQLite serialises
whole-database writes, so the race cannot happen there and the test runs only
on PostgreSQL (`make test-postgres`).
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import token_client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="concurrent writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(requests):
    """Run each zero-argument request in its own thread (own connection), all at once."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            statuses[index] = request().status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.parametrize("kind", ["cmocs", "theories"])
def test_it_lets_exactly_one_of_two_simultaneous_editors_win(world, editor, owner, kind):
    row = world.cmoc if kind == "cmocs" else world.theory
    label = "cmoc" if kind == "cmocs" else "theory"
    url = f"/api/{kind}/{row.pk}/"
    etag = f'"{label}-{row.pk}-v1"'
    clients = {"editor": token_client_for(editor), "owner": token_client_for(owner)}

    def edit(name):
        return lambda: clients[name].patch(url, {"statement": f"By {name}"}, format="json",
                                           HTTP_IF_MATCH=etag)

    statuses = race([edit("editor"), edit("owner")])
    assert sorted(statuses) == [200, 412]
    row.refresh_from_db()
    winner = "editor" if statuses[0] == 200 else "owner"
    assert row.statement == f"By {winner}" and row.version == 2
    assert row.history.count() == 2  # created, then the one winning edit
