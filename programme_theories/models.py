"""Frameworks that organise a review's theories, and the programme theories themselves."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from ichub.models import Review
from ichub.versioning import Versioned, VersionedRecord


class FrameworkManager(models.Manager):
    def get_by_natural_key(self, review_slug, name):
        return self.get(review__slug=review_slug, name=name)


class Framework(Versioned):
    """A structuring scheme: an organising framework, or a set of scoping themes.

    The ICS review structures its theories with "Doing Things Differently",
    while its Figure 2 groups the literature-scoping findings into themes; both
    are named lists of themes, so one model holds both, told apart by kind.
    """

    class Kind(models.TextChoices):
        ORGANISING = "organising", "Organising framework (substantive theory)"
        SCOPING_THEMES = "scoping_themes", "Literature-scoping themes"
        OTHER = "other", "Other framework"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="frameworks")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORGANISING)
    citation = models.TextField(blank=True)
    description = models.TextField(blank=True)
    source = models.ForeignKey(
        "evidence.SourceDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="frameworks",
        help_text="The source document the framework comes from, when the review holds it.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Where the editors placed it on the frameworks page.")

    history = HistoricalRecords()
    objects = FrameworkManager()

    class Meta:
        ordering = ["review", "order", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "name"], name="framework_unique_name"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.review.slug, self.name)

    natural_key.dependencies = ["ichub.review", "evidence.sourcedocument"]


class ThemeManager(models.Manager):
    def get_by_natural_key(self, review_slug, framework_name, name):
        return self.get(
            framework__review__slug=review_slug, framework__name=framework_name, name=name
        )


class Theme(Versioned):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    citations = models.TextField(blank=True, help_text="Sources the review cites for this theme")

    history = HistoricalRecords()
    objects = ThemeManager()

    class Meta:
        ordering = ["framework", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="theme_unique_name"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.framework.natural_key(), self.name)

    natural_key.dependencies = ["programme_theories.framework"]


class ProgrammeTheoryQuerySet(models.QuerySet):
    def for_review(self, review):
        return self.filter(review=review)

    def refined(self):
        return self.filter(stage=ProgrammeTheory.Stage.REFINED)


class ProgrammeTheoryManager(models.Manager.from_queryset(ProgrammeTheoryQuerySet)):
    def get_by_natural_key(self, review_slug, stage, name):
        return self.get(review__slug=review_slug, stage=stage, name=name)


class ProgrammeTheory(VersionedRecord):
    class Stage(models.TextChoices):
        INITIAL_ROUGH = "initial_rough", "Initial rough programme theory"
        INITIAL = "initial", "Initial programme theory"
        REFINED = "refined", "Refined programme theory"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="theories")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="theories"
    )
    name = models.CharField(max_length=300)
    statement = models.TextField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    revises = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revised_by"
    )
    notes = models.TextField(blank=True)
    objects = ProgrammeTheoryManager()

    class Meta(VersionedRecord.Meta):
        ordering = ["review", "stage", "theme__order", "name"]
        verbose_name_plural = "programme theories"
        constraints = [
            models.UniqueConstraint(
                fields=["review", "stage", "name"], name="theory_unique_name_per_stage"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="theory_version_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_stage_display()})"

    def natural_key(self):
        return (self.review.slug, self.stage, self.name)

    natural_key.dependencies = ["ichub.review", "programme_theories.theme"]

    def clean(self):
        """A theory's theme and predecessor must belong to the same review."""
        errors = {}
        if self.theme_id and self.theme.framework.review_id != self.review_id:
            errors["theme"] = "The theme belongs to another review's framework."
        if self.revises_id:
            if self.revises_id == self.pk:
                errors["revises"] = "A theory cannot revise itself."
            elif self.revises.review_id != self.review_id:
                errors["revises"] = "The revised theory belongs to another review."
        if errors:
            raise ValidationError(errors)
