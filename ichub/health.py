"""Is this app server able to serve? `/healthz` for load balancers, 503 when the DB is gone.

A load balancer takes a server out of rotation on a non-200 answer and puts
it back once it answers 200 again, so the check must not cache its result and
must open a fresh connection each time: a dead pooled connection is closed so
the next check (or request) reconnects without restarting the process.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

UNAVAILABLE_RETRY_AFTER_SECONDS = 5
logger = logging.getLogger("ichub.health")


def _database_answers(alias="default"):
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()  # never hand the broken connection to the next request
        return False
    return True


def _unavailable(detail):
    response = JsonResponse({"status": "unavailable", "database": "down", "detail": detail},
                            status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


@never_cache
@require_safe
def healthz(request):
    if not _database_answers():
        return _unavailable("The database does not answer.")
    return JsonResponse({"status": "ok", "database": "ok"})


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not 500, when the database is unreachable mid-request.

    An outage is not a bug in the request: clients and load balancers should
    retry. Every multi-row write runs in a service's atomic block, which has
    already rolled back by the time the error reaches here: nothing partial is left.
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
            return _unavailable("The database is unavailable; try again shortly.")
        return None
