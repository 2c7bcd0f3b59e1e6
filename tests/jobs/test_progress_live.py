"""A poller sees a job's progress through the API while the job's transaction is open.

On PostgreSQL progress is committed on a second connection; on SQLite, which
has one writer, it goes to a file the job's readers lay over the row
(ichub.jobs.live). Either way the API answers at once, with throttling on:
on SQLite the poll is counted off the database, whose write lock the job holds.
A cancel gets through the same way.
"""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import APIToken
from ichub.jobs.models import Job
from ichub.jobs.services import start_job
from tests.jobs import tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_progress_through_the_api_while_the_job_is_in_its_transaction(
    review, owner, run_worker, monkeypatch
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {"user": "1000/minute", "anon": "1000/minute"})
    _, token = APIToken.issue(user=owner, name="poller")
    tasks.SEEN_BY_API.clear()
    job = start_job(task=tasks.define_elements, owner=owner, review=review,
                    params={"elements": ["context", "mechanism", "outcome"], "probe_api": token})
    run_worker()

    assert [seen["inside_the_transaction"] for seen in tasks.SEEN_BY_API] == [True] * 3
    assert [(seen["status_code"], seen["status"]) for seen in tasks.SEEN_BY_API] == [
        (200, "running")] * 3
    assert [seen["progress"]["done"] for seen in tasks.SEEN_BY_API] == [1, 2, 3]
    assert {seen["progress"]["total"] for seen in tasks.SEEN_BY_API} == {3}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.progress_done == 3
    assert review.definitions.count() == 3


def test_it_cancels_a_job_through_the_api_while_it_is_in_its_transaction(
    review, owner, run_worker, monkeypatch
):
    """On SQLite the cancel cannot write the job's row while the job holds the write
    lock; it leaves a marker the worker finds at its next report (ichub.jobs.live)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {"user": "1000/minute", "anon": "1000/minute"})
    _, token = APIToken.issue(user=owner, name="canceller")
    tasks.SEEN_BY_API.clear()
    job = start_job(task=tasks.define_elements, owner=owner, review=review,
                    params={"elements": ["context", "mechanism", "outcome"],
                            "cancel_via_api": token})
    run_worker()

    [seen] = tasks.SEEN_BY_API
    assert seen["inside_the_transaction"] and seen["status_code"] == 202, seen
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.progress_done == 2  # as far as it got
    assert job.messages[-1] == "Cancelled."
    assert not review.definitions.exists()  # its transaction rolled back


def test_it_counts_a_running_job_with_a_recent_report_as_alive(review, owner, settings):
    """A retry must not take over a job whose worker is busy in a long SQLite transaction:
    its heartbeat is in the report, not yet in the row."""
    from datetime import timedelta

    from django.utils import timezone

    from ichub.jobs import live
    from ichub.jobs.runner import JobRun

    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    job = Job.objects.create(kind="test.define", review=review, owner=owner, attempts=1,
                             status=Job.Status.RUNNING, heartbeat_at=long_ago)
    assert Job.objects.get(pk=job.pk).is_stale
    run = JobRun(job, attempt=1)
    run._to_file = live.applies()  # what atomic() sets on SQLite
    if not run._to_file:
        pytest.skip("PostgreSQL commits progress to the row itself")
    run.job.progress_done = 7
    run.say("busy")
    seen = Job.objects.get(pk=job.pk)
    assert not seen.is_stale and seen.progress_done == 7 and seen.messages == ["busy"]
    live.clear(job.pk, 1, job.created_at)
    assert Job.objects.get(pk=job.pk).is_stale
