"""The whole-review archive: the JSON document plus the bytes of the stored full texts, so a
review moves to another instance (another storage) with its PDFs and anchors intact."""

import hashlib
import io
import zipfile

import pytest

from evidence.fulltexts import services
from evidence.models import ExcerptAnchor, FullText
from ichub.jobs.models import Job
from ichub.models import Review
from reports.transfer import TransferRefused, export_review_text
from reports.transfer.archive import import_archive, write_archive

from .conftest import upload

PHRASE = "Leaders who built trust across organisations"


@pytest.fixture
def anchored(attached, editor):
    text = "".join(p.text for p in attached.pages.order_by("number"))
    start = text.index(PHRASE)
    services.create_anchored_excerpt(full_text=attached, start=start, end=start + len(PHRASE),
                                     exact=PHRASE, user=editor)
    return attached


def _anchors(review):
    return list(ExcerptAnchor.objects.filter(excerpt__source__review=review).values_list(
        "page", "start", "end", "exact", "prefix", "suffix", "orphaned"))


def _forget(review):
    """Delete the review and its stored files, as if restoring on another instance."""
    for full_text in FullText.objects.filter(source__review=review):
        full_text.file.storage.delete(full_text.file.name)
    review.delete()


def test_it_restores_the_files_and_anchors_byte_for_byte(anchored, review, study_pdf):
    document = export_review_text(review)
    anchors, stored_name = _anchors(review), anchored.file.name
    archive = io.BytesIO()
    assert write_archive(review, archive) == []
    members = zipfile.ZipFile(archive)
    assert members.namelist() == ["review.json", f"files/{anchored.sha256}"]
    assert members.read("review.json") == document.encode()
    assert members.read(f"files/{anchored.sha256}") == study_pdf

    _forget(review)
    archive.seek(0)
    report = import_archive(handle=archive)
    restored = Review.objects.get(slug=review.slug)
    assert report.files == {"restored": 1, "missing": []}
    full_text = FullText.objects.get(source__review=restored)
    assert full_text.file.name == stored_name
    assert hashlib.sha256(full_text.file.read()).hexdigest() == anchored.sha256
    assert _anchors(restored) == anchors
    assert export_review_text(restored) == document


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_it_refuses_a_file_whose_bytes_are_not_its_sha256_and_leaves_nothing(anchored, review):
    document = export_review_text(review).encode()
    stored = FullText.objects.get(pk=anchored.pk)
    _forget(review)
    forged = _zip({"review.json": document, f"files/{stored.sha256}": b"%PDF-1.4 other"})
    with pytest.raises(TransferRefused, match="SHA-256 differs"):
        import_archive(handle=io.BytesIO(forged))
    assert not Review.objects.filter(slug=review.slug).exists()
    assert not stored.file.storage.exists(stored.file.name)


@pytest.mark.parametrize("members, problem", [
    ({"../review.json": b"{}"}, "holds '../review.json'"),
    ({"files/abc": b"x"}, "holds 'files/abc'"),
    ({"files/" + "a" * 64: b"x"}, "has no review.json"),
    ({"review.json": b" " * 1_000_000}, "possible zip bomb"),
])
def test_the_api_refuses_a_hostile_archive_before_queueing(token_client, editor, members,
                                                           problem):
    response = token_client(editor).post(
        "/api/reviews/import/", {"file": upload("r.zip", _zip(members))}, format="multipart")
    assert response.status_code == 400 and problem in response.json()["file"][0]
    assert not Job.objects.exists()


def test_the_api_round_trip_through_jobs(anchored, review, editor, token_client, client,
                                         study_pdf, commits):
    anchors = _anchors(review)
    client = token_client(editor)
    with commits(execute=True):
        started = client.post(f"/api/reviews/{review.slug}/export/archive/")
    assert started.status_code == 202
    job = client.get(started["Location"]).json()
    assert job["status"] == "succeeded" and job["kind"] == "review.export_archive"
    archive = b"".join(client.get(job["file_url"]).streaming_content)

    _forget(review)
    with commits(execute=True):
        restored_job = client.post("/api/reviews/import/",
                                   {"file": upload("review.zip", archive)}, format="multipart")
    assert restored_job.status_code == 202
    job = client.get(restored_job["Location"]).json()
    assert job["status"] == "succeeded", job
    assert job["result"]["files"] == {"restored": 1, "missing": []}
    restored = Review.objects.get(slug=review.slug)
    assert _anchors(restored) == anchors
    source = FullText.objects.get(source__review=restored).source
    client.force_login(editor)  # who restored it owns it
    served = client.get(f"/reviews/{restored.slug}/sources/{source.pk}/full-text/file/")
    assert b"".join(served.streaming_content) == study_pdf


@pytest.mark.parametrize("who, api, browser", [
    ("viewer", 202, 302), ("outsider", 404, 404), (None, 401, 302)])
def test_who_may_make_an_archive(token_client, client, review, who, api, browser, request):
    """Whoever may read the review may have its archive made (the job and file are theirs)."""
    user = request.getfixturevalue(who) if who else None
    assert token_client(user).post(f"/api/reviews/{review.slug}/export/archive/").status_code \
        == api
    if user:
        client.force_login(user)
    response = client.post(f"/reviews/{review.slug}/reports/export/archive/")
    assert response.status_code == browser
    if browser == 302:
        started = Job.objects.filter(kind="review.export_archive", owner=user)
        assert response.url == (f"/jobs/{started.order_by('pk').last().pk}/" if user
                                else response.url)
        assert ("login" in response.url) == (user is None)
    assert Job.objects.filter(kind="review.export_archive").count() == (
        2 if who == "viewer" else 0)


def test_the_commands_write_and_restore_an_archive(anchored, review, tmp_path, study_pdf):
    from django.core.management import call_command

    path = tmp_path / "review.zip"
    call_command("export_review", review.slug, "--archive", "-o", str(path))
    document = export_review_text(review)
    _forget(review)
    call_command("import_review", str(path))
    restored = Review.objects.get(slug=review.slug)
    assert FullText.objects.get(source__review=restored).file.read() == study_pdf
    assert export_review_text(restored) == document


def test_the_import_page_restores_an_archive(anchored, review, editor, client, study_pdf,
                                             commits):
    archive = io.BytesIO()
    write_archive(review, archive)
    _forget(review)
    client.force_login(editor)
    with commits(execute=True):
        response = client.post("/reviews/import/", {"file": upload("r.zip", archive.getvalue())})
    job = Job.objects.get(kind="review.import_archive")
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["files"]["restored"] == 1
    restored = Review.objects.get(slug=review.slug)
    assert FullText.objects.get(source__review=restored).file.read() == study_pdf
