from django.conf import settings


def signup(request):
    """Whether to offer "Create an account" in the header and on the login page."""
    return {"signup_open": settings.SIGNUP_OPEN}
