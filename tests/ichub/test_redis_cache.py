"""With REDIS_URL, caches and throttle counters live in Redis (Django's RedisCache).

Needs a real redis-server: ICHUB_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0),
else these tests skip. Each test uses its own key prefix and deletes its keys.
"""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from ichub.models import ThrottleWindow
from programme_theories.models import ProgrammeTheory

REDIS_URL = os.environ.get("ICHUB_TEST_REDIS_URL", "")
ROOT = Path(__file__).resolve().parents[2]
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="set ICHUB_TEST_REDIS_URL to a redis-server")


@pytest.fixture
def redis_caches(settings):
    prefix = f"ichub-test-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
        "representations": {"BACKEND": backend, "LOCATION": REDIS_URL,
                            "KEY_PREFIX": f"{prefix}-representation"},
    }
    settings.THROTTLE_CACHE = "default"
    server = redis.Redis.from_url(REDIS_URL)
    yield server, prefix
    for key in server.scan_iter(f"{prefix}*"):
        server.delete(key)
    server.close()


@needs_redis
def test_it_keeps_rendered_theory_details_in_redis(redis_caches, review, viewer, token_client):
    server, prefix = redis_caches
    theory = ProgrammeTheory.objects.create(review=review, name="Being", stage="initial_rough",
                                            statement="s")
    client = token_client(viewer)

    first = client.get(f"/api/theories/{theory.pk}/")
    second = client.get(f"/api/theories/{theory.pk}/")

    assert first.status_code == second.status_code == 200 and second.content == first.content
    assert caches["representations"].get(first["ETag"]) is not None
    assert list(server.scan_iter(f"{prefix}-representation:*"))


@needs_redis
def test_it_counts_api_throttle_windows_in_redis_not_the_database(
    redis_caches, token_client, db, monkeypatch
):
    server, prefix = redis_caches
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": None})
    client = token_client(None)

    statuses = [client.get("/api/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert not ThrottleWindow.objects.exists()
    [key] = server.scan_iter(f"{prefix}:*throttle_anon_127.0.0.1:*")
    assert int(server.get(key)) == 4
    assert 0 < server.ttl(key) <= 61  # Redis forgets the window once it is over


@pytest.fixture
def redis_gone(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nobody listens once the probe is closed
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.redis.RedisCache",
               "LOCATION": f"redis://127.0.0.1:{closed}/0"}
        for name in ("default", "representations")
    }
    settings.THROTTLE_CACHE = "default"


def test_it_answers_503_not_500_while_redis_does_not_answer(redis_gone, token_client, db,
                                                            monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": None})

    response = token_client(None).get("/api/")

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "unavailable" in response.json()["detail"]


def test_it_answers_healthz_503_while_redis_does_not_answer(redis_gone, client, db):
    response = client.get("/healthz")

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["redis"] == "down" and response.json()["database"] == "ok"


@needs_redis
def test_it_answers_healthz_200_while_redis_answers(redis_caches, client, db):
    response = client.get("/healthz")

    assert response.status_code == 200


def test_it_configures_redis_caches_and_throttles_when_redis_url_is_set():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(REDIS_URL="redis://127.0.0.1:6379/0",
                       DJANGO_SETTINGS_MODULE="ichub.settings")
    code = ("from django.conf import settings; "
            "print(sorted({c['BACKEND'] for c in settings.CACHES.values()}), "
            "settings.THROTTLE_CACHE)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60)

    assert result.stdout.strip() == (
        "['django.core.cache.backends.redis.RedisCache'] default"
    ), result.stderr
