"""The REST API's URLs, mounted at /api/. Each app registers its ViewSets here."""

from rest_framework.routers import DefaultRouter

app_name = "api"

router = DefaultRouter()

urlpatterns = router.urls
