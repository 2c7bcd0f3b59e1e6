"""Guards that sit in front of every view: request size, repeated API parameters, login
brute force; and the API's JSON 404.

The rules themselves (limits, rates, lock-out counts) are settings; this
module only holds the pieces Django and django-axes do not ship in the shape
we need.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than the limit, before reading it.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE only guards form and raw bodies
    once something reads them, and answers with a bare 400; file uploads are
    not limited at all. Checking Content-Length first gives every client, the
    API and the browser alike, one clear 413 that names the limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                {"detail": "The Content-Length header is not a number."}, status=400
            )
        if declared > limit and _feeds_a_job(request):
            # Uploads that become jobs are streamed to storage, never read into memory.
            limit = settings.JOB_UPLOAD_MAX_BYTES
        if declared > limit:
            return JsonResponse(
                {
                    "detail": f"The request body is {declared} bytes; the limit is {limit} bytes.",
                    "limit_bytes": limit,
                },
                status=413,
            )
        return self.get_response(request)


def _feeds_a_job(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return request.method == "POST" and match.view_name in settings.JOB_UPLOAD_URL_NAMES


class WebLoginAxesBackend(AxesStandaloneBackend):
    """django-axes lock-out for logins that come over the network.

    A login without a request comes from code on the server (the test client,
    a shell, a management command), which nobody outside can brute-force; the
    stock backend refuses those outright, so here they pass straight through to
    the next backend instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SingleQueryParametersMiddleware:
    """Refuse an API request that gives a query parameter more than once (400).

    Every API parameter is one value (the schema says so); Django's QueryDict
    silently keeps the last of `?page_size=1&page_size=500`, so a client, a
    proxy and the server could each read a different one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
            if repeated:
                return JsonResponse(
                    {"detail": f"Give each query parameter once: {', '.join(repeated)} "
                     "is repeated."}, status=400,
                )
        return self.get_response(request)


def page_not_found(request, exception):
    """404 as JSON under /api/ (a client parses it like every other error), else the page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
