"""The REST API's URLs, mounted at /api/. Each app registers its ViewSets here.

To add endpoints: `router.register(...)` below, or append to `urlpatterns`.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainTokenView
from cmocs.api import (
    CMOCViewSet,
    ContextViewSet,
    EvidenceLinkViewSet,
    MechanismViewSet,
    OutcomeViewSet,
)
from evidence.api import ExcerptViewSet, SourceViewSet
from evidence.fulltexts.api import (
    AnchoredExcerptView,
    FullTextPagesView,
    FullTextView,
    QdaImportView,
)
from evidence.importers.api import SourceImportView
from evidence.screening.api import (
    AgreementView,
    AppraisalViewSet,
    ConflictsView,
    ExclusionReasonViewSet,
    ScreeningDecisionViewSet,
)
from evidence.screening.prioritisation.api import (
    PrioritisationHistoryView,
    PrioritisationView,
    RankingDetailView,
    RankingListView,
    RankingRetrainView,
)
from ichub.api import ReviewViewSet
from ichub.jobs.api import JobViewSet, ReviewJobListView
from programme_theories.api import ProgrammeTheoryViewSet
from reports.api import (
    ReviewArchiveExportView,
    ReviewDownloadView,
    ReviewExportView,
    ReviewImportView,
)
from reports.statements_api import (
    MethodStatementViewSet,
    NotApplicableItemViewSet,
    QualityRatingViewSet,
)

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
router.register("jobs", JobViewSet, basename="job")
router.register("exclusion-reasons", ExclusionReasonViewSet, basename="exclusionreason")
router.register("method-statements", MethodStatementViewSet, basename="methodstatement")
router.register("quality-ratings", QualityRatingViewSet, basename="qualityrating")
router.register("checklist-not-applicable", NotApplicableItemViewSet,
                basename="notapplicableitem")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP forbids inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Import and export before the router, so "import" is not read as an id or a slug.
    path("sources/import/", SourceImportView.as_view(), name="source-import"),
    path("sources/<int:pk>/full-text/", FullTextView.as_view(), name="source-full-text"),
    path("sources/<int:pk>/full-text/pages/", FullTextPagesView.as_view(),
         name="source-full-text-pages"),
    path("sources/<int:pk>/full-text/excerpts/", AnchoredExcerptView.as_view(),
         name="source-full-text-excerpts"),
    path("reviews/import/", ReviewImportView.as_view(), name="review-import"),
    path("reviews/<slug:slug>/qda-import/", QdaImportView.as_view(), name="review-qda-import"),
    path("reviews/<slug:slug>/export/", ReviewExportView.as_view(), name="review-export"),
    path("reviews/<slug:slug>/export/archive/", ReviewArchiveExportView.as_view(),
         name="review-export-archive"),
    path(
        "reviews/<slug:slug>/downloads/<str:name>",
        ReviewDownloadView.as_view(),
        name="review-download",
    ),
    path("reviews/<slug:slug>/conflicts/", ConflictsView.as_view(), name="review-conflicts"),
    path("reviews/<slug:slug>/jobs/", ReviewJobListView.as_view(), name="review-jobs"),
    path("reviews/<slug:slug>/agreement/", AgreementView.as_view(), name="review-agreement"),
    path("reviews/<slug:slug>/prioritisation/", PrioritisationView.as_view(),
         name="review-prioritisation"),
    path("reviews/<slug:slug>/prioritisation/history/", PrioritisationHistoryView.as_view(),
         name="review-prioritisation-history"),
    path("reviews/<slug:slug>/rankings/", RankingListView.as_view(), name="review-rankings"),
    path("reviews/<slug:slug>/rankings/<int:pk>/", RankingDetailView.as_view(),
         name="review-ranking"),
    path("reviews/<slug:slug>/rankings/retrain/", RankingRetrainView.as_view(),
         name="review-rankings-retrain"),
    *router.urls,
]
