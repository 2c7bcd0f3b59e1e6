"""The import's decisions on every surface: possible duplicates ticked in the browser preview,
`import_positions` and `encoding` over the API, `--import-positions` and `--encoding` in the
command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from evidence.models import SourceDocument

pytestmark = pytest.mark.django_db

RECURRING = b"""TY  - JOUR
TI  - Editorial
T2  - Journal of Integrated Care
PY  - 2019
VL  - 27
SP  - 1
ER  -

TY  - JOUR
TI  - Editorial
T2  - Journal of Integrated Care
PY  - 2019
VL  - 28
SP  - 1
ER  -
"""
GBK = "@article{k, author={凯撒}, title={Test Title}, year=2013}\n".encode("gbk")


def test_it_lets_the_user_tick_a_possible_duplicate_in_the_preview(review, editor, client):
    client.force_login(editor)
    url = f"/reviews/{review.slug}/sources/import/"

    preview = client.post(url, {"file": SimpleUploadedFile("r.ris", RECURRING),
                                "kind": "empirical_study"})

    html = preview.content.decode()
    assert "Possible duplicates, held back unless you import them (1)" in html
    assert 'name="import_position" value="2"' in html
    client.post(url, {"confirm": "1", "import_position": ["2"]})
    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 2


def test_it_holds_back_a_possible_duplicate_left_unticked(review, editor, client):
    client.force_login(editor)
    url = f"/reviews/{review.slug}/sources/import/"
    client.post(url, {"file": SimpleUploadedFile("r.ris", RECURRING), "kind": "empirical_study"})

    client.post(url, {"confirm": "1"})

    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 1


def test_it_asks_for_the_encoding_in_the_form_and_reads_the_file_with_it(review, editor, client):
    client.force_login(editor)
    url = f"/reviews/{review.slug}/sources/import/"

    refused = client.post(url, {"file": SimpleUploadedFile("g.bib", GBK),
                                "kind": "empirical_study"})
    assert refused.status_code == 400
    assert "cannot be told for sure" in refused.content.decode()

    preview = client.post(url, {"file": SimpleUploadedFile("g.bib", GBK),
                                "kind": "empirical_study", "encoding": "gbk"})
    assert "in the gbk encoding" in preview.content.decode()
    client.post(url, {"confirm": "1"})
    assert SourceDocument.objects.get(review=review).authors == "凯撒"


def test_it_takes_import_positions_and_encoding_over_the_api(review, token_client, editor):
    client = token_client(editor)

    response = client.post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("r.ris", RECURRING), "review": review.slug,
         "import_positions": [2]},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["possible_duplicates"][0]["imported"] is True

    bad = client.post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("g.bib", GBK), "review": review.slug, "encoding": "rot13"},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "Unknown text encoding" in bad.json()["encoding"][0]


def test_it_takes_import_positions_and_encoding_in_the_command(review, tmp_path):
    recurring, gbk = tmp_path / "r.ris", tmp_path / "g.bib"
    recurring.write_bytes(RECURRING)
    gbk.write_bytes(GBK)
    out = io.StringIO()

    call_command("import_sources", review.slug, str(recurring), stdout=out)
    assert "record 2: possible duplicate of record 1 (differs in volume): held back" in (
        out.getvalue()
    )
    call_command("import_sources", review.slug, str(recurring), "--import-positions", "2",
                 stdout=out)
    call_command("import_sources", review.slug, str(gbk), "--encoding", "gbk", stdout=out)

    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 2
    assert SourceDocument.objects.filter(review=review, authors="凯撒").exists()


def test_it_imports_every_possible_duplicate_at_once_from_the_preview(review, editor, client):
    client.force_login(editor)
    url = f"/reviews/{review.slug}/sources/import/"
    preview = client.post(url, {"file": SimpleUploadedFile("r.ris", RECURRING),
                                "kind": "empirical_study"})
    assert 'name="import_all_possible"' in preview.content.decode()

    client.post(url, {"confirm": "1", "import_all_possible": "1"})

    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 2


def test_it_keeps_the_import_decisions_of_a_file_imported_as_a_job(
    review, editor, token_client, run_worker, settings
):
    settings.REFERENCE_IMPORT_JOB_BYTES = 10  # every file is a job
    client = token_client(editor)

    for upload, options in ((SimpleUploadedFile("r.ris", RECURRING), {"import_all_possible": True}),
                            (SimpleUploadedFile("g.bib", GBK), {"encoding": "gbk"})):
        response = client.post("/api/sources/import/",
                               {"file": upload, "review": review.slug, **options},
                               format="multipart")
        assert response.status_code == 202, response.content
    run_worker()

    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 2
    assert SourceDocument.objects.filter(review=review, authors="凯撒").exists()


def test_it_offers_the_possible_duplicate_decision_before_a_background_import(
    review, editor, client, run_worker, settings
):
    settings.REFERENCE_IMPORT_JOB_BYTES = 10
    client.force_login(editor)

    response = client.post(f"/reviews/{review.slug}/sources/import/",
                           {"file": SimpleUploadedFile("r.ris", RECURRING),
                            "kind": "empirical_study", "import_all_possible": "on"})
    assert response.status_code == 302
    run_worker()

    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 2


def test_it_imports_every_possible_duplicate_with_the_command(review, tmp_path):
    recurring = tmp_path / "r.ris"
    recurring.write_bytes(RECURRING)

    call_command("import_sources", review.slug, str(recurring), "--import-positions", "all",
                 stdout=io.StringIO())

    assert SourceDocument.objects.filter(review=review, title="Editorial").count() == 2
