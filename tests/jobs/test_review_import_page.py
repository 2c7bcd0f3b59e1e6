"""The browser's whole-review import: upload -> job -> progress page -> the new review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ichub.jobs.models import Job
from ichub.models import Review
from reports.transfer import export_review_text
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/reviews/import/"


def _export(review, slug):
    return export_review_text(review).replace('"slug": "test-review"', f'"slug": "{slug}"')


def _upload(text, name="review.json"):
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="application/json")}


def test_it_restores_an_uploaded_export_as_a_job_and_links_the_new_review(
    client, review, outsider, run_worker
):
    client.login(username=outsider.username, password=PASSWORD)
    page = client.get(PAGE)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    assert f'href="{PAGE}"' in client.get("/reviews/new/").content.decode()

    response = client.post(PAGE, _upload(_export(review, "restored")))

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "review.import" and job.owner == outsider
    assert 'hx-trigger="every' in client.get(f"/jobs/{job.pk}/").content.decode()
    run_worker()
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-status="succeeded"' in html and 'href="/reviews/restored/"' in html
    assert Review.objects.get(slug="restored").role_of(outsider) == "owner"
    assert client.get("/reviews/restored/").status_code == 200


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ("not json at all", 400, "not JSON"),
        ('{"format": "something-else"}', 400, "not an ichub review export"),
        (None, 409, "already exists"),  # the review's own export: its slug is taken
    ],
)
def test_it_refuses_a_file_it_cannot_restore_at_once_and_starts_nothing(
    client, review, owner, settings, text, status, message
):
    client.login(username=owner.username, password=PASSWORD)
    text = text if text is not None else _export(review, "test-review")
    response = client.post(PAGE, _upload(text))
    html = response.content.decode()
    assert response.status_code == status
    assert message in html and 'id="id_file_error"' in html
    assert not Job.objects.exists()
    assert not (settings.MEDIA_ROOT / "job-uploads").exists() or not any(
        (settings.MEDIA_ROOT / "job-uploads").iterdir()
    )


def test_it_refuses_a_missing_or_oversized_file(client, review, owner, settings):
    client.login(username=owner.username, password=PASSWORD)
    assert client.post(PAGE, {}).status_code == 400
    settings.JOB_UPLOAD_MAX_BYTES = 100
    response = client.post(PAGE, _upload(_export(review, "too-big")))
    assert response.status_code == 400 and "over the 0 MB limit" in response.content.decode()
    assert not Job.objects.exists()


def test_it_asks_strangers_to_log_in_and_starts_nothing(client, review):
    assert client.get(PAGE).status_code == 302
    response = client.post(PAGE, _upload(_export(review, "anon")))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Job.objects.exists()
