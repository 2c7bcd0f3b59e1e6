"""Where each source stands at each screening stage, kept by the services (a derived cache).

The review-wide pages (flow, conflicts, overview, queues, dashboard, report)
count sources by state. Settling every source from its decisions on each
request costs time in proportion to the review (seconds at 100,000 sources),
so the screening services keep one row per screened (source, stage) instead,
in the same transaction as the decision, undo, resolution or import that
changed it (evidence.screening.states), and the pages count these rows
through an index.

A row is derived: it holds nothing that the decisions and the resolution do
not already say, and evidence.screening.states.refresh_states rebuilds it
from them at any time. So it is not kept in history (django-simple-history):
the decisions themselves are never overwritten (a change of mind supersedes
the old row) and are the record of who decided what, and when.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ichub.models import Review

from .screening import ScreeningResolution, ScreeningStage
from .sources import SourceDocument


class ScreeningState(models.Model):
    """One screened source at one stage: its current votes and the state they settle it in."""

    class State(models.TextChoices):
        AWAITING = "awaiting", "Awaiting decisions"
        INCLUDE = "include", "Included"
        EXCLUDE = "exclude", "Excluded"
        CONFLICT = "conflict", "Conflict"

    # The review is the source's, repeated so a review's states are counted through one index.
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="screening_states"
    )
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    decisions = models.PositiveIntegerField(help_text="Current decisions.")
    includes = models.PositiveIntegerField()
    excludes = models.PositiveIntegerField()
    resolution = models.CharField(
        max_length=10, blank=True, choices=ScreeningResolution.Decision.choices
    )
    state = models.CharField(max_length=10, choices=State.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "stage"], name="screening_state_unique"),
            models.CheckConstraint(
                condition=Q(includes__lte=F("decisions") - F("excludes")),
                name="screening_state_votes_add_up",
            ),
            # A row exists only for a stage somebody screened or resolved.
            models.CheckConstraint(
                condition=Q(decisions__gt=0) | ~Q(resolution=""),
                name="screening_state_screened",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["awaiting", "include", "exclude", "conflict"]),
                name="screening_state_known",
            ),
            # A resolution settles the stage its way, whatever the votes.
            models.CheckConstraint(
                condition=Q(resolution="") | Q(state=F("resolution")),
                name="screening_state_follows_resolution",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=ScreeningStage.values), name="screening_state_stage"
            ),
        ]
        indexes = [
            models.Index(fields=["review", "stage", "state", "source"],
                         name="screening_state_by_review"),
            # The resolved conflicts still showing their decisions, in source order.
            models.Index(fields=["review", "stage", "source", "decisions"],
                         condition=~Q(resolution=""), name="screening_state_resolved"),
        ]

    def __str__(self):
        return f"{self.source} ({self.stage}): {self.state}"


class ScreeningPair(models.Model):
    """Two reviewers' blind (first) decisions on one source at one stage: one agreement item.

    Derived like ScreeningState and kept by the same refresh
    (evidence.screening.states), so inter-reviewer agreement counts these rows
    through an index instead of pairing every decision of the review per
    request. A reviewer's blind decision is their latest decision that revises
    nothing (see evidence.screening.agreement). Not in history, for the same
    reason as ScreeningState: the decisions are the record.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    # The pair in a fixed order (first reviewer's id is the lower), with their labels.
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    first_label = models.CharField(max_length=10)
    second_label = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "stage", "first_reviewer", "second_reviewer"],
                                    name="screening_pair_unique"),
            models.CheckConstraint(condition=Q(first_reviewer__lt=F("second_reviewer")),
                                   name="screening_pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["review", "stage", "first_reviewer", "second_reviewer",
                                 "first_label", "second_label"], name="screening_pair_by_review"),
        ]

    def __str__(self):
        return f"{self.source} ({self.stage}): {self.first_label} / {self.second_label}"


class ScreeningSummary(models.Model):
    """A review's screening counts at one stage, the numbers the review-wide pages show.

    Derived from the review's ScreeningState rows and kept by the same
    refresh (evidence.screening.states), in the same transaction, by adding
    the change of the refreshed sources' counts: a page then reads one row
    instead of counting ~160,000 state rows per request at 100,000 sources.
    Not in history, for the same reason as ScreeningState.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    screened = models.PositiveIntegerField(default=0, help_text="Sources with a state here.")
    awaiting = models.PositiveIntegerField(default=0)
    included = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0, help_text="Open conflicts.")
    resolved = models.PositiveIntegerField(
        default=0, help_text="Resolved sources that still have decisions to show.")
    unscreened = models.PositiveIntegerField(
        default=0,
        help_text="Full text only: sources title/abstract screening included, not screened here "
                  "yet. (Title/abstract candidates are pending sources, counted from them.)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "stage"], name="screening_summary_unique"),
            # Every screened source is in exactly one state.
            models.CheckConstraint(
                condition=Q(screened=F("awaiting") + F("included") + F("excluded")
                            + F("conflicts")),
                name="screening_summary_adds_up",
            ),
            models.CheckConstraint(condition=Q(resolved__lte=F("screened")),
                                   name="screening_summary_resolved_screened"),
            models.CheckConstraint(
                condition=Q(stage__in=ScreeningStage.values), name="screening_summary_stage"
            ),
        ]

    def __str__(self):
        return f"{self.review} ({self.stage}): {self.screened} screened"


class ScreeningReviewerSummary(models.Model):
    """How many of a review's awaiting sources at a stage one reviewer has already decided.

    A reviewer's queue holds the awaiting sources they have not decided yet;
    with this count kept (like ScreeningSummary, by the states' refresh) the
    queue page reads it instead of checking every awaiting source's decisions.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    awaiting_decided = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "stage", "reviewer"],
                                    name="screening_reviewer_summary_unique"),
        ]

    def __str__(self):
        return f"{self.review} ({self.stage}), {self.reviewer}: {self.awaiting_decided}"


class ScreeningPairCount(models.Model):
    """How many items two reviewers labelled so at a stage: one cell of their agreement table.

    The ScreeningPair rows counted by (stage, reviewers, labels), kept by the
    states' refresh like ScreeningSummary, so the agreement (kappa) reads a
    few rows per reviewer pair instead of grouping every pair of the review.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    first_label = models.CharField(max_length=10)
    second_label = models.CharField(max_length=10)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "stage", "first_reviewer", "second_reviewer", "first_label",
                        "second_label"], name="screening_pair_count_unique"),
            models.CheckConstraint(condition=Q(first_reviewer__lt=F("second_reviewer")),
                                   name="screening_pair_count_ordered"),
        ]

    def __str__(self):
        return f"{self.review} ({self.stage}): {self.first_label}/{self.second_label} {self.items}"
