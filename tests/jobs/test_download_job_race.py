"""Two first requests for the same large file at once start one job, not two.

Each request is a thread with its own database connection. Before the first
job exists there is no job row to lock; without the lock on the owner's row
both would find nothing under way and each start a job building the same
file. That lock must not make a request wait for the owner's other work
(locks that writes referring to them take). Real concurrency needs
PostgreSQL (SQLite queues writers on one lock).
"""

import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

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


def hold_a_key_share_lock_on(user, holding, release):
    """An open transaction holding the lock PostgreSQL's foreign-key check takes on the
    user's row when a row referring to them is written (Django's foreign keys check at
    commit), for as long as the test needs."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            table = connection.ops.quote_name(get_user_model()._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [user.pk])
            holding.set()
            release.wait(timeout=60)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_neither_starts_nor_joins_a_job_behind_the_owners_open_writes():
    reader = make_user("rita_reader")
    review = Review.objects.create(slug="race-review", title="Race")
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_a_key_share_lock_on, args=(reader, holding, release))
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with connection.cursor() as cursor:  # a wait would fail fast, not after 10 s
            cursor.execute("SET lock_timeout = '2s'")

        started = file_job_for(user=reader, review=review, name="evidence-matrix.csv")
        joined = file_job_for(user=reader, review=review, name="evidence-matrix.csv")
    finally:
        release.set()
        holder.join(timeout=60)

    assert joined.pk == started.pk and Job.objects.count() == 1
