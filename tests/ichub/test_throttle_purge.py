"""Throttle windows that have ended are purged by the database when a caller starts a new one."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from ichub.models import ThrottleWindow
from ichub.throttling import AnonWindowThrottle

WINDOW_START = 60.0 * 16_667  # the start of a one-minute window


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/minute", "user": None})
    now = [WINDOW_START]
    monkeypatch.setattr(AnonWindowThrottle, "timer", lambda self: now[0])
    return now


def stale_callers(count, ended=WINDOW_START - 60):
    ThrottleWindow.objects.bulk_create(
        ThrottleWindow(key=f"throttle_anon_stale-{n}", started=ended - 60, expires=ended, hits=5)
        for n in range(count)
    )


def test_it_purges_ended_windows_when_a_new_caller_arrives(token_client, db, clock):
    stale_callers(3)
    ThrottleWindow.objects.create(key="throttle_anon_current", started=WINDOW_START,
                                  expires=WINDOW_START + 60, hits=1)

    assert token_client(None).get("/api/").status_code == 200

    assert set(ThrottleWindow.objects.values_list("key", flat=True)) == {
        "throttle_anon_current", "throttle_anon_127.0.0.1"
    }


def test_it_purges_when_a_known_caller_starts_a_new_window_and_not_within_one(
    token_client, db, clock
):
    client = token_client(None)
    client.get("/api/")
    stale_callers(2)

    clock[0] += 30
    client.get("/api/")  # same window: nothing else is touched
    kept_within_window = ThrottleWindow.objects.count()
    clock[0] += 60
    client.get("/api/")  # a new window

    assert kept_within_window == 3
    assert list(ThrottleWindow.objects.values_list("key", "hits")) == [
        ("throttle_anon_127.0.0.1", 1)
    ]


def test_it_purges_at_most_a_hundred_rows_at_a_time(token_client, db, clock):
    stale_callers(150)

    token_client(None).get("/api/")

    assert ThrottleWindow.objects.filter(key__startswith="throttle_anon_stale-").count() == 50
