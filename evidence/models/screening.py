"""Team screening: each reviewer's decisions, how conflicts were resolved, the review's rules.

A source is settled at a stage when the required number of reviewers agree;
otherwise it is a conflict that an owner or a third reviewer resolves. Every
decision is kept: a change of mind supersedes the old row instead of
overwriting it, so who decided what, and when, is never lost.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ichub.models import Membership, Review
from ichub.permissions import EDITOR, OWNER, role_at_least

from .sources import SourceDocument

DEFAULT_REQUIRED_REVIEWERS = 2


class ScreeningStage(models.TextChoices):
    """The two screening passes; values match SourceDocument.Stage so exclusions line up."""

    TITLE_ABSTRACT = "title_abstract", "Title and abstract screening"
    FULL_TEXT = "full_text", "Full-text screening"


class ScreeningProtocol(models.Model):
    """A review's screening rules. Reviews without a row use the defaults."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="screening_protocol"
    )
    required_reviewers = models.PositiveSmallIntegerField(
        default=DEFAULT_REQUIRED_REVIEWERS,
        validators=[MinValueValidator(1)],
        help_text="How many reviewers must agree before a source is settled at a stage.",
    )
    keywords = models.TextField(
        blank=True, help_text="Words highlighted in abstracts, comma- or line-separated."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(required_reviewers__gte=1), name="protocol_at_least_one_reviewer"
            ),
        ]

    def __str__(self):
        return f"Screening protocol of {self.review}"

    @classmethod
    def for_review(cls, review):
        """The review's protocol, or an unsaved one with the defaults."""
        return cls.objects.filter(review=review).first() or cls(review=review)

    def keyword_list(self):
        return [word.strip() for word in re.split(r"[,\n]", self.keywords) if word.strip()]


class ExclusionReasonManager(models.Manager):
    def get_by_natural_key(self, review_slug, label):
        return self.get(review__slug=review_slug, label=label)


class ExclusionReason(models.Model):
    """One of the review's own reasons for excluding a source (e.g. 'not about ICS leaders')."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exclusion_reasons")
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ExclusionReasonManager()

    class Meta:
        ordering = ["review", "order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["review", "label"], name="exclusion_reason_unique"),
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.review.slug, self.label)

    natural_key.dependencies = ["ichub.review"]


class SearchRecordManager(models.Manager):
    def get_by_natural_key(self, review_slug, label):
        return self.get(review__slug=review_slug, label=label)


class SearchRecord(models.Model):
    """One search that fed records into the review, kept as a count.

    Realist searching is not one linear pass: after the main database search,
    reviewers search again iteratively and purposively as the theories
    develop, so the flow shows each inflow separately.
    """

    class Kind(models.TextChoices):
        DATABASE = "database", "Database search"
        ITERATIVE = "iterative", "Iterative search"
        PURPOSIVE = "purposive", "Purposive search"
        CITATION = "citation", "Citation tracking"
        OTHER = "other", "Other source"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="search_records")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DATABASE)
    label = models.CharField(max_length=200, help_text="e.g. 'HMIC, MEDLINE, Scopus'")
    searched_on = models.DateField(null=True, blank=True)
    records_found = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = SearchRecordManager()

    class Meta:
        ordering = ["review", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "label"], name="search_record_unique_label"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    def natural_key(self):
        return (self.review.slug, self.label)

    natural_key.dependencies = ["ichub.review"]


class ScreeningDecisionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def visible_to(self, user):
        """Decisions this user may see, blinded.

        A reviewer sees others' decisions on a source at a stage only once
        they have decided it themselves, or once the required number of
        reviewers have (then it is settled or a conflict, and resolving a
        conflict means reading it). Owners and staff see everything: they
        run the screening and resolve conflicts.
        """
        if user.is_authenticated and user.is_staff:
            return self
        same_item = {"source": OuterRef("source"), "stage": OuterRef("stage"), "is_current": True}
        current_count = (
            ScreeningDecision.objects.filter(**same_item)
            .order_by()
            .values("source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        required = ScreeningProtocol.objects.filter(review=OuterRef("source__review")).values(
            "required_reviewers"
        )
        complete = Q(_n_current__gte=F("_required"))
        queryset = self.annotate(
            _n_current=Coalesce(Subquery(current_count), 0),
            _required=Coalesce(Subquery(required), DEFAULT_REQUIRED_REVIEWERS),
        )
        if not user.is_authenticated:
            return queryset.filter(complete)
        owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values("review")
        decided_myself = Exists(ScreeningDecision.objects.filter(reviewer=user, **same_item))
        return queryset.filter(
            Q(reviewer=user) | Q(source__review__in=owned) | decided_myself | complete
        )


class ScreeningDecision(models.Model):
    """One reviewer's include / exclude / maybe on one source at one screening stage."""

    class Decision(models.TextChoices):
        INCLUDE = "include", "Include"
        EXCLUDE = "exclude", "Exclude"
        MAYBE = "maybe", "Maybe"

    Stage = ScreeningStage

    source = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="screening_decisions"
    )
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screening_decisions"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    exclusion_reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    note = models.TextField(blank=True)
    is_current = models.BooleanField(
        default=True, help_text="False once the reviewer changed their mind (see superseded_by)."
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="superseded_by"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = ScreeningDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["source", "stage", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "stage", "reviewer"],
                condition=Q(is_current=True),
                name="screening_one_current_decision_per_reviewer",
                violation_error_message="This reviewer has already decided this source here.",
            ),
            models.CheckConstraint(
                condition=Q(decision="exclude") | Q(exclusion_reason__isnull=True),
                name="screening_reason_only_when_excluding",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "is_current", "source"]),
            # A reviewer's current decisions by time: undo takes the latest, and the
            # ranked queue counts those since the last include, without reading them all.
            models.Index(fields=["reviewer", "stage", "decided_at", "id"],
                         condition=Q(is_current=True), name="screening_decision_latest"),
        ]

    def __str__(self):
        return f"{self.reviewer}: {self.get_decision_display()} {self.source} ({self.stage})"


