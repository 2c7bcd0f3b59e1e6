"""One source by hand: add (every field, kind), edit, delete one no CMOC evidence uses."""

import io
import re

import pytest

from cmocs import services as cmoc_services
from cmocs.models import EvidenceLink
from evidence.importers.types import CSL_TYPES
from evidence.models import Excerpt, SourceDocument
from reports.references import to_ris
from tests.evidence.importers import samples

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "outsider", "viewer", "editor", "owner"]
SOURCES = "/reviews/test-review/sources/"
DENIED = {"anonymous": 302, "outsider": 404, "viewer": 403}


@pytest.fixture
def as_role(client, request, review):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client
    return login


def source_data(**fields):
    return {"kind": "policy_guidance", "title": "Integrated care systems: design framework",
            "authors": "NHS England", "year": "2021", "container": "NHS England",
            "volume": "", "issue": "", "pages": "1-40", "doi": "10.1000/icsdesign",
            "url": "https://example.org/ics", "abstract": "How ICSs are set up.", "phase": "",
            "citation_key": "", "notes": "", **fields}


@pytest.mark.parametrize("role", ROLES)
def test_editors_and_owners_add_a_source_with_every_field(as_role, role, review, editor):
    response = as_role(role).post(f"{SOURCES}new/", source_data())
    assert response.status_code == DENIED.get(role, 302)
    assert SourceDocument.objects.exists() == (role in {"editor", "owner"})
    if role in {"editor", "owner"}:
        source = SourceDocument.objects.get()
        assert response["Location"] == f"{SOURCES}{source.pk}/"
        assert (source.kind, source.citation_key, source.pages, source.doi) == (
            "policy_guidance", "england2021", "1-40", "10.1000/icsdesign")


def test_a_second_source_by_the_same_author_and_year_gets_the_next_key(as_role, review):
    client = as_role("editor")
    client.post(f"{SOURCES}new/", source_data(doi=""))
    client.post(f"{SOURCES}new/", source_data(doi="", title="Another"))
    assert sorted(SourceDocument.objects.values_list("citation_key", flat=True)) == [
        "england2021", "england2021b"]


def test_a_duplicate_doi_keeps_the_typing_and_names_the_field(as_role, review):
    client = as_role("editor")
    client.post(f"{SOURCES}new/", source_data())
    response = client.post(f"{SOURCES}new/", source_data(doi="10.1000/ICSDESIGN",
                                                         abstract="Typed with care"))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_doi_error"' in body and "Typed with care" in body
    assert SourceDocument.objects.count() == 1


def test_a_bad_year_is_named(as_role, review):
    response = as_role("editor").post(f"{SOURCES}new/", source_data(year="twenty"))
    assert response.status_code == 400 and 'id="id_year_error"' in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_editors_and_owners_edit_a_source(as_role, role, review):
    source = SourceDocument.objects.create(review=review, citation_key="a2020", title="Old")
    response = as_role(role).post(f"{SOURCES}{source.pk}/edit/",
                                  source_data(title="New", citation_key="a2020", version=1))
    assert response.status_code == DENIED.get(role, 302)
    source.refresh_from_db()
    assert source.title == ("New" if role in {"editor", "owner"} else "Old")


@pytest.mark.parametrize("role", ROLES)
def test_editors_and_owners_delete_an_unused_source(as_role, role, review):
    source = SourceDocument.objects.create(review=review, citation_key="a2020", title="Old")
    response = as_role(role).post(f"{SOURCES}{source.pk}/delete/")
    assert response.status_code == DENIED.get(role, 302)
    assert SourceDocument.objects.exists() == (role not in {"editor", "owner"})


def test_a_source_that_is_evidence_for_a_cmoc_is_not_deleted(as_role, review, owner):
    source = SourceDocument.objects.create(review=review, citation_key="a2020", title="Used")
    excerpt = Excerpt.objects.create(source=source, key="x1", text="Quote")
    cmoc = cmoc_services.create_cmoc(review=review, user=owner, code="CMOC 7", statement="s")
    EvidenceLink.objects.create(cmoc=cmoc, excerpt=excerpt, element="whole", stance="supports")
    response = as_role("editor").post(f"{SOURCES}{source.pk}/delete/", follow=True)
    assert "evidence for CMOC 7" in response.content.decode()
    assert SourceDocument.objects.filter(pk=source.pk).exists()


