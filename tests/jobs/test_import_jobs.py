"""Whole-review and large reference imports run as jobs, from uploads streamed to storage."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from evidence.importers import services
from evidence.models import SourceDocument
from ichub.jobs.models import Job
from ichub.jobs.runner import JobRun
from ichub.models import Review
from ichub.security import RequestBodyLimitMiddleware
from reports.transfer import export_review_text
from tests.conftest import PASSWORD
from tests.evidence.importers import samples

pytestmark = pytest.mark.django_db


def _stored_uploads(settings):
    folder = settings.MEDIA_ROOT / "job-uploads"
    return os.listdir(folder) if folder.exists() else []


def _restore(client, text):
    return client.post(
        "/api/reviews/import/",
        {"file": SimpleUploadedFile("r.json", text.encode())},
        format="multipart",
    )


def test_it_restores_a_review_larger_than_the_request_limit_as_a_job(
    review, outsider, token_client, run_worker, settings
):
    # Padding after the document: a real export's size without building 10 MB of rows.
    text = export_review_text(review).replace('"slug": "test-review"', '"slug": "big"')
    text += " " * (settings.MAX_REQUEST_BODY_BYTES + 1)
    client = token_client(outsider)

    response = _restore(client, text)

    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.kind == "review.import" and job.status == "queued" and job.review is None
    assert len(_stored_uploads(settings)) == 1
    run_worker()
    body = client.get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded", body
    assert body["review"] == "big" and body["result_url"] == "/reviews/big/"
    assert body["progress"]["total"] == len(text) and body["progress"]["percent"] == 100
    assert body["result"]["review"] == "big"
    assert Review.objects.get(slug="big").role_of(outsider) == "owner"
    assert _stored_uploads(settings) == []  # the upload is removed once restored


def test_it_fails_a_restore_job_with_the_reason_and_writes_nothing(
    review, outsider, token_client, run_worker, settings
):
    text = export_review_text(review).replace('"slug": "test-review"', '"slug": "cut"')
    text = text.replace('"cmocs": []', '"cmocs": [{]')  # the header is fine, a section is not
    response = _restore(token_client(outsider), text)
    assert response.status_code == 202
    run_worker()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "failed" and "JSON" in job.error
    assert not Review.objects.filter(slug="cut").exists()
    assert _stored_uploads(settings) == []


def test_it_fails_a_restore_job_whose_upload_has_gone(
    review, outsider, token_client, run_worker, settings
):
    text = export_review_text(review).replace('"slug": "test-review"', '"slug": "gone"')
    job_id = _restore(token_client(outsider), text).json()["id"]
    (settings.MEDIA_ROOT / "job-uploads" / _stored_uploads(settings)[0]).unlink()
    run_worker()
    job = Job.objects.get(pk=job_id)
    assert job.status == "failed" and "upload it again" in job.error


def test_it_imports_a_large_reference_file_as_a_job(
    review, editor, token_client, run_worker, settings
):
    settings.REFERENCE_IMPORT_JOB_BYTES = 100  # samples.NBIB is larger
    client = token_client(editor)
    response = client.post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("pubmed.nbib", samples.NBIB.encode()), "review": review.slug},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    assert not SourceDocument.objects.exists()
    run_worker()
    body = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert body["status"] == "succeeded" and body["result"]["counts"]["created"] == 2
    assert body["result_url"] == f"/reviews/{review.slug}/sources/"
    assert SourceDocument.objects.filter(review=review).count() == 2


def _ris(count):
    return "".join(
        f"TY  - JOUR\nTI  - Study number {n} of ward leadership\nAU  - Author{n}, A.\n"
        f"PY  - {1990 + n % 30}\nER  - \n\n"
        for n in range(count)
    ).encode()


def test_it_advances_a_reference_import_jobs_progress_batch_by_batch(
    review, editor, token_client, run_worker, settings, monkeypatch
):
    """11 records in batches of 3: each batch is read, matched, then saved before the next
    is read from the stored file, and the bar moves at each of those steps."""
    settings.REFERENCE_IMPORT_JOB_BYTES = 100
    monkeypatch.setattr("evidence.importers.batches.READ_BATCH", 3)
    seen, parsing = [], {"ended": False, "rows_before_batch": []}
    write = JobRun._write
    read_references = services.read_references

    def watched(run, force=False):
        write(run, force)
        seen.append((run.job.progress_done, run.job.progress_total, parsing["ended"]))

    def watched_batches(batches):
        for batch in batches:
            parsing["rows_before_batch"].append(
                SourceDocument.objects.filter(review=review).count())
            yield batch
        parsing["ended"] = True

    def parse_and_watch(*args, **kwargs):
        parsed = read_references(*args, **kwargs)
        parsed.batches = watched_batches(parsed.batches)
        return parsed

    monkeypatch.setattr(JobRun, "_write", watched)
    monkeypatch.setattr(services, "read_references", parse_and_watch)
    client = token_client(editor)
    response = client.post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("many.ris", _ris(11)), "review": review.slug},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    run_worker()

    body = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert body["status"] == "succeeded" and body["result"]["counts"]["created"] == 11
    # Units: 11 read, 11 matched, 11 saved.
    assert body["progress"] == {"done": 33, "total": 33, "percent": 100}
    # Each batch was written before the next one was read (in the job's transaction).
    assert parsing["rows_before_batch"] == [0, 3, 6, 9]
    assert seen[0] == (0, None, False)  # "Reading 1,234 bytes of many.ris."
    # Known from the start: 3 units for each record the file starts (every one valid).
    assert {total for _, total, _ in seen[1:]} == {33}
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and done[-1] == 33  # it only goes forward
    # Read, matched, saved: three at a time, while the file was still being read.
    assert sorted({d for d, _, ended in seen if not ended}) == [
        0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 29, 31, 33]


def test_it_refuses_a_large_reference_import_to_a_viewer_before_storing_it(
    review, viewer, token_client, settings
):
    settings.REFERENCE_IMPORT_JOB_BYTES = 100
    response = token_client(viewer).post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("pubmed.nbib", samples.NBIB.encode()), "review": review.slug},
        format="multipart",
    )
    assert response.status_code == 403
    assert not Job.objects.exists() and _stored_uploads(settings) == []


def test_it_sends_the_browser_to_the_progress_page_for_a_large_file(
    client, review, editor, settings, run_worker
):
    settings.REFERENCE_IMPORT_JOB_BYTES = 100
    client.login(username=editor.username, password=PASSWORD)
    response = client.post(
        f"/reviews/{review.slug}/sources/import/",
        {"file": SimpleUploadedFile("pubmed.nbib", samples.NBIB.encode()),
         "kind": "empirical_study"},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    run_worker()
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Created: 2, duplicates: 0, rejected: 0." in html
    assert f'href="/reviews/{review.slug}/sources/"' in html


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/reviews/import/", True),
        ("/api/sources/import/", True),
        ("/reviews/test-review/sources/import/", True),
        ("/api/cmocs/", False),
    ],
)
def test_it_lets_only_job_uploads_past_the_request_limit(settings, path, allowed):
    declared = settings.MAX_REQUEST_BODY_BYTES + 1
    request = RequestFactory().post(path, data=b"", content_type="application/octet-stream",
                                    CONTENT_LENGTH=str(declared))
    middleware = RequestBodyLimitMiddleware(lambda request: "passed")
    assert (middleware(request) == "passed") is allowed
    over = RequestFactory().post(path, data=b"", content_type="application/octet-stream",
                                 CONTENT_LENGTH=str(settings.JOB_UPLOAD_MAX_BYTES + 1))
    assert middleware(over).status_code == 413
