"""What runs inside a worker: `@job_task` functions and the `JobRun` they are handed.

A job task is an ordinary Django task (`django_tasks.task`) whose arguments
are the job's id and its attempt number. The wrapper claims the job, hands the
function a `JobRun` for progress, messages and cancellation, and records how
it ended. Every write is conditioned on the attempt number, so when a job was
retried after its worker was presumed dead, a zombie attempt that wakes up
cannot overwrite the new attempt's state: its next write finds no row and it
stops, rolling its transaction back.
"""

import functools
import logging
import time
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django_tasks import task

from ichub.budget import BudgetExceeded, spend, time_budget
from ichub.jobs import files, live
from ichub.jobs.models import MAX_MESSAGES, Job

logger = logging.getLogger("ichub.jobs")

# Progress is written at most this often (seconds): a poller sees it move, and
# an import of 100,000 rows does not write its job row 100,000 times.
PROGRESS_INTERVAL = 0.5

# module path of each job task -> the job kind it runs (start_job reads it), and
# kind -> task (retry_job reads it). Filled as <app>/tasks.py modules are imported,
# which JobsConfig.ready() does for every app.
KINDS = {}
TASKS_BY_KIND = {}


class JobCancelled(Exception):
    """Someone asked the job to stop; raised at the next progress report."""


class JobSuperseded(Exception):
    """A newer attempt of this job took over (it was retried); this one must stop."""


