"""A job: one piece of long work a person started, as they and their co-reviewers see it.

The task backend (database or RQ) knows how to run a function; it does not
know who asked, for which review, how far it got or whether someone asked it
to stop. A `Job` row holds that, in the app's own database, so it survives an
app or worker restart and reads the same from every app server.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ichub.jobs import live
from ichub.models import Review
from ichub.permissions import EDITOR, has_role

# Messages kept per job: enough to explain what happened, bounded whatever the job's size.
MAX_MESSAGES = 50


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs the user started, and jobs on reviews they are a member of (staff see all).

        A job can carry a private review's file names and errors, so a public
        review's readers who are not members do not see its jobs.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(Q(owner=user) | Q(review__memberships__user=user)).distinct()


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="jobs", help_text="Who started it (blank for a command-line run).",
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs",
        help_text="The review it works on (a whole-review import sets it once created).",
    )
    kind = models.CharField(max_length=64, help_text="What it does, e.g. review.import.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True, help_text="The task's inputs.")
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    messages = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="The task's report.")
    result_url = models.CharField(max_length=500, blank=True)
    result_file = models.CharField(
        max_length=300, blank=True,
        help_text="Storage name of the file the job made (an export), served to its owner.",
    )
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    task_id = models.CharField(
        max_length=64, blank=True, help_text="The task backend's id for the latest attempt."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["review", "-created_at"], name="job_review_recent")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @classmethod
    def from_db(cls, db, field_names, values):
        """A running job read on SQLite shows the progress its worker reported last.

        Inside the job's one transaction its worker cannot commit progress to
        this row (SQLite has one writer), so it reports to a file instead
        (`ichub.jobs.live`); every read of the job, by the API, its page or a
        retry deciding whether it is stale, lays that report over the row.
        """
        job = super().from_db(db, field_names, values)
        needed = {"status", "attempts", "created_at"}
        if (needed.isdisjoint(job.get_deferred_fields()) and job.status == cls.Status.RUNNING
                and live.applies(db)):
            report = live.read(job.pk, job.attempts, job.created_at)
            for name, value in (report or {}).items():
                if name not in job.get_deferred_fields():
                    setattr(job, name, value)
        return job

    @property
    def is_finished(self):
        return self.status not in self.ACTIVE

    @property
    def is_stale(self):
        """Running, but silent for longer than JOB_STALE_SECONDS: its worker has died.

        A worker killed mid-task cannot mark its job failed, so without this
        the job would look busy forever and could never be retried.
        """
        if self.status != self.Status.RUNNING:
            return False
        last_sign = self.heartbeat_at or self.started_at or self.created_at
        return timezone.now() - last_sign > timedelta(seconds=settings.JOB_STALE_SECONDS)

    @property
    def can_retry(self):
        """Failed, cancelled or dead jobs run again; a live or finished one never twice."""
        return self.status in (self.Status.FAILED, self.Status.CANCELLED) or self.is_stale

    @property
    def can_cancel(self):
        return not self.is_finished

    def can_control(self, user):
        """Who may cancel or retry: whoever started it, and the review's editors and owners.

        Viewers see a review's jobs but could not have started them, so they
        may not stop or re-run them either.
        """
        if user is None or not user.is_authenticated:
            return False
        if user.is_staff or (self.owner_id is not None and self.owner_id == user.pk):
            return True
        return self.review is not None and has_role(user, self.review, EDITOR)

    def can_download(self, user):
        """Only whoever started the job gets its file (and staff).

        An export holds what its reader may see of *other* reviews, which a
        co-reviewer who sees the job may not: they start their own.
        """
        if user is None or not user.is_authenticated or not self.result_file:
            return False
        return user.is_staff or (self.owner_id is not None and self.owner_id == user.pk)

    @property
    def percent(self):
        if not self.progress_total:
            return 100 if self.status == self.Status.SUCCEEDED else None
        return min(100, int(100 * self.progress_done / self.progress_total))
