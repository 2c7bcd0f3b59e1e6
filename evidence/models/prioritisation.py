"""Screening prioritisation: a review's setting, and the log of every ranking trained and served.

A ranking belongs to one reviewer, because in dual screening each reviewer
may only learn from their own decisions and the settled or resolved ones:
a shared model would leak one reviewer's pending decisions into another's
queue order.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ichub.models import Review


class PrioritisationSettings(models.Model):
    """Whether a review ranks its title/abstract queue, and how. Reviews without a row: off."""

    class ExplorationMode(models.TextChoices):
        RANDOM = "random", "Random records"
        UNCERTAIN = "uncertain", "Records the model is least sure about"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="prioritisation")
    enabled = models.BooleanField(
        default=False, help_text="Offer likely-relevant records first at title/abstract screening."
    )
    exploration_percent = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(50)],
        help_text="Share of the queue (0-50%) offered by the exploration rule instead, so the "
                  "model does not only confirm what it already knows.",
    )
    exploration_mode = models.CharField(
        max_length=10, choices=ExplorationMode.choices, default=ExplorationMode.RANDOM
    )
    version = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Bumped by every change of the settings: the API's ETag (0: never set).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    last_simulation = models.JSONField(
        null=True, blank=True,
        help_text="The owners' last simulation on this review's settled decisions.",
    )

    history = HistoricalRecords(excluded_fields=["last_simulation"])

    class Meta:
        verbose_name_plural = "prioritisation settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(exploration_percent__lte=50), name="prioritisation_exploration_le_50"
            ),
        ]

    def __str__(self):
        return f"Prioritisation of {self.review}: {'on' if self.enabled else 'off'}"

    @classmethod
    def for_review(cls, review):
        """The review's settings, or an unsaved row with the defaults (off)."""
        return cls.objects.filter(review=review).first() or cls(review=review)


class RankingQuerySet(models.QuerySet):
    def latest_ready(self, review, reviewer):
        return (
            self.filter(review=review, reviewer=reviewer, status=Ranking.Status.READY)
            .order_by("-trained_at", "-id")
            .first()
        )


class Ranking(models.Model):
    """One ranking of a reviewer's title/abstract queue: what it was trained on, and its order.

    Rows are never changed once ready, except to stamp when the queue first
    served them, so the log says exactly which model ordered which queue.
    """

    class Status(models.TextChoices):
        TRAINING = "training", "Training"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="rankings")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRAINING)
    model = models.CharField(max_length=100, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    seed = models.IntegerField(default=0)
    trained_on = models.JSONField(
        default=list, blank=True, help_text="[source id, 1 include / 0 exclude] pairs."
    )
    n_included = models.PositiveIntegerField(default=0)
    n_excluded = models.PositiveIntegerField(default=0)
    order = models.JSONField(default=list, blank=True, help_text="Source ids, first offered first.")
    reasons = models.JSONField(
        default=dict, blank=True, help_text="For the top of the order: source id -> [term, weight]."
    )
    likely_relevant_unseen = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    first_served_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = RankingQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-requested_at", "-id"]
        indexes = [models.Index(fields=["review", "reviewer", "status"])]

    def __str__(self):
        return f"Ranking {self.pk} of {self.review} for {self.reviewer} ({self.status})"
