"""Whole-review export and the review's heavy files (the Word report) made as jobs.

The worker writes the file into storage; whoever started the job downloads it
from the job (API: 202 + the job, then its file_url; browser: the job's page,
then a download link). Nobody else gets the file, not even co-reviewers who
see the job: an export holds what its reader may see of other reviews.
"""

import io
import json
import zipfile

import pytest
from docx import Document

from ichub.jobs.models import Job
from reports.transfer import export_review_text
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _body(response):
    return b"".join(response.streaming_content)


def test_it_exports_a_review_as_a_job_and_serves_the_file_to_its_starter(
    review, owner, token_client, run_worker
):
    client = token_client(owner)
    response = client.post("/api/reviews/test-review/export/")

    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == f"/api/jobs/{job['id']}/"
    assert job["kind"] == "review.export" and job["status"] == "queued"
    assert job["file_url"] is None
    run_worker()
    job = client.get(f"/api/jobs/{job['id']}/").json()
    assert job["status"] == "succeeded", job
    assert job["progress"]["done"] == job["progress"]["total"] > 1  # one step per section
    download = client.get(job["file_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="test-review.json"'
    assert _body(download).decode() == export_review_text(review, reader=owner)
    assert job["result"]["bytes"] == len(export_review_text(review, reader=owner).encode())


def test_it_makes_the_word_report_as_a_job(review, viewer, token_client, run_worker):
    client = token_client(viewer)  # reading the review is enough to have its files made
    response = client.post("/api/reviews/test-review/downloads/rameses-report.docx")
    assert response.status_code == 202, response.content
    run_worker()
    job = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "succeeded" and job["kind"] == "review.file"
    download = client.get(job["file_url"])
    assert download["Content-Type"] == DOCX
    data = _body(download)
    assert zipfile.is_zipfile(io.BytesIO(data))
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert review.title in text


@pytest.mark.parametrize(
    ("who", "expected"), [("outsider", 404), (None, 401)]
)
def test_it_refuses_to_start_file_jobs_for_those_who_cannot_read_the_review(
    request, review, token_client, who, expected
):
    user = request.getfixturevalue(who) if who else None
    client = token_client(user)
    assert client.post("/api/reviews/test-review/export/").status_code == expected
    assert client.post(
        "/api/reviews/test-review/downloads/rameses-report.docx"
    ).status_code == expected
    assert not Job.objects.exists()


def test_it_answers_404_for_a_file_that_does_not_exist(review, owner, token_client):
    response = token_client(owner).post("/api/reviews/test-review/downloads/nothing.exe")
    assert response.status_code == 404 and not Job.objects.exists()


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 200), ("editor", 404), ("outsider", 404), (None, 401),
])
def test_it_serves_a_jobs_file_to_its_starter_only(
    request, review, owner, token_client, run_worker, who, expected
):
    job_id = token_client(owner).post("/api/reviews/test-review/export/").json()["id"]
    run_worker()
    user = request.getfixturevalue(who) if who else None
    response = token_client(user).get(f"/api/jobs/{job_id}/file/")
    assert response.status_code == expected
    if who == "editor":  # a co-reviewer sees the job, not its file
        assert token_client(user).get(f"/api/jobs/{job_id}/").json()["file_url"]


def test_it_exports_through_the_browser_with_a_progress_page_then_a_link(
    client, review, owner, outsider, run_worker
):
    assert client.post("/reviews/test-review/reports/export/").status_code == 302  # log in
    assert client.login(username=outsider.username, password=PASSWORD)
    assert client.post("/reviews/test-review/reports/export/").status_code == 404
    assert client.login(username=owner.username, password=PASSWORD)
    assert client.get("/reviews/test-review/reports/export/").status_code == 405
    page = client.get("/reviews/test-review/reports/rameses/").content.decode()
    assert 'action="/reviews/test-review/reports/export/"' in page
    assert 'action="/reviews/test-review/reports/files/rameses-report.docx"' in page

    response = client.post("/reviews/test-review/reports/export/")

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert 'hx-trigger="every' in client.get(response["Location"]).content.decode()
    run_worker()
    html = client.get(response["Location"]).content.decode()
    assert f'href="/jobs/{job.pk}/file"' in html and "Download test-review.json" in html
    download = client.get(f"/jobs/{job.pk}/file")
    assert json.loads(_body(download))["review"]["slug"] == "test-review"
    client.logout()
    assert client.login(username=outsider.username, password=PASSWORD)
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404


def test_it_answers_404_once_the_file_is_cleared_away(
    review, owner, token_client, run_worker, settings
):
    client = token_client(owner)
    job_id = client.post("/api/reviews/test-review/export/").json()["id"]
    run_worker()
    for path in (settings.MEDIA_ROOT / "job-results").iterdir():
        path.unlink()
    assert client.get(f"/api/jobs/{job_id}/file/").status_code == 404


def test_it_clears_away_earlier_attempts_files_when_a_retry_succeeds(
    review, owner, token_client, run_worker, settings
):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from ichub.jobs.files import attempt_prefix, save_result
    from ichub.jobs.services import retry_job

    client = token_client(owner)
    first = client.post("/api/reviews/test-review/export/").json()["id"]
    other = client.post("/api/reviews/test-review/export/").json()["id"]
    run_worker()
    other_file = Job.objects.get(pk=other).result_file
    # Attempt 1 of `first` wrote its export, then its worker died before saying so.
    left_behind, _ = save_result("test-review.json", [b"{}"], prefix=attempt_prefix(first, 1))
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    Job.objects.filter(pk=first).update(
        status=Job.Status.RUNNING, result_file="", finished_at=None, heartbeat_at=long_ago
    )
    retry_job(job=Job.objects.get(pk=first))
    run_worker()

    job = Job.objects.get(pk=first)
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert job.result_file.startswith(f"job-results/{attempt_prefix(first, 2)}")
    assert not default_storage.exists(left_behind)
    assert default_storage.exists(job.result_file)
    assert default_storage.exists(other_file)  # another job's file is not this job's to clear
    assert _body(client.get(f"/api/jobs/{first}/file/")) == export_review_text(
        review, reader=owner
    ).encode()
