"""Extraction as a job (ichub.jobs): failure reasons on the job, retry is idempotent,
a cancel leaves the source usable, and who may see or re-run the job."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evidence.fulltexts import services
from evidence.fulltexts.tasks import _cancelled
from evidence.models import Excerpt, ExcerptAnchor, FullText
from ichub.jobs.models import Job
from ichub.jobs.runner import JobCancelled
from ichub.jobs.services import retry_job

from .pdfs import scanned_pdf

PHRASE = "Leaders who built trust across organisations"


@pytest.fixture(autouse=True)
def _report_every_page(monkeypatch):
    monkeypatch.setattr("ichub.jobs.runner.PROGRESS_INTERVAL", 0)


def _job():
    return Job.objects.get(kind="fulltexts.extract")


def test_it_fails_the_job_with_the_reason_and_keeps_the_source(source, editor, commits):
    with commits(execute=True):
        services.attach_full_text(source=source, data=scanned_pdf(), name="scan.pdf",
                                  user=editor)
    job = _job()
    assert job.status == Job.Status.FAILED and "no text layer" in job.error
    full_text = FullText.objects.get(source=source)
    assert full_text.status == FullText.Status.FAILED and "OCR" in full_text.failure_reason
    assert not full_text.pages.exists()


def test_a_retry_after_a_dead_worker_extracts_again_without_duplicating(
        attached, editor, settings, commits):
    start = "".join(p.text for p in attached.pages.order_by("number")).index(PHRASE)
    excerpt = services.create_anchored_excerpt(full_text=attached, start=start,
                                               end=start + len(PHRASE), exact=PHRASE)
    pages_before = list(attached.pages.order_by("number").values_list("number", "start", "end"))
    # The worker stored the pages, then died before it could mark its job finished.
    settings.JOB_STALE_SECONDS = 60
    Job.objects.filter(pk=_job().pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5))
    with commits(execute=True):
        retry_job(job=_job())
    job = _job()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert list(attached.pages.order_by("number").values_list(
        "number", "start", "end")) == pages_before
    anchor = ExcerptAnchor.objects.get(excerpt=excerpt)
    assert (anchor.start, anchor.end, anchor.orphaned) == (start, start + len(PHRASE), False)
    assert Excerpt.objects.count() == 1


def test_a_job_for_a_replaced_file_leaves_the_new_file_alone(attached, editor, study_pdf,
                                                               commits):
    first = _job()
    Job.objects.filter(pk=first.pk).update(status=Job.Status.FAILED)
    with commits(execute=True):
        services.attach_full_text(source=attached.source, data=study_pdf + b"\n%v2",
                                  name="v2.pdf", user=editor)
        retry_job(job=Job.objects.get(pk=first.pk))
    first.refresh_from_db()
    assert first.status == Job.Status.SUCCEEDED
    assert "was replaced since" in " ".join(first.messages)
    assert first.result == {"extracted": 0, "failed": []}
    assert FullText.objects.get(source=attached.source).original_name == "v2.pdf"


def test_a_cancel_midway_marks_the_full_text_failed_with_the_reason(source, study_pdf, editor):
    full_text = services.attach_full_text(source=source, data=study_pdf, name="s.pdf",
                                          user=editor, extract=False)

    def stop(done, total):
        raise JobCancelled()

    with pytest.raises(JobCancelled):
        services.run_extraction(full_text.pk, on_progress=stop, on_cancel=_cancelled)
    full_text.refresh_from_db()
    assert full_text.status == FullText.Status.FAILED and "cancelled" in full_text.failure_reason


@pytest.mark.parametrize("who, see, retry", [
    ("editor", 200, 202), ("viewer", 200, 403), ("outsider", 404, 404)])
def test_who_may_see_and_rerun_an_extraction_job(token_client, source, editor, who, see, retry,
                                                 request, commits):
    with commits(execute=True):
        services.attach_full_text(source=source, data=scanned_pdf(), name="scan.pdf",
                                  user=editor)
    client = token_client(request.getfixturevalue(who))
    url = f"/api/jobs/{_job().pk}/"
    assert client.get(url).status_code == see
    assert client.post(url + "retry/").status_code == retry
