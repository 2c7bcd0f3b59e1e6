"""Read paths for team screening: where each source stands, the conflicts, a reviewer's queue.

Each loads the review's sources once with their current decisions and
resolutions prefetched, so the cost is a fixed number of queries whatever
the number of sources.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from evidence.models import (
    Appraisal,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningStage,
    ScreeningStatus,
    SourceDocument,
)

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


def statuses(review, stage, sources=None):
    """(source, ScreeningStatus) for every source of the review at one stage."""
    required = ScreeningProtocol.for_review(review).required_reviewers
    return [
        source.screening_status(stage, required)
        for source in (sources if sources is not None else sources_with_screening(review))
    ]


def review_conflicts(review, *, stage=None, include_resolved=False):
    """The review's conflicts (and, if asked, the resolved ones), in source order."""
    wanted = {ScreeningStatus.CONFLICT}
    if include_resolved:
        wanted.add(ScreeningStatus.RESOLVED)
    sources = list(sources_with_screening(review))
    stages = [stage] if stage else ScreeningStage.values
    return [
        status
        for each_stage in stages
        for status in statuses(review, each_stage, sources)
        if status.state in wanted
        and (status.state == ScreeningStatus.CONFLICT or status.decisions)
    ]


def _is_candidate(source, stage, statuses_by_stage):
    """Which sources a stage's queue holds.

    Title/abstract: every source not yet decided elsewhere (status pending),
    plus any already screened here. Full text: the sources that passed
    title/abstract screening, plus any already screened here.
    """
    own = statuses_by_stage[stage]
    if own.decisions or own.resolution:
        return True
    if stage == ScreeningStage.TITLE_ABSTRACT:
        return source.inclusion_status == SourceDocument.Inclusion.PENDING
    previous = statuses_by_stage[ScreeningStage.TITLE_ABSTRACT]
    return previous.is_final and previous.decision == ScreeningDecision.Decision.INCLUDE


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

    At title/abstract screening a review that prioritises offers the sources
    in the order of the user's last ranking (evidence.screening.prioritisation).
    """
    required = ScreeningProtocol.for_review(review).required_reviewers
    total, waiting = 0, []
    for source in sources_with_screening(review):
        by_stage = {s: source.screening_status(s, required) for s in ScreeningStage.values}
        if not _is_candidate(source, stage, by_stage):
            continue
        total += 1
        status = by_stage[stage]
        if status.state == ScreeningStatus.AWAITING and not status.decided_by(user):
            waiting.append(source.pk)
    ranked = None
    if stage == ScreeningStage.TITLE_ABSTRACT:
        from evidence.screening.prioritisation.services import rank_waiting

        waiting, ranked = rank_waiting(review, user, waiting)
    next_source = SourceDocument.objects.filter(pk=waiting[0]).first() if waiting else None
    return Queue(stage, total, len(waiting), next_source, ranked)
