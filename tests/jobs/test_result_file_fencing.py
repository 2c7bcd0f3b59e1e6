"""A job's result file is fenced by its attempt number, like its rows.

An attempt that a retry took over while it was storing its file must not leave
that file behind once the retry has succeeded (and cleared away earlier
attempts' files): nothing names it, and only the 7-day sweep would find it.
"""

import pytest
from django.core.files.storage import default_storage

from ichub.jobs.files import RESULT_FOLDER, attempt_prefix
from ichub.jobs.models import Job
from ichub.jobs.services import start_job
from tests.jobs.tasks import write_file

pytestmark = pytest.mark.django_db


def _files_of(job):
    try:
        _, names = default_storage.listdir(RESULT_FOLDER)
    except FileNotFoundError:
        return []
    return sorted(f"{RESULT_FOLDER}/{name}" for name in names
                  if name.startswith(f"j{job.pk}-a"))


def test_it_deletes_the_file_a_superseded_attempt_stored_after_its_retry_succeeded(
    review, owner, run_worker
):
    job = start_job(task=write_file, owner=owner, review=review,
                    params={"retry_while_storing": True})
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert job.result_file.startswith(f"{RESULT_FOLDER}/{attempt_prefix(job.pk, 2)}")
    assert _files_of(job) == [job.result_file]  # attempt 1's file is gone
    with default_storage.open(job.result_file) as stored:
        assert stored.read() == b"first half, second half"


def test_it_deletes_the_file_of_an_attempt_that_failed_after_storing_it(
    review, owner, run_worker
):
    job = start_job(task=write_file, owner=owner, review=review,
                    params={"fail_after_storing": True})
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result_file == ""
    assert _files_of(job) == []
