"""Full-text extraction as a job (ichub.jobs): progress on the job page, retry from there.

One job extracts one or more full texts (an upload starts a job for its one
file, a REFI-QDA import one job for all its sources). Each full text is
stored in its own transaction (`services.store_pages` replaces the pages and
re-anchors), so a retry simply extracts again and ends in the same state,
and a job cancelled half-way keeps the full texts it had finished.
"""

from django.urls import reverse

from evidence.models import FullText
from ichub.jobs import JobFailed, job_task

from . import services


@job_task("fulltexts.extract")
def extract_full_texts(job):
    wanted = job.params["full_texts"]
    rows = {f.pk: f for f in FullText.objects.select_related("source__review").filter(
        pk__in=[w["id"] for w in wanted])}
    job.set_total(len(wanted))
    failures, extracted, last = [], 0, None
    for position, item in enumerate(wanted):
        full_text = rows.get(item["id"])
        if full_text is None:
            job.advance(1, message="A full text was deleted before it was extracted; skipped.")
            continue
        name = full_text.original_name or full_text.source.citation_key
        if full_text.sha256 != item["sha256"]:
            # Replaced since this job started: the new upload has its own job.
            job.advance(1, message=f"{name} was replaced since; its new file has its own job.")
            continue
        last = full_text
        pages = _PageProgress(job, remaining=len(wanted) - position - 1)
        status = services.run_extraction(full_text.pk, on_progress=pages,
                                         on_cancel=_cancelled)
        if status == FullText.Status.FAILED:
            reason = FullText.objects.values_list("failure_reason", flat=True).get(
                pk=full_text.pk)
            failures.append({"source": full_text.source.citation_key, "reason": reason})
            message = f"{name}: {reason}"
        else:
            extracted += 1
            message = f"{name}: extracted."
        job.advance(0 if pages.seen else 1, message=message)
    if failures and len(failures) == len(wanted):
        raise JobFailed(failures[0]["reason"] if len(failures) == 1 else
                        f"None of the {len(failures)} full texts could be extracted.")
    result = {"extracted": extracted, "failed": failures}
    if len(wanted) == 1 and last is not None:
        url = reverse("evidence:fulltext_reader", args=[last.source.review.slug, last.source_id])
    else:
        url = reverse("evidence:list", args=[job.job.review.slug]) if job.job.review else ""
    return {"result": result, "result_url": url}


class _PageProgress:
    """A PDF's pages as job units: the job's total grows to its page count once it is known."""

    def __init__(self, job, *, remaining):
        self.job, self.remaining, self.seen = job, remaining, False

    def __call__(self, pages_done, pages_total):
        if not self.seen:
            self.seen = True
            # This file was counted as one unit; it is pages_total of them.
            self.job.set_total(self.job.job.progress_done + pages_total + self.remaining)
        self.job.advance(1)


def _cancelled(full_text_id):
    FullText.objects.filter(pk=full_text_id).update(
        status=FullText.Status.FAILED,
        failure_reason="The extraction was cancelled; retry its job to extract the file.")
