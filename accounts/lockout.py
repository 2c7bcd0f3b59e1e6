"""What a locked-out login gets: 429 with Retry-After, as HTML or as JSON for the API."""

from django.http import JsonResponse
from django.shortcuts import render


def retry_after_seconds(request):
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE.

    Every refused attempt restarts the cool-off, so the whole cool-off is the
    honest wait. The API's token endpoint answers in JSON like the rest of the
    API; a client that reads only the status sees 429, never a 400 that looks
    like a wrong password.
    """
    seconds = retry_after_seconds(request)
    message = "Too many login attempts: this account is locked for a while."
    if seconds:
        minutes = max(1, round(seconds / 60))
        message = f"Too many login attempts: try again in {minutes} minute{'s' * (minutes != 1)}."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after": seconds}, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
