"""Background jobs run under a time budget too (issue 17: a file built to be slow).

Big reference imports and whole-review restores became jobs, out of the
request's budget; a worker must not be held for hours either. Past
JOB_TIME_BUDGET_SECONDS a job stops at its next progress report or reader
checkpoint, fails with a message saying so, and its transaction keeps nothing.
A budget of 0 makes the first checkpoint the one that stops it, without timing.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import SourceDocument
from ichub.jobs.models import Job
from ichub.jobs.services import start_job
from ichub.models import Review
from reports.transfer import export_review_text
from tests.api.conftest import build_review_rows
from tests.evidence.importers import samples
from tests.jobs.tasks import define_elements

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _report_every_step(monkeypatch):
    monkeypatch.setattr("ichub.jobs.runner.PROGRESS_INTERVAL", 0)


def test_it_stops_a_job_past_its_budget_and_keeps_nothing(review, owner, run_worker, settings):
    settings.JOB_TIME_BUDGET_SECONDS = 0
    job = start_job(task=define_elements, owner=owner, review=review,
                    params={"elements": ["context", "mechanism"]})
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "The job ran over its time limit of 0 seconds, so it stopped and kept nothing."
    )
    assert not review.definitions.exists()


def test_it_runs_a_job_within_its_budget(review, owner, run_worker, settings):
    settings.JOB_TIME_BUDGET_SECONDS = 3600
    job = start_job(task=define_elements, owner=owner, review=review,
                    params={"elements": ["context", "mechanism"]})
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and review.definitions.count() == 2


def test_it_stops_a_reference_import_job_past_its_budget(review, editor, token_client,
                                                         run_worker, settings):
    settings.REFERENCE_IMPORT_JOB_BYTES = 100  # samples.NBIB is larger: a job
    settings.JOB_TIME_BUDGET_SECONDS = 0
    client = token_client(editor)
    response = client.post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("pubmed.nbib", samples.NBIB.encode()), "review": review.slug},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    run_worker()
    body = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert body["status"] == "failed" and "took over 0 seconds, its time limit" in body["error"]
    assert not SourceDocument.objects.filter(review=review).exists()


def test_it_stops_a_restore_job_past_its_budget(review, owner, outsider, token_client,
                                                run_worker, settings):
    settings.JOB_TIME_BUDGET_SECONDS = 0
    build_review_rows(review, owner)  # rows to read: the loader checks its budget per row
    text = export_review_text(review).replace('"slug": "test-review"', '"slug": "slow"')
    client = token_client(outsider)
    response = client.post("/api/reviews/import/",
                           {"file": SimpleUploadedFile("r.json", text.encode())},
                           format="multipart")
    assert response.status_code == 202, response.content
    run_worker()
    body = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert body["status"] == "failed" and "time limit" in body["error"], body
    assert not Review.objects.filter(slug="slow").exists()
