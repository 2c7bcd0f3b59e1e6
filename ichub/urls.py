from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.urls import member_urlpatterns
from ichub.health import healthz


class FaviconRedirect(RedirectView):
    """To the hashed static name, looked up per request: at import time the manifest of a
    production build may not exist yet (`manage.py check --deploy` runs before collectstatic)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


handler404 = "ichub.security.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", FaviconRedirect.as_view()),
    path("admin/", admin.site.urls),
    path("api/", include("ichub.api_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("reviews/<slug:slug>/members/", include(member_urlpatterns)),
    path("reviews/import/", include("reports.import_urls")),
    path("reviews/", include("ichub.review_urls")),
    path("", include("ichub.web_urls")),
    path("", include("ichub.jobs.urls")),
    path("reviews/<slug:slug>/sources/import/", include("evidence.importers.urls")),
    path("reviews/<slug:slug>/frameworks/", include("programme_theories.framework_urls")),
    path("reviews/<slug:slug>/cmocs/", include("cmocs.urls")),
    path("reviews/<slug:slug>/sources/", include("evidence.urls")),
    path("reviews/<slug:slug>/screening/", include("evidence.screening.urls")),
    path("reviews/<slug:slug>/", include("programme_theories.urls")),
    path("reviews/<slug:slug>/", include("reports.urls")),
]