class ScreeningResolution(models.Model):
    """How a conflict at one stage was settled, by whom and why (the note is required)."""

    class Decision(models.TextChoices):
        INCLUDE = "include", "Include"
        EXCLUDE = "exclude", "Exclude"

    source = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="screening_resolutions"
    )
    stage = models.CharField(max_length=20, choices=ScreeningStage.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    exclusion_reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    note = models.TextField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "stage"],
                name="screening_one_resolution_per_stage",
                violation_error_message="This conflict has already been resolved.",
            ),
            models.CheckConstraint(condition=~Q(note=""), name="screening_resolution_has_note"),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} {self.source} ({self.stage}), resolved"


_LOOK_UP = object()  # may_be_resolved_by: read the user's role from the database


@dataclass
class ScreeningStatus:
    """Where one source stands at one stage, from its current decisions."""

    state: str  # awaiting | settled | conflict | resolved
    decision: str = ""  # include | exclude once settled or resolved
    decisions: list = field(default_factory=list)
    resolution: ScreeningResolution | None = None
    required: int = DEFAULT_REQUIRED_REVIEWERS
    source: SourceDocument | None = None
    stage: str = ""

    AWAITING = "awaiting"
    SETTLED = "settled"
    CONFLICT = "conflict"
    RESOLVED = "resolved"

    @property
    def is_final(self):
        return self.state in (self.SETTLED, self.RESOLVED)

    def decided_by(self, user):
        return any(d.reviewer_id == user.pk for d in self.decisions)

    def may_be_resolved_by(self, user, *, role=_LOOK_UP):
        """Owners resolve any conflict; other editors only conflicts they took no part in.

        A party to a disagreement resolving it alone would just be outvoting the
        other reviewer, so the tie-break must come from someone else. `role` is
        the user's role in the review when the caller has read it already (a
        page of conflicts reads it once, not once a conflict).
        """
        if role is _LOOK_UP:
            role = self.source.review.role_of(user)
        if role_at_least(role, OWNER):
            return True
        return role_at_least(role, EDITOR) and not self.decided_by(user)


def screening_status(decisions, required, resolution=None):
    """Settle one source at one stage from its current decisions.

    Agreement of the required number of reviewers on include or exclude
    settles it; any disagreement, or agreement only on 'maybe', is a
    conflict that someone must resolve. A resolution overrides both.
    """
    decisions = list(decisions)
    if resolution is not None:
        return ScreeningStatus(
            ScreeningStatus.RESOLVED, resolution.decision, decisions, resolution, required
        )
    if len(decisions) < required:
        return ScreeningStatus(ScreeningStatus.AWAITING, "", decisions, None, required)
    verdicts = {d.decision for d in decisions}
    if len(verdicts) == 1 and verdicts != {ScreeningDecision.Decision.MAYBE}:
        return ScreeningStatus(ScreeningStatus.SETTLED, verdicts.pop(), decisions, None, required)
    return ScreeningStatus(ScreeningStatus.CONFLICT, "", decisions, None, required)
