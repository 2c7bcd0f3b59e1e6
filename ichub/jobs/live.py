"""A running job's progress on SQLite, kept beside the database while the job's transaction runs.

A job writes its rows in one transaction (JobRun.atomic), and whatever it
writes there, its own job row included, is invisible to every other
connection until the commit. PostgreSQL answers that with a second
connection that commits each progress report on its own (runner). SQLite has
one writer at a time: a second connection would wait for the job's own
transaction to end, so there is no way to commit progress *in the database*
while the job holds the write lock.

So on SQLite the job's progress, messages and heartbeat go to a small JSON
file per attempt under JOB_PROGRESS_DIR (MEDIA_ROOT/job-progress by default),
replaced whole (written to a temporary name, then renamed, so a reader sees
the old or the new report, never half of one), and `Job.from_db` lays it over the running job's row.
That is honest because a SQLite database is only ever used from one machine,
whose processes (app server, worker) all see the same directory. The file is
deleted when the attempt ends; the job row then holds the final figures.
A cancel of a running job travels the other way, as a marker file beside the
report (`request_cancel`), for the same reason.
"""

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

FIELDS = ("progress_done", "progress_total", "messages", "heartbeat_at")


def applies(using="default"):
    return connections[using].vendor == "sqlite"


def _folder():
    return Path(settings.JOB_PROGRESS_DIR or Path(settings.MEDIA_ROOT) / "job-progress")


def _path(job_id, attempt, created_at):
    # created_at (to the microsecond) keeps two databases' job 1 apart when they share
    # the directory (a second instance, or test runs on one machine).
    stamp = int(created_at.timestamp() * 1_000_000)
    return _folder() / f"{job_id}-{attempt}-{stamp}.json"


def write(job, attempt, values):
    """Replace the attempt's report with `values` (the job row's progress fields)."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    report = {**values, "heartbeat_at": values["heartbeat_at"].isoformat()}
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(report, out)
    os.replace(temporary, _path(job.pk, attempt, job.created_at))


def read(job_id, attempt, created_at):
    """The attempt's latest report as job field values, or None when there is none."""
    try:
        report = json.loads(_path(job_id, attempt, created_at).read_text())
    except (FileNotFoundError, ValueError):
        return None
    report["heartbeat_at"] = datetime.fromisoformat(report["heartbeat_at"])
    return {name: report[name] for name in FIELDS if name in report}


def request_cancel(job):
    """Ask the running attempt to stop, without the write its row would need.

    Setting `cancel_requested` on the row would wait for the job's own
    transaction to end (and time out); the worker looks for this marker at
    each progress report instead (`cancel_requested`).
    """
    _folder().mkdir(parents=True, exist_ok=True)
    _path(job.pk, job.attempts, job.created_at).with_suffix(".cancel").touch()


def cancel_requested(job_id, attempt, created_at):
    return _path(job_id, attempt, created_at).with_suffix(".cancel").exists()


def clear(job_id, attempt, created_at):
    """Delete the attempt's report and cancel marker (it has ended, or was given up for dead)."""
    path = _path(job_id, attempt, created_at)
    path.unlink(missing_ok=True)
    path.with_suffix(".cancel").unlink(missing_ok=True)
