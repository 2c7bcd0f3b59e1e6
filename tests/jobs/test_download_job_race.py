"""Two first requests for the same large file at once start one job, not two.

Each request is a thread with its own database connection. Before the first
job exists there is no job row to lock; without the lock on the owner's row
both would find nothing under way and each start a job building the same
file. Real concurrency needs PostgreSQL (SQLite queues writers on one lock).
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from ichub.jobs.models import Job
from ichub.models import Review
from reports.services import file_job_for
from tests.conftest import make_user

ROUNDS = 10

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs concurrent writers: PostgreSQL"),
]


def ask_for_file(user, review, barrier, jobs):
    try:
        barrier.wait(timeout=30)
        jobs.append(file_job_for(user=user, review=review, name="evidence-matrix.csv").pk)
    except Exception as error:  # record it, don't lose it in the thread
        jobs.append(repr(error))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_starts_one_job_when_the_same_reader_asks_twice_at_once():
    reader = make_user("rita_reader")
    review = Review.objects.create(slug="race-review", title="Race")
    for _ in range(ROUNDS):
        Job.objects.all().delete()
        barrier, jobs = threading.Barrier(2), []
        threads = [threading.Thread(target=ask_for_file, args=(reader, review, barrier, jobs))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a request hung"

        assert len(jobs) == 2 and all(isinstance(job, int) for job in jobs), jobs
        assert jobs[0] == jobs[1] and Job.objects.count() == 1, jobs
