"""REFI-QDA over the API and in the browser: download, import with a report, code mapping."""

import io
import zipfile

from django.urls import reverse
from lxml import etree

from cmocs.models import Context, Mechanism
from evidence.models import ImportedCode, SourceDocument
from ichub.models import Membership, Review
from tests.shared_files import shared_file

from .conftest import upload


def test_api_downloads_a_valid_qdpx_to_readers_only(token_client, viewer, outsider, attached):
    url = f"/api/reviews/{attached.source.review.slug}/downloads/project.qdpx"
    assert token_client(outsider).get(url).status_code == 404
    response = token_client(viewer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    qde = zipfile.ZipFile(io.BytesIO(response.content)).read("project.qde")
    schema = etree.XMLSchema(etree.parse(str(shared_file("refi-qda", "Project.xsd"))))
    schema.assertValid(etree.fromstring(qde))


def test_api_imports_a_qdpx_into_a_review_the_caller_edits(token_client, editor, viewer,
                                                            attached, commits):
    data = token_client(editor).get(
        f"/api/reviews/{attached.source.review.slug}/downloads/project.qdpx").content
    fresh = Review.objects.create(slug="fresh", title="Fresh")
    Membership.objects.create(review=fresh, user=editor, role="editor")
    Membership.objects.create(review=fresh, user=viewer, role="viewer")
    url = "/api/reviews/fresh/qda-import/"
    assert token_client(viewer).post(url, {"file": upload("p.qdpx", data)},
                                     format="multipart").status_code == 403
    bad = token_client(editor).post(url, {"file": upload("p.qdpx", b"PK\x03\x04 not a zip")},
                                    format="multipart")
    assert bad.status_code == 400 and "not a zip" in bad.json()["file"][0]
    with commits(execute=True):
        good = token_client(editor).post(url, {"file": upload("p.qdpx", data)},
                                         format="multipart")
    assert good.status_code == 201 and good.json()["sources"] == ["smith2021"]
    assert SourceDocument.objects.get(review=fresh).full_text.status == "ready"


def test_browser_import_shows_the_report_and_maps_codes(client, editor, review):
    qdc = (b'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
           b'origin="NVivo 14"><Codes><Code guid="11111111-1111-1111-1111-111111111111" '
           b'name="Trust" isCodable="true"><Description>Trust between partners</Description>'
           b'</Code><Code guid="22222222-2222-2222-2222-222222222222" name="Misc" '
           b'isCodable="true"/></Codes></CodeBook>')
    client.force_login(editor)
    response = client.post(reverse("sources_import:qda", args=[review.slug]),
                           {"file": upload("book.qdc", qdc)}, follow=True)
    page = response.content.decode()
    assert "from NVivo 14" in page and "2 codes" in page
    trust = ImportedCode.objects.get(review=review, name="Trust")
    misc = ImportedCode.objects.get(review=review, name="Misc")
    url = reverse("sources_import:qda_codes", args=[review.slug])
    client.post(url, {f"code-{trust.pk}": "mechanism_resource", f"code-{misc.pk}": "skip"})
    client.post(url, {f"code-{trust.pk}": "mechanism_resource"})  # twice makes one element
    mechanism = Mechanism.objects.get(review=review)
    assert (mechanism.kind, mechanism.text) == ("resource", "Trust between partners")
    misc.refresh_from_db()
    assert misc.mapping == "skip" and not Context.objects.filter(review=review).exists()


def test_browser_import_refuses_a_hostile_file_with_a_clear_message(client, editor, review):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", b"<Project/>")
        archive.writestr("../escape.txt", b"x")
    client.force_login(editor)
    response = client.post(reverse("sources_import:qda", args=[review.slug]),
                           {"file": upload("p.qdpx", buffer.getvalue())})
    assert response.status_code == 400 and "outside itself" in response.content.decode()