def test_the_source_page_links_to_its_appraisal_form(as_role, review):
    source = SourceDocument.objects.create(review=review, citation_key="a2020", title="Old")
    page = as_role("editor").get(f"{SOURCES}{source.pk}/").content.decode()
    assert f'href="/reviews/test-review/screening/appraisal/{source.pk}/"' in page


def test_the_import_preview_sets_the_kind_of_each_record(as_role, review):
    client = as_role("editor")
    upload = io.BytesIO(samples.NBIB.encode())
    upload.name = "pubmed.nbib"
    preview = client.post("/reviews/test-review/sources/import/",
                          {"file": upload, "kind": "empirical_study"}).content.decode()
    selects = re.findall(r'<select name="(kind-\d+)" form="import-confirm"', preview)
    assert len(selects) == 2
    client.post("/reviews/test-review/sources/import/",
                {"confirm": "1", selects[0]: "grey_literature", selects[1]: "empirical_study"})
    assert sorted(SourceDocument.objects.values_list("kind", flat=True)) == [
        "empirical_study", "grey_literature"]


def test_the_import_refuses_an_unknown_kind_for_a_record(as_role, review):
    client = as_role("editor")
    upload = io.BytesIO(samples.NBIB.encode())
    upload.name = "pubmed.nbib"
    client.post("/reviews/test-review/sources/import/", {"file": upload, "kind": "other"})
    response = client.post("/reviews/test-review/sources/import/",
                           {"confirm": "1", "kind-1": "novel"}, follow=True)
    assert "Unknown kind" in response.content.decode()
    assert not SourceDocument.objects.exists()


def test_it_adds_a_chapter_with_its_type_editors_publisher_and_genre(as_role, review):
    client = as_role("editor")
    response = client.post(f"{SOURCES}new/", source_data(
        kind="substantive_theory", reference_type="chapter", title="Leading systems",
        authors="Timmins, N.", editors="Ham, C.; Alderwick, H.", container="Health systems",
        publisher="The King's Fund", doi=""))
    assert response.status_code == 302
    source = SourceDocument.objects.get()
    assert (source.reference_type, source.editors, source.publisher) == (
        "chapter", "Ham, C.; Alderwick, H.", "The King's Fund")
    ris = to_ris([source]).decode()
    assert "TY  - CHAP" in ris and "PB  - The King's Fund" in ris
    assert "A2  - Ham, C." in ris and "A2  - Alderwick, H." in ris
    page = client.get(response["Location"]).content.decode()
    assert "chapter" in page and "The King&#x27;s Fund" in page


def test_it_keeps_a_report_genre_for_the_ris_export(as_role, review):
    client = as_role("editor")
    client.post(f"{SOURCES}new/", source_data(reference_type="report",
                                              genre="Government document"))
    source = SourceDocument.objects.get()
    assert source.genre == "Government document"
    assert "TY  - GOVDOC" in to_ris([source]).decode()


def test_it_refuses_a_reference_type_csl_does_not_know_and_keeps_the_typing(as_role, review):
    response = as_role("editor").post(f"{SOURCES}new/", source_data(
        reference_type="journal", abstract="Typed with care"))
    assert response.status_code == 400
    assert not SourceDocument.objects.exists()
    page = response.content.decode()
    assert "Unknown reference type" in page or "Select a valid choice" in page
    assert "Typed with care" in page


def test_it_offers_every_csl_type_on_the_form(as_role, review):
    page = as_role("editor").get(f"{SOURCES}new/").content.decode()
    assert all(f'value="{name}"' in page for name in CSL_TYPES)
    assert 'name="editors"' in page and 'name="publisher"' in page and 'name="genre"' in page
