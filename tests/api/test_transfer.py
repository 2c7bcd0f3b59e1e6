"""The import, export and download endpoints, with their permission matrix."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from cmocs.models import CMOC
from evidence.models import SourceDocument
from ichub.models import Review
from reports.transfer import export_review_text
from tests.conftest import ICS_SLUG
from tests.evidence.importers import samples

IMPORT_URL = "/api/sources/import/"


def upload(name, text):
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


def post_import(client, review_slug, data=samples.NBIB, name="pubmed.nbib", **extra):
    return client.post(
        IMPORT_URL,
        {"file": upload(name, data), "review": review_slug, **extra},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 201), ("editor", 201), ("staff", 201), ("viewer", 403), ("outsider", 404)],
)
def test_it_lets_only_editors_import_sources(request, review, token_client, role, expected):
    user = request.getfixturevalue(role)

    response = post_import(token_client(user), review.slug)

    assert response.status_code == expected, response.content
    assert SourceDocument.objects.filter(review=review).count() == (2 if expected == 201 else 0)


def test_it_refuses_anonymous_imports(review, token_client):
    response = post_import(token_client(None), review.slug)

    assert response.status_code == 401
    assert not SourceDocument.objects.exists()


def test_it_reports_created_duplicates_and_rejected(review, editor, token_client):
    client = token_client(editor)
    post_import(client, review.slug)

    response = post_import(client, review.slug)

    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "created: 0, duplicates: 2, rejected: 0"
    assert {d["citation_key"] for d in body["duplicates"]} == {"smith2018", "smith2019"}
    assert SourceDocument.objects.filter(review=review).count() == 2


def test_it_dry_runs_over_the_api(review, editor, token_client):
    client = token_client(editor)
    response = post_import(client, review.slug, dry_run="true", kind="grey_literature")

    assert response.status_code == 200
    assert response.json()["counts"] == {
        "created": 2, "duplicates": 0, "possible_duplicates": 0, "rejected": 0
    }
    assert not SourceDocument.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ("", 400, "file"),  # DRF refuses an empty upload
        ("no references in here", 400, "file"),
        ("TY  - JOUR\nAU  - Untitled, A.\nER  - \n", 400, "file"),
    ],
)
def test_it_refuses_bad_files_with_a_clear_400(review, editor, token_client, data, status, field):
    response = post_import(token_client(editor), review.slug, data=data, name="refs.ris")

    assert response.status_code == status
    assert field in response.json()
    assert not SourceDocument.objects.exists()


def test_it_names_rejected_records_in_the_refusal(review, editor, token_client):
    data = samples.ris_record(1) + "TY  - JOUR\nAU  - Untitled, A.\nER  - \n"

    response = post_import(token_client(editor), review.slug, data=data, name="refs.ris")

    assert response.status_code == 400
    assert response.json()["report"]["rejected"] == [
        {"position": 2, "title": "", "reason": "The record has no title."}
    ]
    skipped = post_import(
        token_client(editor), review.slug, data=data, name="refs.ris", skip_invalid="true"
    )
    assert skipped.status_code == 201
    assert SourceDocument.objects.filter(review=review).count() == 1


def test_it_refuses_a_file_over_the_job_upload_limit_with_413(
    review, editor, token_client, settings
):
    settings.JOB_UPLOAD_MAX_BYTES = 1000
    data = b"TY  - JOUR\n" + b"x" * 1000

    response = post_import(token_client(editor), review.slug, data=data, name="big.ris")

    assert response.status_code == 413
    assert not SourceDocument.objects.exists()


def test_it_refuses_an_unknown_kind_and_a_missing_review(review, editor, token_client):
    client = token_client(editor)

    assert post_import(client, review.slug, kind="novel").json().keys() == {"kind"}
    assert post_import(client, "no-such-review").status_code == 404
    response = client.post(IMPORT_URL, {"review": review.slug}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 200),
        ("editor", 200),
        ("viewer", 200),
        ("staff", 200),
        ("outsider", 404),
        (None, 404),
    ],
)
def test_it_exports_a_private_review_only_to_members(
    request, review, token_client, role, expected
):
    user = request.getfixturevalue(role) if role else None

    response = token_client(user).get(f"/api/reviews/{review.slug}/export/")

    assert response.status_code == expected
    if expected == 200:
        document = json.loads(b"".join(response.streaming_content))
        assert document["review"]["slug"] == review.slug
        assert response["Content-Disposition"] == f'attachment; filename="{review.slug}.json"'


def test_it_exports_a_public_review_to_anyone(shipped, token_client):
    response = token_client(None).get(f"/api/reviews/{ICS_SLUG}/export/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == export_review_text(shipped)


def test_it_restores_a_review_and_makes_the_caller_its_owner(
    review, outsider, token_client, run_worker
):
    text = export_review_text(review).replace('"slug": "test-review"', '"slug": "restored"')

    response = token_client(outsider).post(
        "/api/reviews/import/", {"file": upload("r.json", text)}, format="multipart"
    )
    assert response.status_code == 202, response.content
    assert response["Location"].endswith(f"/api/jobs/{response.json()['id']}/")
    run_worker()

    assert Review.objects.get(slug="restored").role_of(outsider) == "owner"


def test_it_refuses_review_imports_that_clash_or_are_not_exports(review, editor, token_client):
    client = token_client(editor)
    text = export_review_text(review)

    clash = client.post(
        "/api/reviews/import/", {"file": upload("r.json", text)}, format="multipart"
    )
    junk = client.post(
        "/api/reviews/import/", {"file": upload("r.json", "{]")}, format="multipart"
    )
    anonymous = token_client(None).post(
        "/api/reviews/import/", {"file": upload("r.json", text)}, format="multipart"
    )

    assert (clash.status_code, junk.status_code, anonymous.status_code) == (409, 400, 401)
    assert "already exists" in clash.json()["file"][0]
    assert Review.objects.count() == 1


def test_it_downloads_the_cmoc_table_as_xlsx(shipped, token_client):
    response = token_client(None).get(f"/api/reviews/{ICS_SLUG}/downloads/cmoc-table.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2] == "Refined"]
    assert codes == [f"CMOC {n}" for n in range(1, 7)]


def test_it_downloads_the_rameses_report_as_docx(shipped, token_client):
    response = token_client(None).get(
        f"/api/reviews/{ICS_SLUG}/downloads/rameses-report.docx"
    )

    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Main findings" in text and "CMOC 6" in text


@pytest.mark.parametrize("name", ["cmoc-table.csv", "sources.ris", "rameses-report.md"])
def test_it_hides_a_private_reviews_downloads(review, outsider, viewer, token_client, name):
    CMOC.objects.create(review=review, code="CMOC 1", stage="initial", statement="A statement")
    url = f"/api/reviews/{review.slug}/downloads/{name}"

    assert token_client(outsider).get(url).status_code == 404
    assert token_client(None).get(url).status_code == 404
    assert token_client(viewer).get(url).status_code == 200


def test_it_404s_an_unknown_download(review, owner, token_client):
    response = token_client(owner).get(f"/api/reviews/{review.slug}/downloads/passwords.txt")

    assert response.status_code == 404
