"""Whole-review import and export, and the review's heavy files, as jobs.

Import: the document is read from storage as it goes and the review written
in one transaction (`import_review`), so a worker that dies midway leaves
nothing and a retry starts from the same empty slate. Progress is the share
of the file read so far.

Export and files (the RAMESES report in Word, ...): built by the worker into a
file in storage that the job's owner downloads from the job's page, so a
large review's export never runs inside a request a load balancer would cut.
"""

import tempfile

from django.urls import reverse

from ichub.bulk.statistics import refresh_statistics
from ichub.jobs import JobFailed, job_task
from ichub.jobs.files import delete_upload, open_upload
from ichub.models import Review
from reports.downloads import DOWNLOADS, MATRIX_OPTIONS, build_download
from reports.transfer import TransferRefused, import_review, parse_document
from reports.transfer.archive import import_archive, write_archive
from reports.transfer.export import export_review_chunks
from reports.transfer.sections import SECTIONS


@job_task("review.import")
def import_review_job(job):
    """A whole-review document (GET /api/reviews/{slug}/export/)."""
    return _restore(job, lambda stream, on_chunk: import_review(
        document=parse_document(stream), user=job.job.owner, on_chunk=on_chunk))


@job_task("review.import_archive")
def import_review_archive_job(job):
    """A review archive (the document plus its stored files; reports.transfer.archive)."""
    return _restore(job, lambda stream, on_chunk: import_archive(
        handle=stream, user=job.job.owner, on_chunk=on_chunk))


def _restore(job, restore):
    """Run `restore(stream, on_chunk)` on the job's upload in the job's one transaction.

    Progress is the share of the upload read. A refused file is deleted (it would
    be refused again); a restored one too, once its review is committed.
    """
    name = job.params["upload"]
    try:
        stream = open_upload(name)
    except FileNotFoundError as missing:
        raise JobFailed("The uploaded file is no longer there; upload it again.") from missing
    with stream:
        job.set_total(stream.size)

        def read_so_far():
            job.advance(max(0, stream.tell() - job.job.progress_done))

        try:
            with job.atomic():
                report = restore(stream, read_so_far)
        except TransferRefused as refusal:
            delete_upload(name)
            raise JobFailed(refusal.message) from refusal
    # After the commit: inside it, the job row would be locked against its own progress.
    job.set_review(report.review)
    delete_upload(name)
    # The first pages of the restored review must not plan on the empty tables' statistics.
    refresh_statistics([Review, *(section.model for section in SECTIONS
                                  if report.created.get(section.name))])
    return {
        "result": report.as_dict(),
        "result_url": reverse("hub:dashboard", args=[report.review.slug]),
    }


def _review(job):
    review = job.job.review
    if review is None:  # deleted since the job was started (the job cascades, but a race)
        raise JobFailed("The review no longer exists.")
    return Review.objects.get(pk=review.pk)


@job_task("review.export")
def export_review_job(job):
    """The whole review as its JSON document, as its owner (the job's starter) may see it."""
    review = _review(job)
    job.set_total(len(SECTIONS))
    chunks = export_review_chunks(review, reader=job.job.owner, on_section=job.advance)
    filename = f"{review.slug}.json"
    stored, size = job.save_result(filename, chunks)
    return _file_outcome(job, stored, filename, "application/json; charset=utf-8", size)


@job_task("review.export_archive")
def export_review_archive_job(job):
    """The whole review with its stored files (full texts) as a zip, for another instance."""
    review = _review(job)
    job.set_total(len(SECTIONS) + 1)
    filename = f"{review.slug}.zip"
    with tempfile.TemporaryFile() as spool:
        missing = write_archive(review, spool, reader=job.job.owner, on_section=job.advance)
        spool.seek(0)
        stored, size = job.save_result(filename, iter(lambda: spool.read(1 << 20), b""))
    job.advance(1)
    outcome = _file_outcome(job, stored, filename, "application/zip", size)
    if missing:
        outcome["result"]["missing_files"] = missing
        job.say(f"{len(missing)} stored file(s) were not found and are not in the archive.")
    return outcome


@job_task("review.file")
def build_review_file_job(job):
    """One of the review's downloads (reports.downloads.DOWNLOADS), e.g. the Word report."""
    review = _review(job)
    name = job.params["name"]
    download = DOWNLOADS.get(name)
    if download is None:
        raise JobFailed(f"There is no file called {name!r}.")
    options = job.params.get("matrix") or {}
    job.set_total(1)
    data = build_download(review, name, **{k: options.get(k) is True for k in MATRIX_OPTIONS})
    filename = f"{review.slug}-{name}"
    stored, size = job.save_result(filename, [data])
    job.advance(1)
    return _file_outcome(job, stored, filename, download.content_type, size)


def _file_outcome(job, stored, filename, content_type, size):
    return {
        "result": {"filename": filename, "content_type": content_type, "bytes": size,
                   "summary": f"{filename}, {size:,} bytes, is ready to download"},
        "result_url": reverse("jobs:file", args=[job.job.pk]),
        "result_file": stored,
    }
