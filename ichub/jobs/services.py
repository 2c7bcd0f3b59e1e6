"""Start, cancel and retry jobs: the only writes to a job from outside its task."""

from django.db import transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from ichub.jobs import live
from ichub.jobs.models import Job
from ichub.jobs.runner import KINDS, TASKS_BY_KIND


class JobStateConflict(Exception):
    """The job is not in a state that allows this (cancel a finished job, retry a live one)."""


@transaction.atomic
def start_job(*, task, owner=None, review=None, params=None):
    """Create the job for `task` (a `@job_task`) and enqueue its first attempt."""
    job = Job.objects.create(
        kind=KINDS[task.module_path], owner=owner, review=review, params=params or {},
        attempts=1,
    )
    _enqueue(task, job)
    return job


@transaction.atomic
def cancel_job(*, job):
    """Stop a job: a queued one at once, a running one at its next progress report.

    A running job whose worker died cannot hear the request, so it is
    cancelled at once too (and may then be retried). On SQLite a live job
    hears it through a marker file (`live.request_cancel`), not its row.
    """
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        raise JobStateConflict(f"The job has already {job.status}.")
    if job.status == Job.Status.RUNNING and not job.is_stale and live.applies():
        # SQLite: a live job may hold the one write lock until its transaction ends,
        # so writing cancel_requested would wait for the very job it means to stop.
        live.request_cancel(job)
        return job
    if job.status == Job.Status.QUEUED or job.is_stale:
        job.status = Job.Status.CANCELLED
        job.finished_at = timezone.now()
        job.messages = [*job.messages, "Cancelled."]
    job.cancel_requested = True
    job.save()
    return job


@transaction.atomic
def retry_job(*, job):
    """Run a failed, cancelled or dead job again as a new attempt.

    The new attempt number fences off the old one: if its worker was only
    slow, not dead, its next write finds no row and it stops (runner).
    """
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not job.can_retry:
        raise JobStateConflict(f"A {job.status} job cannot be retried.")
    live.clear(job.pk, job.attempts, job.created_at)  # a dead attempt's last report (SQLite)
    job.attempts += 1
    job.status = Job.Status.QUEUED
    job.cancel_requested = False
    job.error = ""
    job.progress_done = 0
    job.started_at = job.finished_at = job.heartbeat_at = None
    job.messages = [*job.messages, f"Retried (attempt {job.attempts})."]
    job.save()
    _enqueue(TASKS_BY_KIND[job.kind], job)
    return job


def _enqueue(task, job):
    """Hand the attempt to the task backend once the job row is committed.

    The database backend stores the task in the same transaction as the job
    (both or neither); any other backend (RQ) could start the task before the
    commit and find no job, so it is enqueued on commit.
    """
    attempt = job.attempts

    def enqueue():
        result = task.enqueue(job.pk, attempt)
        Job.objects.filter(pk=job.pk, attempts=attempt).update(task_id=str(result.id))

    if isinstance(task.get_backend(), DatabaseBackend):
        enqueue()
    else:
        transaction.on_commit(enqueue)
