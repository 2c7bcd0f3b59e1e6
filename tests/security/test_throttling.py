"""API throttling: anonymous callers by address, signed-in callers by user; N+1 gets 429."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

ANON_LIMIT = 3
USER_LIMIT = 5


@pytest.fixture
def small_rates(monkeypatch):
    # DRF reads rates once at import, so they are patched where it keeps them.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES",
        {"anon": f"{ANON_LIMIT}/minute", "user": f"{USER_LIMIT}/minute"},
    )


def test_it_answers_429_with_retry_after_to_the_anonymous_request_over_the_rate(
    token_client, db, small_rates
):
    client = token_client(None)

    allowed = [client.get("/api/").status_code for _ in range(ANON_LIMIT)]
    refused = client.get("/api/")

    assert allowed == [200] * ANON_LIMIT
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_it_throttles_each_user_on_their_own_allowance(
    token_client, editor, viewer, review, small_rates
):
    editor_client, viewer_client = token_client(editor), token_client(viewer)

    allowed = [editor_client.get("/api/").status_code for _ in range(USER_LIMIT)]
    refused = editor_client.get("/api/")
    someone_else = viewer_client.get("/api/")

    assert allowed == [200] * USER_LIMIT
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert someone_else.status_code == 200


def test_it_gives_a_signed_in_user_more_than_the_anonymous_allowance(
    token_client, editor, review, small_rates
):
    client = token_client(editor)

    statuses = [client.get("/api/").status_code for _ in range(ANON_LIMIT + 1)]

    assert statuses == [200] * (ANON_LIMIT + 1)


def test_it_counts_in_the_database_with_one_statement_a_request(
    token_client, editor, review, small_rates
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ichub.models import ThrottleWindow

    client = token_client(editor)
    client.get("/api/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/")

    throttle_sql = [q["sql"] for q in queries.captured_queries if "throttlewindow" in q["sql"]]
    assert len(throttle_sql) == 1 and "ON CONFLICT" in throttle_sql[0]
    assert ThrottleWindow.objects.get(key__contains=str(editor.pk)).hits == 2


def test_it_starts_a_fresh_allowance_when_the_window_turns(
    token_client, editor, review, small_rates, monkeypatch
):
    from ichub.throttling import UserWindowThrottle

    clock = [60.0 * 16_667]  # the start of a one-minute window
    monkeypatch.setattr(UserWindowThrottle, "timer", lambda self: clock[0])
    client = token_client(editor)

    used_up = [client.get("/api/").status_code for _ in range(USER_LIMIT + 1)]
    clock[0] += 45
    still_refused = client.get("/api/")
    clock[0] += 20  # past the window's end
    next_window = client.get("/api/")

    assert used_up == [200] * USER_LIMIT + [429]
    assert still_refused.status_code == 429 and int(still_refused["Retry-After"]) == 15
    assert next_window.status_code == 200
