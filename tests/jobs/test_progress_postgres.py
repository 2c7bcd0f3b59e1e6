"""On PostgreSQL a job's progress is visible to pollers while its transaction is open."""

import pytest
from django.db import connection

from ichub.jobs.models import Job
from ichub.jobs.services import start_job
from tests.jobs import tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: progress shows when the transaction ends")


def test_it_shows_pollers_progress_before_the_job_commits(review, owner, run_worker):
    tasks.SEEN_BY_POLLER.clear()
    job = start_job(task=tasks.define_elements, owner=owner, review=review,
                    params={"elements": ["context", "mechanism", "outcome"], "probe": True})
    run_worker()
    assert tasks.SEEN_BY_POLLER == [1, 2, 3]
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and review.definitions.count() == 3


def test_it_rolls_back_the_rows_but_keeps_the_progress_of_a_cancelled_job(
    review, owner, run_worker
):
    job = start_job(task=tasks.define_elements, owner=owner, review=review,
                    params={"elements": ["context", "mechanism", "outcome"], "cancel_at": 1})
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.progress_done == 2
    assert not review.definitions.exists()
