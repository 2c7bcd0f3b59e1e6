"""Jobs on the real database task backend, run by its real worker in this process."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ichub.jobs.models import Job
from ichub.jobs.runner import JobRun, JobSuperseded
from ichub.jobs.services import JobStateConflict, cancel_job, retry_job, start_job
from ichub.models import OperationalDefinition
from tests.jobs.tasks import define_elements

ELEMENTS = ["context", "mechanism", "outcome"]

pytestmark = pytest.mark.django_db

# .ci/run also runs this folder with REDIS_URL set (RQ); these look at the database queue.
database_queue = pytest.mark.skipif(
    settings.TASK_BACKEND != "database", reason="about the database task backend"
)


def _start(review, owner, **params):
    return start_job(
        task=define_elements, owner=owner, review=review, params={"elements": ELEMENTS, **params}
    )


@database_queue
def test_it_queues_the_task_in_the_database_with_the_job(review, owner):
    job = _start(review, owner)
    assert job.status == Job.Status.QUEUED and job.kind == "test.define"
    task_row = DBTaskResult.objects.get()
    assert task_row.args_kwargs["args"] == [job.pk, 1]
    job.refresh_from_db()
    assert job.task_id == str(task_row.id)


def test_it_runs_the_job_to_the_end_with_its_result(review, owner, run_worker):
    job = _start(review, owner)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result == {"defined": 3} and job.result_url == "/reviews/test-review/"
    assert "Defined outcome." in job.messages
    assert review.definitions.count() == 3
    assert define_elements.get_result(job.task_id).status == "SUCCESSFUL"  # the backend's view


def test_it_never_runs_a_job_cancelled_while_queued(review, owner, run_worker):
    job = cancel_job(job=_start(review, owner))
    assert job.status == Job.Status.CANCELLED
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.started_at is None
    assert not review.definitions.exists()


def test_it_stops_a_running_job_at_its_next_report_and_keeps_nothing(review, owner, run_worker):
    job = _start(review, owner, cancel_at=1)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.progress_done == 2  # stopped at the report after the second element
    assert "Defined outcome." not in job.messages
    assert not review.definitions.exists()  # the job's transaction was rolled back


def test_it_fails_with_the_message_and_keeps_nothing(review, owner, run_worker):
    job = _start(review, owner, fail_at=1)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "The file has no mechanism."
    assert not review.definitions.exists()


def test_it_fails_on_an_unexpected_error_without_leaking_it(review, owner, run_worker):
    job = _start(review, owner, crash_at=0)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The job stopped on an unexpected error (RuntimeError)."
    task = define_elements.get_result(job.task_id)  # the backend keeps the traceback
    assert task.status == "FAILED" and "boom" in task.errors[-1].traceback


def test_it_retries_a_failed_job_without_duplicating_rows(review, owner, run_worker):
    job = _start(review, owner, fail_at=2)
    run_worker()
    Job.objects.filter(pk=job.pk).update(params={"elements": ELEMENTS})
    job = retry_job(job=Job.objects.get(pk=job.pk))
    assert job.attempts == 2 and job.status == Job.Status.QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.error == ""
    assert OperationalDefinition.objects.filter(review=review).count() == 3
    assert "Retried (attempt 2)." in job.messages


def test_it_retries_a_job_whose_worker_died_and_fences_off_the_dead_attempt(
    review, owner, run_worker, settings
):
    job = _start(review, owner)
    # The worker claimed it, then died: the job says running and nothing moves.
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    DBTaskResult.objects.update(status="RUNNING")
    dead = Job.objects.get(pk=job.pk)
    assert dead.is_stale and dead.can_retry
    job = retry_job(job=dead)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert review.definitions.count() == 3
    # Were the first attempt only slow, its next report finds no row of its own and it stops.
    with pytest.raises(JobSuperseded):
        JobRun(dead, attempt=1).say("still here")
    job.refresh_from_db()
    assert "still here" not in job.messages


def test_it_refuses_to_retry_a_live_job_or_cancel_a_finished_one(review, owner, run_worker):
    job = _start(review, owner)
    with pytest.raises(JobStateConflict):
        retry_job(job=job)
    run_worker()
    with pytest.raises(JobStateConflict):
        cancel_job(job=Job.objects.get(pk=job.pk))
    with pytest.raises(JobStateConflict):
        retry_job(job=Job.objects.get(pk=job.pk))


def test_it_runs_inline_on_the_immediate_backend(
    review, owner, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(review, owner)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and review.definitions.count() == 3


def test_it_writes_progress_at_most_once_an_interval(
    review, owner, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("ichub.jobs.runner.PROGRESS_INTERVAL", 3600)
    job = _start(review, owner)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    run = JobRun(Job.objects.get(pk=job.pk), attempt=1)
    run.set_total(1000)  # forced: writes, and arms the interval
    with django_assert_num_queries(0):
        for _ in range(1000):
            run.advance(1)
    assert Job.objects.get(pk=job.pk).progress_done == 0


@database_queue
def test_it_runs_queued_jobs_with_the_worker_command(review, owner, monkeypatch):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    job = _start(review, owner)
    call_command("worker", burst=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_it_says_the_immediate_backend_needs_no_worker(settings):
    settings.TASK_BACKEND = "immediate"
    with pytest.raises(CommandError, match="no worker needed"):
        call_command("worker", burst=True)
