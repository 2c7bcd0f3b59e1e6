"""The files a job reads: streamed from the upload into the default storage and back.

An upload above FILE_UPLOAD_MAX_MEMORY_SIZE is already spooled to a temporary
file by Django; `Storage.save` copies it in chunks, so neither the app server
nor the worker holds the whole file in memory. On one machine the storage is
MEDIA_ROOT; with many app servers and workers, point the default storage at
shared object storage (README, Deploying) so a worker can read what any
server received.
"""

import os
import tempfile
import uuid

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

UPLOAD_FOLDER = "job-uploads"
RESULT_FOLDER = "job-results"


def _unguessable(folder, filename, prefix=""):
    try:
        safe = get_valid_filename(os.path.basename(filename or ""))[-100:]
    except SuspiciousFileOperation:  # a name with nothing usable in it
        safe = "upload"
    return f"{folder}/{prefix}{uuid.uuid4().hex}-{safe}"


def attempt_prefix(job_id, attempt):
    """What starts the name of every file an attempt makes: 'j12-a2-'.

    A retried job's earlier attempts may have made files no job row names (a
    worker killed after writing its export, or a slow attempt fenced off after
    it); this prefix finds them when a later attempt succeeds.
    """
    return f"j{job_id}-a{attempt}-"


def save_upload(upload):
    """Store an uploaded file under a name nobody can guess; return the storage name."""
    return default_storage.save(_unguessable(UPLOAD_FOLDER, upload.name), upload)


def save_result(filename, chunks, *, prefix=""):
    """Store a job's output, written chunk by chunk (str or bytes); (storage name, bytes).

    The chunks go to a temporary file first, so an export of any size is never
    held in memory, and storage (possibly remote) receives one finished file.
    A job task calls it through `JobRun.save_result`, which names the attempt
    in `prefix`.
    """
    with tempfile.TemporaryFile() as spool:
        for chunk in chunks:
            spool.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        size = spool.tell()
        spool.seek(0)
        name = _unguessable(RESULT_FOLDER, filename, prefix)
        return default_storage.save(name, File(spool)), size


def open_upload(name):
    return default_storage.open(name, "rb")


def delete_upload(name):
    default_storage.delete(name)


def result_response(job):
    """The file a job made, as an attachment under the name it was made for."""
    from django.http import FileResponse, Http404

    result = job.result or {}
    try:
        stream = default_storage.open(job.result_file, "rb")
    except FileNotFoundError as gone:
        raise Http404("The file has been cleared away; run the job again.") from gone
    return FileResponse(
        stream, as_attachment=True, filename=result.get("filename") or "download",
        content_type=result.get("content_type") or "application/octet-stream",
    )


def sweep_superseded(job_id, *, keep):
    """Delete the result files of a job's earlier attempts once an attempt succeeded.

    Nothing will read them: the job row names only the succeeding attempt's
    file (`keep`). Runs only for retried jobs, so the folder is listed rarely.
    An attempt still running when this runs deletes its own file when it finds
    itself fenced off (`JobRun.save_result`); only a file whose attempt was
    killed after this ran waits for the age-based `sweep`.
    """
    try:
        _, files = default_storage.listdir(RESULT_FOLDER)
    except FileNotFoundError:
        return []
    mine = f"j{job_id}-a"
    swept = []
    for filename in files:
        name = f"{RESULT_FOLDER}/{filename}"
        if filename.startswith(mine) and name != keep:
            default_storage.delete(name)
            swept.append(name)
    return swept


def sweep(*, keep_seconds, limit):
    """Delete job files nobody will read again; at most `limit` a call. Returns the names.

    A job's upload is kept while it may still be retried, for `keep_seconds`
    after the job failed, was cancelled or went silent (its worker died); a
    job's result file for `keep_seconds` after it was made. Files no job names
    (a superseded attempt's output) go once they are that old too; a retried
    job that succeeds clears its earlier attempts' files at once (`sweep_superseded`).
    """
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from ichub.jobs.models import Job

    cutoff = timezone.now() - timedelta(seconds=keep_seconds)
    jobs = Job.objects.filter(
        Q(status__in=[Job.Status.FAILED, Job.Status.CANCELLED, Job.Status.SUCCEEDED],
          finished_at__lt=cutoff)
        | Q(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    )
    done_with = set()
    for params, result_file in jobs.values_list("params", "result_file").iterator():
        done_with.update(name for name in (params.get("upload"), result_file) if name)
    named = set()
    for params, result_file in Job.objects.exclude(pk__in=jobs.values("pk")).values_list(
        "params", "result_file"
    ).iterator():
        named.update(name for name in (params.get("upload"), result_file) if name)
    swept = []
    for folder in (UPLOAD_FOLDER, RESULT_FOLDER):
        try:
            _, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for filename in sorted(files):
            if len(swept) >= limit:
                return swept
            name = f"{folder}/{filename}"
            if name in named:
                continue
            if name in done_with or default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                swept.append(name)
    return swept
