"""With REDIS_URL, sessions are read from Redis and written through to the database.

Needs a real redis-server for the first two tests: ICHUB_TEST_REDIS_URL (e.g.
redis://127.0.0.1:6379/0), else they skip (CI's Redis pass sets it). Each test
uses its own key prefix and deletes its keys.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

REDIS_URL = os.environ.get("ICHUB_TEST_REDIS_URL", "")
ROOT = Path(__file__).resolve().parents[2]
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="set ICHUB_TEST_REDIS_URL to a redis-server")


@pytest.fixture
def redis_sessions(settings):
    """The settings ichub uses when REDIS_URL is set (ichub/settings.py), on a test prefix."""
    prefix = f"ichub-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.redis.RedisCache",
               "LOCATION": REDIS_URL, "KEY_PREFIX": f"{prefix}-{name}"}
        for name in ("default", "representations")
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "default"
    server = redis.Redis.from_url(REDIS_URL)
    yield server, f"{prefix}-default"
    for key in server.scan_iter(f"{prefix}*"):
        server.delete(key)
    server.close()


def _signed_in(client):
    """The account page answers signed-in users; anonymous ones are sent to sign in."""
    return client.get("/accounts/").status_code == 200


@needs_redis
def test_it_reads_signed_in_sessions_from_redis_without_a_session_query(
    redis_sessions, client, viewer
):
    server, prefix = redis_sessions
    client.force_login(viewer)
    key = client.session.session_key

    with CaptureQueriesContext(connection) as queries:
        assert _signed_in(client)

    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert [k for k in server.scan_iter(f"{prefix}:*") if key in k.decode()]
    assert Session.objects.filter(session_key=key).exists()  # written through


@needs_redis
def test_it_keeps_sessions_when_redis_loses_them(redis_sessions, client, viewer):
    server, prefix = redis_sessions
    client.force_login(viewer)
    for cached in server.scan_iter(f"{prefix}:*"):
        server.delete(cached)  # as after a Redis restart without persistence

    assert _signed_in(client)  # read back from the database
    assert list(server.scan_iter(f"{prefix}:*"))  # and cached again


@needs_redis
def test_it_signs_out_everywhere_when_the_session_is_flushed(redis_sessions, client, viewer):
    server, prefix = redis_sessions
    client.force_login(viewer)
    key = client.session.session_key

    client.post("/accounts/logout/")

    assert not _signed_in(client)
    assert not [k for k in server.scan_iter(f"{prefix}:*") if key in k.decode()]
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize(("redis_url", "engine"), [
    ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db default"),
    ("", "django.contrib.sessions.backends.db default"),
])
def test_it_chooses_the_session_engine_from_redis_url(redis_url, engine):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    environment.update(REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="ichub.settings")
    code = ("from django.conf import settings; "
            "print(settings.SESSION_ENGINE, settings.SESSION_CACHE_ALIAS)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60)

    assert result.stdout.strip() == engine, result.stderr
