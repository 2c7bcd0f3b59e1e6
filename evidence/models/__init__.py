"""The evidence app's models: sources and their appraisal, and team screening.

Split in two modules; everything is re-exported so `from evidence.models import X` works.
"""

from .fulltexts import ExcerptAnchor, FullText, FullTextPage, ImportedCode
from .prioritisation import PrioritisationSettings, Ranking
from .screening import (
    DEFAULT_REQUIRED_REVIEWERS,
    ExclusionReason,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningStage,
    ScreeningStatus,
    SearchRecord,
    screening_status,
)
from .screening_state import (
    ScreeningPair,
    ScreeningPairCount,
    ScreeningReviewerSummary,
    ScreeningState,
    ScreeningSummary,
)
from .sources import (
    Appraisal,
    AppraisalDecision,
    Excerpt,
    ScreeningCount,
    SourceDocument,
    normalise_doi,
)

__all__ = [
    "DEFAULT_REQUIRED_REVIEWERS",
    "Appraisal",
    "AppraisalDecision",
    "Excerpt",
    "ExcerptAnchor",
    "ExclusionReason",
    "PrioritisationSettings",
    "Ranking",
    "FullText",
    "FullTextPage",
    "ImportedCode",
    "ScreeningCount",
    "ScreeningDecision",
    "ScreeningPair",
    "ScreeningPairCount",
    "ScreeningProtocol",
    "ScreeningResolution",
    "ScreeningReviewerSummary",
    "ScreeningStage",
    "ScreeningState",
    "ScreeningStatus",
    "ScreeningSummary",
    "SearchRecord",
    "SourceDocument",
    "normalise_doi",
    "screening_status",
]
