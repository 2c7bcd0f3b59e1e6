"""Read paths for team screening: where each source stands, the conflicts, a reviewer's queue.

Which sources stand where is counted in the database
(evidence.screening.tallies); only the sources a page shows are loaded, with
their current decisions and resolutions prefetched, so the cost is a fixed
number of queries whatever the number of sources.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from evidence.models import (
    Appraisal,
    PrioritisationSettings,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningStage,
    ScreeningStatus,
    SourceDocument,
)
from evidence.screening.tallies import conflict_keys, queue_counts

LIST_FIELDS = ("id", "review_id", "citation_key", "authors", "year", "title", "inclusion_status",
               "excluded_at_stage", "exclusion_reason")


def sources_with_screening(review, *, with_appraisals=False):
    """The review's sources with their current decisions and resolutions prefetched."""
    prefetches = [
        Prefetch(
            "screening_decisions",
            queryset=ScreeningDecision.objects.current().select_related(
                "reviewer", "exclusion_reason"
            ),
        ),
        Prefetch(
            "screening_resolutions",
            queryset=ScreeningResolution.objects.select_related("resolved_by", "exclusion_reason"),
        ),
    ]
    if with_appraisals:
        prefetches.append(
            Prefetch(
                "appraisals",
                queryset=Appraisal.objects.only(
                    "id", "source_id", "excerpt_id", "criterion", "judgement", "reviewer_id",
                    "reviewer_label", "note",
                ),
            )
        )
    return (
        SourceDocument.objects.filter(review=review)
        .only(*LIST_FIELDS)
        .order_by("id")
        .prefetch_related(*prefetches)
    )


def review_conflicts(review, *, stage=None, include_open=True, include_resolved=False,
                     limit=None, offset=0, user=None):
    """The review's open conflicts and/or resolved ones, stage by stage in source order.

    Which sources are in conflict is worked out in the database
    (evidence.screening.tallies); only the page asked for (`limit` items from
    `offset`, all when limit is None) is loaded with its decisions. Returns a
    list with `.total`, the number of items over all pages. Given a `user`,
    each item says whether that user may resolve it (`can_resolve`).
    """
    required = ScreeningProtocol.for_review(review).required_reviewers
    total, keys = conflict_keys(review, stage=stage, include_open=include_open,
                                include_resolved=include_resolved, limit=limit, offset=offset)
    sources = {
        source.pk: source
        for source in sources_with_screening(review).filter(pk__in={pk for pk, _ in keys})
    } if keys else {}
    for source in sources.values():
        source.review = review
    items = ConflictPage(sources[pk].screening_status(each_stage, required)
                         for pk, each_stage in keys)
    items.total = total
    if user is not None:
        role = review.role_of(user)
        for item in items:
            item.can_resolve = (item.state == ScreeningStatus.CONFLICT
                                and item.may_be_resolved_by(user, role=role))
    return items


class ConflictPage(list):
    """One page of conflicts; `total` counts them over all pages."""

    total = 0


@dataclass
class Queue:
    stage: str
    total: int
    left: int
    next_source: SourceDocument | None
    ranked: object = None  # prioritisation.services.RankedQueue when the review ranks its queue

    @property
    def label(self):
        return ScreeningStage(self.stage).label

    @property
    def percent_screened(self):
        return round(100 * (self.total - self.left) / self.total) if self.total else 0


def queue_for(review, stage, user):
    """The user's queue at a stage: how many sources it holds, how many are left, the next one.

    Title/abstract: every source not yet decided elsewhere (status pending),
    plus any already screened here. Full text: the sources that passed
    title/abstract screening, plus any already screened here. Counted in the
    database (evidence.screening.tallies), so the cost does not grow with the
    review. At title/abstract screening a review that prioritises offers the
    sources in the order of the user's last ranking
    (evidence.screening.prioritisation.services.first_ranked).
    """
    total, left, first = queue_counts(review, stage, user)
    ranked = None
    if stage == ScreeningStage.TITLE_ABSTRACT and PrioritisationSettings.for_review(review).enabled:
        from evidence.screening.prioritisation.services import first_ranked

        first, ranked = first_ranked(review, user, first)
    next_source = SourceDocument.objects.filter(pk=first).first() if first else None
    return Queue(stage, total, left, next_source, ranked)
