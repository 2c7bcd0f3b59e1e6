"""A job task for the plumbing's tests: write a review's operational definitions.

Real rows with a natural key (review, element), written in the job's one
transaction, so tests can see rollback on cancel or failure and no duplicates
on retry. Parameters steer it: `fail_at` raises a JobFailed at that element,
`crash_at` an unexpected error, `cancel_at` has someone cancel the job there;
`probe` has a poller on its own connection read the job's progress after each
step (into SEEN_BY_POLLER); `probe_api` (an API token) has another thread GET
the job from the API after each step (into SEEN_BY_API); `cancel_via_api` has
another thread POST the job's cancel at the second element (into SEEN_BY_API).
"""

import os
import threading
import time
from pathlib import Path

from django.db import connection, connections
from django.test import Client

from ichub.jobs import JobFailed, job_task
from ichub.jobs.models import Job
from ichub.models import OperationalDefinition

SEEN_BY_POLLER = []
SEEN_BY_API = []


@job_task("test.define")
def define_elements(job):
    elements = job.params["elements"]
    job.set_total(len(elements))
    with job.atomic():
        for index, element in enumerate(elements):
            OperationalDefinition.objects.update_or_create(
                review=job.job.review, element=element, defaults={"text": f"{element} text"}
            )
            if job.params.get("fail_at") == index:
                raise JobFailed(f"The file has no {element}.")
            if job.params.get("crash_at") == index:
                raise RuntimeError("boom")
            if job.params.get("cancel_at") == index:
                _cancel_from_outside(job)
            if job.params.get("cancel_via_api") and index == 1:
                SEEN_BY_API.append(_api_call_from_another_thread(
                    "post", f"/api/jobs/{job.job.pk}/cancel/", job.params["cancel_via_api"]))
            job.advance(1, message=f"Defined {element}.")
            if job.params.get("probe"):
                SEEN_BY_POLLER.append(_progress_seen_from_outside(job.job.pk))
            if job.params.get("probe_api"):
                SEEN_BY_API.append(_job_seen_through_the_api(job.job.pk, job.params["probe_api"]))
    return {"result": {"defined": len(elements)}, "result_url": f"/reviews/{job.job.review.slug}/"}


def _progress_seen_from_outside(job_pk):
    poller = connections.create_connection("default")
    try:
        with poller.cursor() as cursor:
            cursor.execute("SELECT progress_done FROM jobs_job WHERE id = %s", [job_pk])
            return cursor.fetchone()[0]
    finally:
        poller.close()


def _job_seen_through_the_api(job_pk, token):
    """GET /api/jobs/{id}/ from another thread (its own connection), as a poller would,
    while this thread's job is inside its transaction."""
    return _api_call_from_another_thread("get", f"/api/jobs/{job_pk}/", token)


def _api_call_from_another_thread(method, url, token):
    seen = {"inside_the_transaction": connection.in_atomic_block}

    def poll():
        try:
            client = Client(HTTP_AUTHORIZATION=f"Token {token}")
            response = getattr(client, method)(url)
            seen["status_code"] = response.status_code
            body = response.json()
            seen["status"], seen["progress"] = body.get("status"), body.get("progress")
        finally:
            connections.close_all()

    poller = threading.Thread(target=poll)
    poller.start()
    poller.join(timeout=60)
    return seen


def _cancel_from_outside(job):
    """What the cancel button does: from another connection where the job's own
    transaction runs beside one (PostgreSQL), else on this one (tests' transaction)."""
    if job._side is None:
        Job.objects.filter(pk=job.job.pk).update(cancel_requested=True)
        return
    canceller = connections.create_connection("default")
    try:
        with canceller.cursor() as cursor:
            cursor.execute(
                "UPDATE jobs_job SET cancel_requested = true WHERE id = %s", [job.job.pk]
            )
    finally:
        canceller.close()


@job_task("test.define_and_hold")
def define_and_hold(job):
    """Writes one element, says so with a marker file, then waits to be killed (attempt 1).

    For the worker-restart test: the marker tells the test the job is inside its
    transaction with a row written; a later attempt runs straight through.
    """
    elements = job.params["elements"]
    job.set_total(len(elements))
    with job.atomic():
        for index, element in enumerate(elements):
            OperationalDefinition.objects.update_or_create(
                review=job.job.review, element=element, defaults={"text": f"{element} text"}
            )
            job.advance(1)
            if index == 0 and job.attempt == 1:
                marker = Path(job.params["marker"])  # written whole, then renamed into place
                marker.with_suffix(".tmp").write_text(str(os.getpid()))
                marker.with_suffix(".tmp").replace(marker)
                for _ in range(600):  # bounded: the test kills this worker long before
                    time.sleep(0.1)
                raise RuntimeError("the test did not kill the worker")
    return {"result": {"defined": len(elements)}}


@job_task("test.file")
def write_file(job):
    """Store a small file as the job's result. `retry_while_storing`: while attempt 1
    streams its file, the job is retried and attempt 2 runs to success (a slow worker
    presumed dead); `fail_after_storing`: the task fails once its file is stored."""

    def chunks():
        yield b"first half, "
        if job.params.get("retry_while_storing") and job.attempt == 1:
            _retry_and_succeed(job.job.pk)
        yield b"second half"

    stored, size = job.save_result("out.txt", chunks())
    if job.params.get("fail_after_storing"):
        raise JobFailed("Failed after storing its file.")
    return {"result": {"bytes": size}, "result_file": stored}


def _retry_and_succeed(job_pk):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from ichub.jobs.services import retry_job

    silent_since = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    Job.objects.filter(pk=job_pk).update(heartbeat_at=silent_since)
    attempt = retry_job(job=Job.objects.get(pk=job_pk)).attempts
    write_file.call(job_pk, attempt)  # the new attempt, on another worker, to the end
