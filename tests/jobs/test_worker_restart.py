"""A real worker process killed with SIGKILL mid-job: the job is retryable, the retry
completes, and no row is written twice.

The worker is `manage.py worker` in its own process (database queue, or RQ when
REDIS_URL is set), on the test database, so the test's data is committed
(transactional_db). Every wait is a bounded poll on a state, never a fixed sleep.
PostgreSQL only: SQLite's test database lives in this process's memory, out of
another process's reach.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from ichub.jobs.models import Job
from ichub.jobs.services import retry_job, start_job
from ichub.models import OperationalDefinition
from tests.jobs.tasks import define_and_hold

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the worker process needs a database server (SQLite's test DB is in memory)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
ELEMENTS = ["context", "mechanism", "outcome"]
WAIT_SECONDS = 120  # bound on every wait; a healthy run takes a few seconds


def _worker(*args):
    """`manage.py worker` on the test database, in its own process group."""
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", *args], cwd=ROOT, env=env,
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait_until(check, what, worker=None):
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited before {what}: {worker.stderr.read().decode()}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_SECONDS} s for {what}")
        time.sleep(0.05)


def test_it_retries_a_job_whose_worker_was_killed_without_duplicating_rows(
    review, owner, settings, tmp_path
):
    marker = tmp_path / "holding"
    job = start_job(task=define_and_hold, owner=owner, review=review,
                    params={"elements": ELEMENTS, "marker": str(marker)})
    worker = _worker()
    try:
        _wait_until(marker.exists, "the job to be inside its transaction", worker)
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
        # The process running the task (RQ forks it into a session of its own), then the worker.
        os.kill(int(marker.read_text()), signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WAIT_SECONDS)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and not job.can_retry  # not yet presumed dead
    # The job's one transaction died with the process: nothing of it is left.
    _wait_until(lambda: not OperationalDefinition.objects.filter(review=review).exists(),
                "the killed transaction to be rolled back")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # nothing of the killed attempt wrote an ending
    settings.JOB_STALE_SECONDS = 0  # silent for longer than this: presumed dead
    assert job.can_retry
    retry_job(job=job)

    retry = _worker("--burst")
    try:
        _wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, "the retry to finish")
        assert retry.wait(timeout=WAIT_SECONDS) == 0, retry.stderr.read().decode()[-2000:]
    finally:
        if retry.poll() is None:
            os.killpg(retry.pid, signal.SIGKILL)
            retry.wait()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2, job.error
    assert job.progress_done == job.progress_total == len(ELEMENTS)
    rows = OperationalDefinition.objects.filter(review=review)
    assert sorted(rows.values_list("element", flat=True)) == sorted(ELEMENTS)  # each once
