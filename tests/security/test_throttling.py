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