class JobFailed(Exception):
    """An expected failure with a message for the person who started the job.

    Raise it for bad input (a broken file, a review that already exists): the
    job ends as failed with `message` as its error, and no traceback is kept.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def job_task(kind, **task_options):
    """Declare a job task: `@job_task("review.import")` over `def run(job): ...`.

    The function gets a `JobRun` and returns a dict that may hold "result"
    (stored as the job's report), "result_url" (where the result is) and
    "result_file" (the storage name of a file it made, from
    `JobRun.save_result`; its owner downloads it from /jobs/{id}/file).
    Start it with `ichub.jobs.services.start_job(task=run, ...)`.
    """

    def decorate(function):
        @functools.wraps(function)
        def run(job_id: int, attempt: int):
            return _run(function, job_id, attempt)

        registered = task(**task_options)(run)
        KINDS[registered.module_path] = kind
        TASKS_BY_KIND[kind] = registered
        return registered

    return decorate


def _run(function, job_id, attempt):
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, attempts=attempt, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        # Cancelled while queued, or retried since this attempt was enqueued.
        return None
    run = JobRun(Job.objects.get(pk=job_id), attempt)
    finished = 0
    try:
        finished = _run_attempt(function, run)
    finally:
        # Files no job row names (superseded, failed, cancelled, or made but not
        # returned) would wait a week for the age sweep.
        run.discard_files(keep=run.job.result_file if finished else "")
    if finished and attempt > 1:
        files.sweep_superseded(job_id, keep=run.job.result_file)
    return {"job": job_id, "status": Job.Status.SUCCEEDED} if finished else None


def _run_attempt(function, run):
    """Run the task and record how it ended; the rows written by a success (0: none)."""
    try:
        # A job reads user files too: past its budget it stops (at a progress
        # report or a reader's checkpoint) and its transaction rolls back.
        with time_budget(settings.JOB_TIME_BUDGET_SECONDS):
            outcome = function(run) or {}
    except BudgetExceeded as exceeded:
        run.finish(Job.Status.FAILED, error=f"The job ran over its time limit of "
                   f"{exceeded.seconds:g} seconds, so it stopped and kept nothing.")
        return 0
    except JobSuperseded:
        return 0
    except JobCancelled:
        run.finish(Job.Status.CANCELLED, message="Cancelled.")
        return 0
    except JobFailed as failure:
        run.finish(Job.Status.FAILED, error=failure.message)
        return 0
    except Exception as exc:
        run.finish(
            Job.Status.FAILED,
            error=f"The job stopped on an unexpected error ({type(exc).__name__}).",
        )
        raise  # the task backend keeps the traceback for whoever runs the workers
    run.job.result_file = outcome.get("result_file", "")
    return run.finish(
        Job.Status.SUCCEEDED,
        result=outcome.get("result"),
        result_url=outcome.get("result_url", ""),
        result_file=run.job.result_file,
    )


@contextmanager
def write_lock_first():
    """On SQLite, the next atomic() begins with the write lock (BEGIN IMMEDIATE).

    A job reads before it writes (the review's sources, to match), and SQLite's
    default BEGIN takes no lock until the first write. If any other connection
    commits in between (another request, a poll's throttle count), the job's
    first write cannot upgrade its now stale read and fails at once with
    "database is locked", however long the busy timeout. Taking the lock at
    BEGIN waits for a writer that holds it instead; other writers then wait for
    the job (README "Deploying": SQLite is the one-machine default). A request
    that must check and then write as one step uses it too (starting a download
    job). It only changes how an outermost atomic() begins: inside one, the
    lock is whatever that transaction took. Elsewhere it does nothing:
    PostgreSQL callers lock rows instead.
    """
    if not live.applies():
        yield
        return
    connection.ensure_connection()  # connecting would reset the mode from the settings
    default = connection.transaction_mode
    connection.transaction_mode = "IMMEDIATE"
    try:
        yield
    finally:
        connection.transaction_mode = default


class JobRun:
    """The running job as its task sees it: report progress, say things, notice a cancel."""

    def __init__(self, job, attempt):
        self.job = job
        self.attempt = attempt
        self.params = job.params
        self._side = None  # a second PostgreSQL connection while atomic() is open
        self._to_file = False  # SQLite: progress goes to `live` while atomic() is open
        self._last_write = 0.0
        self._pending_messages = []
        self._saved = []  # storage names of the files this attempt made

    # -- what tasks call --------------------------------------------------------
    def set_total(self, total):
        self.job.progress_total = total
        self._write(force=True)

    def advance(self, amount=1, *, message=None):
        """Count `amount` more units done; stop here if the job was cancelled, superseded
        or is over its time budget."""
        spend()
        self.job.progress_done += amount
        if message:
            self._pending_messages.append(message)
        self._write()

    def say(self, message):
        self._pending_messages.append(message)
        self._write(force=True)

    def save_result(self, filename, chunks):
        """Store the file this attempt made (files.save_result); (storage name, bytes).

        Fenced by the attempt number like every row write: an attempt that a
        retry took over stores nothing, or deletes what it just stored, and
        stops (JobSuperseded). Its name says which job and attempt made it, so
        a later attempt that succeeds can clear away what a killed one left
        (files.sweep_superseded).
        """
        if not self._still_mine():
            raise JobSuperseded()  # a retry took over while this attempt made the file
        stored, size = files.save_result(
            filename, chunks, prefix=files.attempt_prefix(self.job.pk, self.attempt)
        )
        self._saved.append(stored)
        if not self._still_mine():
            # Retried while the file was stored: the new attempt may already have
            # succeeded and swept, so this file would outlive everyone who could name it.
            raise JobSuperseded()
        return stored, size

    def discard_files(self, *, keep=""):
        """Delete the files this attempt stored, except the one its job row names (`keep`)."""
        for name in self._saved:
            if name != keep:
                default_storage.delete(name)
        self._saved = []

    def _still_mine(self):
        return Job.objects.filter(pk=self.job.pk, attempts=self.attempt).exists()

    def set_review(self, review):
        """The review the job made (a whole-review import), so its members see the job."""
        self.job.review = review
        Job.objects.filter(pk=self.job.pk, attempts=self.attempt).update(review=review)

    @contextmanager
    def atomic(self):
        """One transaction for the job's writes, with progress still visible while it runs.

        Rows written inside the transaction are invisible to pollers until it
        commits, so progress goes around it: on PostgreSQL through a second
        connection; on SQLite, which has one writer at a time, into a file the
        job's readers lay over its row (`live`). Inside a transaction that was
        already open (tests) it is written in that transaction.
        """
        outermost = not connection.in_atomic_block
        use_side = outermost and connection.vendor == "postgresql"
        use_file = self._to_file = outermost and live.applies()
        try:
            with write_lock_first() if use_file else nullcontext(), transaction.atomic():
                if use_side:
                    self._side = connection.get_new_connection(
                        connection.get_connection_params()
                    )
                    self._side.autocommit = True
                try:
                    yield
                finally:
                    if self._side is not None:
                        self._side.close()
                        self._side = None
            if use_file:  # committed: the row takes the figures before the file goes
                self._to_file = False
                self._store(self._values())
        finally:
            self._to_file = False
            if use_file:
                live.clear(self.job.pk, self.attempt, self.job.created_at)

    # -- bookkeeping ------------------------------------------------------------
    def finish(self, status, *, error="", result=None, result_url="", result_file="",
               message=None):
        if message:
            self._pending_messages.append(message)
        fields = {
            "status": status,
            "error": error,
            "result": result,
            "result_url": result_url,
            "result_file": result_file,
            "finished_at": timezone.now(),
            "messages": self._messages(),
        }
        if status == Job.Status.SUCCEEDED and self.job.progress_total is not None:
            fields["progress_done"] = self.job.progress_total
        else:
            fields["progress_done"] = self.job.progress_done
        finished = Job.objects.filter(pk=self.job.pk, attempts=self.attempt).update(**fields)
        if live.applies():
            live.clear(self.job.pk, self.attempt, self.job.created_at)
        return finished

    def _messages(self):
        messages = [*self.job.messages, *self._pending_messages][-MAX_MESSAGES:]
        self.job.messages = messages
        self._pending_messages = []
        return messages

    def _values(self):
        return {
            "progress_done": self.job.progress_done,
            "progress_total": self.job.progress_total,
            "messages": self._messages(),
            "heartbeat_at": timezone.now(),
        }

    def _store(self, values):
        """Write the progress fields to the job row; the number of rows written (0: superseded)."""
        return Job.objects.filter(pk=self.job.pk, attempts=self.attempt).update(**values)

    def _write(self, force=False):
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_INTERVAL:
            return
        self._last_write = now
        values = self._values()
        if self._side is not None:
            cancel = self._write_on_side(values)
        else:
            if self._to_file:
                live.write(self.job, self.attempt, values)
                updated = True
            else:
                updated = self._store(values)
            # A cancel or retry committed before this transaction took the write lock shows here.
            cancel = None if not updated else Job.objects.filter(
                pk=self.job.pk, attempts=self.attempt
            ).values_list("cancel_requested", flat=True).first()
        if cancel is None:
            raise JobSuperseded()
        if cancel or (live.applies() and live.cancel_requested(
                self.job.pk, self.attempt, self.job.created_at)):
            raise JobCancelled()

    def _write_on_side(self, values):
        """The same UPDATE as the ORM's, on the second connection; returns cancel_requested."""
        query = UpdateQuery(Job)
        query.add_update_values(values)
        query.add_q(Q(pk=self.job.pk, attempts=self.attempt))
        sql, params = query.get_compiler(connection=connection).as_sql()
        quote = connection.ops.quote_name
        with self._side.cursor() as cursor:
            cursor.execute(f"{sql} RETURNING {quote('cancel_requested')}", params)
            row = cursor.fetchone()
        return None if row is None else row[0]

