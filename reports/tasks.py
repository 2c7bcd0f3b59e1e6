"""Whole-review import as a job: the document is read from storage as it goes.

The review is written in one transaction (`import_review`), so a worker that
dies midway leaves nothing and a retry starts from the same empty slate.
Progress is the share of the file read so far.
"""

from django.urls import reverse

from ichub.jobs import JobFailed, job_task
from ichub.jobs.files import delete_upload, open_upload
from reports.transfer import TransferRefused, import_review, parse_document


@job_task("review.import")
def import_review_job(job):
    name = job.params["upload"]
    try:
        stream = open_upload(name)
    except FileNotFoundError as missing:
        raise JobFailed("The uploaded file is no longer there; upload it again.") from missing
    with stream:
        job.set_total(stream.size)

        def read_so_far():
            job.advance(stream.tell() - job.job.progress_done)

        try:
            with job.atomic():
                report = import_review(
                    document=parse_document(stream), user=job.job.owner, on_chunk=read_so_far
                )
        except TransferRefused as refusal:
            delete_upload(name)  # the same file would be refused again
            raise JobFailed(refusal.message) from refusal
    # After the commit: inside it, the job row would be locked against its own progress.
    job.set_review(report.review)
    delete_upload(name)
    return {
        "result": report.as_dict(),
        "result_url": reverse("hub:dashboard", args=[report.review.slug]),
    }
