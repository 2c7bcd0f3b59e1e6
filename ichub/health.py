"""Is this app server able to serve? `/healthz` for load balancers, 503 when the DB is gone.

A load balancer takes a server out of rotation on a non-200 answer and puts
it back once it answers 200 again, so the check must not cache its result and
must not trust a pooled connection: on PostgreSQL it opens a fresh connection
of its own with a short connect and statement timeout (DB_HEALTHZ_TIMEOUT), so
a database that accepts TCP but does not answer (stalled, swapped out, stuck on
I/O) is reported down within about that many seconds instead of hanging.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

UNAVAILABLE_RETRY_AFTER_SECONDS = 5
logger = logging.getLogger("ichub.health")


def _probe_connection(alias):
    """A connection used for this one check: fresh, with the check's own timeouts."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return connection, False  # SQLite is a file in this process: nothing to stall
    probe = connection.copy()
    seconds = settings.HEALTHZ_DB_TIMEOUT
    options = probe.settings_dict.setdefault("OPTIONS", {})
    options["connect_timeout"] = seconds
    options["options"] = f"{options.get('options', '')} -c statement_timeout={seconds * 1000}"
    return probe, True


def _database_answers(alias="default"):
    connection, fresh = _probe_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()  # never hand a broken connection to the next request
        return False
    finally:
        if fresh:
            connection.close()
    return True


def _wants_html(request):
    if request.path.startswith("/api/"):
        return False
    return request.accepts("text/html") and not request.headers.get("Accept", "").startswith(
        "application/json"
    )


def _unavailable(request, detail, **services):
    if request is not None and _wants_html(request):
        body = render_to_string(
            "503.html", {"detail": detail, "retry_after": UNAVAILABLE_RETRY_AFTER_SECONDS}
        )
        response = HttpResponse(body, status=503)
    else:
        response = JsonResponse(
            {"status": "unavailable", "database": "down", **services, "detail": detail},
            status=503,
        )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


@never_cache
@require_safe
def healthz(request):
    if not _database_answers():
        return _unavailable(None, "The database does not answer.")
    if settings.THROTTLE_CACHE and not _redis_answers():
        return _unavailable(None, "Redis does not answer.", database="ok", redis="down")
    return JsonResponse({"status": "ok", "database": "ok"})


def _redis_answers():
    """With REDIS_URL every API request counts its throttle window in Redis: check it too."""
    try:
        caches[settings.THROTTLE_CACHE].get("healthz")  # bounded by REDIS_TIMEOUT
    except (RedisConnectionError, RedisTimeoutError):
        return False
    return True


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not 500, when the database (or Redis) is unreachable or slow.

    An outage is not a bug in the request: clients and load balancers should
    retry. The same goes for a statement cancelled by DB_STATEMENT_TIMEOUT or a
    lock wait cut by DB_LOCK_TIMEOUT (both OperationalErrors on PostgreSQL):
    the database is too busy to answer in time. Every multi-row write runs in a
    service's atomic block, which has already rolled back by the time the error
    reaches here: nothing partial is left. Browsers get a page, the API JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # The broken connection is closed at the end of the request by Django's own
        # request_finished handler, so the next request reconnects.
        if isinstance(exception, (OperationalError, InterfaceError)):
            # Logged in full: on SQLite a missing table is an OperationalError too.
            logger.error("Database unavailable during %s %s", request.method, request.path,
                         exc_info=exception)
            return _unavailable(request, "The database is unavailable or too busy to answer "
                                "in time; try again shortly.")
        if isinstance(exception, (RedisConnectionError, RedisTimeoutError)):
            # With REDIS_URL the caches and throttle counts live in Redis: same outage.
            logger.error("Redis unavailable during %s %s", request.method, request.path,
                         exc_info=exception)
            return _unavailable(request, "A shared service is unavailable; try again shortly.")
        return None
