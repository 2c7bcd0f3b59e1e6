"""API throttles that cost one SQL statement a request.

DRF's `AnonRateThrottle`/`UserRateThrottle` keep each caller's request times
in the cache; with the shared database cache that is a read, a write and a
COMMIT (six statements) on every API request, which cost more than a whole
conditional GET (BENCHMARKS.md, scenario 5). These keep DRF's scopes, rates,
keys and 429 + Retry-After, but count in fixed windows: one upsert bumps the
caller's row in `ichub_throttlewindow` (ichub.models.ThrottleWindow) and
returns the count. A fixed window lets a caller reach at most twice the rate
across a window boundary, an accepted price for one statement.
"""

from django.db import connection
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from ichub.models import ThrottleWindow


def _count_hit(key, started):
    """Count one request for `key` in the window starting at `started`; return the window's count.

    One statement on both PostgreSQL and SQLite (3.35+): a new caller or a new
    window starts at 1, the same window adds 1. Row locking makes concurrent
    requests from one caller count exactly.
    """
    table, key_, started_, hits = map(
        connection.ops.quote_name, (ThrottleWindow._meta.db_table, "key", "started", "hits")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {started_}, {hits}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_}) DO UPDATE SET {hits} = CASE "
            f"WHEN {table}.{started_} = excluded.{started_} THEN {table}.{hits} + 1 ELSE 1 END, "
            f"{started_} = excluded.{started_} RETURNING {hits}",
            [key, started],
        )
        return cursor.fetchone()[0]


class _FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        started = int(self.now // self.duration * self.duration)
        self.window_ends = started + self.duration
        return _count_hit(key, started) <= self.num_requests

    def wait(self):
        """Seconds until the window, and so the caller's allowance, starts afresh."""
        return max(self.window_ends - self.now, 1)


class AnonWindowThrottle(_FixedWindowMixin, AnonRateThrottle):
    """Anonymous callers, by address, at the "anon" rate."""


class UserWindowThrottle(_FixedWindowMixin, UserRateThrottle):
    """Signed-in callers, by user, at the "user" rate (anonymous ones by address)."""
