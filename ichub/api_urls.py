"""The REST API's URLs, mounted at /api/. Each app registers its ViewSets here.

To add endpoints: `router.register(...)` below, or append to `urlpatterns`.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from cmocs.api import (
    CMOCViewSet,
    ContextViewSet,
    EvidenceLinkViewSet,
    MechanismViewSet,
    OutcomeViewSet,
)
from evidence.api import ExcerptViewSet, SourceViewSet
from evidence.screening_api import (
    AgreementView,
    AppraisalViewSet,
    ConflictsView,
    ScreeningDecisionViewSet,
)
from ichub.api import ReviewViewSet
from programme_theories.api import ProgrammeTheoryViewSet

app_name = "api"

router = DefaultRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("theories", ProgrammeTheoryViewSet, basename="theory")
router.register("cmocs", CMOCViewSet, basename="cmoc")
router.register("contexts", ContextViewSet, basename="context")
router.register("mechanisms", MechanismViewSet, basename="mechanism")
router.register("outcomes", OutcomeViewSet, basename="outcome")
router.register("sources", SourceViewSet, basename="source")
router.register("excerpts", ExcerptViewSet, basename="excerpt")
router.register("evidence-links", EvidenceLinkViewSet, basename="evidencelink")
router.register(
    "screening-decisions", ScreeningDecisionViewSet, basename="screeningdecision"
)
router.register("appraisals", AppraisalViewSet, basename="appraisal")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("reviews/<slug:slug>/conflicts/", ConflictsView.as_view(), name="review-conflicts"),
    path("reviews/<slug:slug>/agreement/", AgreementView.as_view(), name="review-agreement"),
    *router.urls,
]
