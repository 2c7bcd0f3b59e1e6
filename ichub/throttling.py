"""API throttles that cost one SQL statement (or one Redis round trip pair) a request.

DRF's `AnonRateThrottle`/`UserRateThrottle` keep each caller's request times
in the cache; with the shared database cache that is a read, a write and a
COMMIT (six statements) on every API request, which cost more than a whole
conditional GET (BENCHMARKS.md, scenario 5). These keep DRF's scopes, rates,
keys and 429 + Retry-After, but count in fixed windows: one upsert bumps the
caller's row in `ichub_throttlewindow` (ichub.models.ThrottleWindow) and
returns the count. A fixed window lets a caller reach at most twice the rate
across a window boundary, an accepted price for one statement.

With REDIS_URL set (settings.THROTTLE_CACHE names a Redis cache) the count is
a Redis key per caller and window instead, which Redis expires by itself.

The caller's address is DRF's: REMOTE_ADDR, or the entry of X-Forwarded-For
that the last of DJANGO_PROXY_COUNT proxies appended (REST_FRAMEWORK's
NUM_PROXIES). Anything there that is not an IP address is the client's own
forgery passed through a misconfigured proxy count: it is ignored for
REMOTE_ADDR, so it neither buys a fresh allowance nor overflows the key.
"""

import ipaddress

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from ichub.models import ThrottleWindow


def _count_hit(key, started, expires):
    """Count one request for `key` in the window [started, expires); return the window's count.

    One statement on both PostgreSQL and SQLite (3.35+): a new caller or a new
    window starts at 1, the same window adds 1. Row locking makes concurrent
    requests from one caller count exactly.
    """
    table, key_, started_, expires_, hits = map(
        connection.ops.quote_name,
        (ThrottleWindow._meta.db_table, "key", "started", "expires", "hits"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {started_}, {expires_}, {hits}) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT ({key_}) DO UPDATE SET {hits} = CASE "
            f"WHEN {table}.{started_} = excluded.{started_} THEN {table}.{hits} + 1 ELSE 1 END, "
            f"{started_} = excluded.{started_}, {expires_} = excluded.{expires_} RETURNING {hits}",
            [key, started, expires],
        )
        return cursor.fetchone()[0]


def _count_hit_in_cache(cache, key, started, expires):
    """The same count in a cache (Redis): one key per caller and window, gone when it ends."""
    window_key = f"{key}:{started}"
    # add() is SET NX: only the window's first request creates the key. The key
    # outlives the window by a second so incr() never meets a key expiring under it.
    cache.add(window_key, 0, timeout=expires - started + 1)
    try:
        return cache.incr(window_key)
    except ValueError:  # evicted between the two calls: count afresh
        cache.add(window_key, 1, timeout=expires - started + 1)
        return 1


class _FixedWindowMixin:
    def get_ident(self, request):
        ident = super().get_ident(request)
        try:
            ipaddress.ip_address(ident)
        except ValueError:
            return request.META.get("REMOTE_ADDR", "")
        return ident

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        started = int(self.now // self.duration * self.duration)
        self.window_ends = started + self.duration
        cache = self.counting_cache()
        if cache is not None:
            hits = _count_hit_in_cache(cache, key, started, self.window_ends)
        else:
            hits = _count_hit(key, started, self.window_ends)
        return hits <= self.num_requests

    def counting_cache(self):
        """The cache that counts requests, or None to count in the database."""
        return caches[settings.THROTTLE_CACHE] if settings.THROTTLE_CACHE else None

    def wait(self):
        """Seconds until the window, and so the caller's allowance, starts afresh."""
        return max(self.window_ends - self.now, 1)


class AnonWindowThrottle(_FixedWindowMixin, AnonRateThrottle):
    """Anonymous callers, by address, at the "anon" rate."""


class UserWindowThrottle(_FixedWindowMixin, UserRateThrottle):
    """Signed-in callers, by user, at the "user" rate (anonymous ones by address)."""
