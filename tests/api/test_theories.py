"""/api/theories/: nesting, filters, flat query counts, and versioned writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt, SourceDocument
from programme_theories.models import ProgrammeTheory

pytestmark = pytest.mark.django_db


def grow_theory(world, total):
    """Give the theory `total` CMOCs, each with its own source, excerpt and evidence link."""
    have = world.theory.cmocs.count()
    for n in range(have + 1, total + 1):
        source = SourceDocument.objects.create(
            review=world.review, citation_key=f"author{n}", authors=f"Author{n}, A.",
            year=2000 + n % 25, title=f"Study {n}", doi=f"10.9/{n}",
        )
        excerpt = Excerpt.objects.create(source=source, key="e1", text=f"Finding {n}")
        cmoc = CMOC.objects.create(
            review=world.review, code=f"CMOC {n}", stage="refined", statement=f"Claim {n}",
            theory=world.theory, context=world.context, mechanism_resource=world.resource,
            mechanism_reasoning=world.reasoning, outcome=world.outcome,
        )
        EvidenceLink.objects.create(cmoc=cmoc, excerpt=excerpt, stance="supports")


def test_it_nests_cmocs_with_elements_and_cited_evidence(world, token_client, viewer):
    response = token_client(viewer).get(f"/api/theories/{world.theory.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Delivering" and body["theme_name"] == "Delivering"
    assert body["stage"] == "refined" and body["review"] == "test-review"
    [cmoc] = body["cmocs"]
    assert cmoc["code"] == "CMOC 1" and cmoc["context"]["text"] == "ICS formation"
    source = cmoc["evidence"][0]["excerpt"]["source"]
    assert (source["authors"], source["year"], source["doi"]) == (
        "Pearson, C. and Watson, N.", 2018, "10.1/abc"
    )
    # the version, then a fingerprint of the nested content (programme_theories.conditional)
    assert response["ETag"].startswith(f'"theory-{world.theory.pk}-v1-')


def test_it_fetches_a_theory_in_the_same_queries_for_5_and_200_cmocs(world, token_client,
                                                                     viewer):
    client = token_client(viewer)
    counts = []
    for size in (5, 200):
        grow_theory(world, size)
        with CaptureQueriesContext(connection) as detail:
            response = client.get(f"/api/theories/{world.theory.pk}/")
        assert response.status_code == 200 and len(response.json()["cmocs"]) == size
        with CaptureQueriesContext(connection) as listing:
            response = client.get("/api/theories/")
        assert len(response.json()["results"][0]["cmocs"]) == size
        with CaptureQueriesContext(connection) as cmoc_list:
            response = client.get("/api/cmocs/?page_size=500")
        assert len(response.json()["results"]) == size
        counts.append((len(detail), len(listing), len(cmoc_list)))
    assert counts[0] == counts[1], counts


def test_it_filters_theories(world, other, token_client, owner, staff):
    ProgrammeTheory.objects.create(review=world.review, name="Being", stage="initial_rough",
                                   statement="s")
    client = token_client(owner)

    def names(query, who=client):
        response = who.get(f"/api/theories/?{query}")
        assert response.status_code == 200
        return [t["name"] for t in response.json()["results"]]

    assert names("review=test-review") == ["Being", "Delivering"]
    assert names("stage=refined") == ["Delivering"]
    assert names(f"theme={world.theme.pk}") == ["Delivering"]
    assert names("review=other-review") == []  # invisible to the owner of test-review
    assert names("review=other-review", token_client(staff)) == ["Other Delivering"]
    assert client.get("/api/theories/?stage=final").status_code == 400


def test_it_creates_a_theory_recording_who(world, token_client, editor):
    response = token_client(editor).post(
        "/api/theories/",
        {"review": "test-review", "name": "Relating", "stage": "initial",
         "statement": "Relationships matter.", "theme": world.theme.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    theory = ProgrammeTheory.objects.get(name="Relating")
    assert theory.created_by == editor and theory.version == 1
    assert response["ETag"] == f'"theory-{theory.pk}-v1"'


def test_it_refuses_a_theme_of_another_review(world, other, token_client, staff):
    response = token_client(staff).post(
        "/api/theories/",
        {"review": "test-review", "name": "X", "stage": "initial", "statement": "s",
         "theme": other.theme.pk},
        format="json",
    )
    assert response.status_code == 400 and "theme" in response.json()
    assert not ProgrammeTheory.objects.filter(name="X").exists()


def test_it_edits_a_theory_with_if_match_and_refuses_stale_and_missing(world, token_client,
                                                                       editor):
    client = token_client(editor)
    url = f"/api/theories/{world.theory.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"statement": "No If-Match"}, format="json").status_code == 428
    ok = client.patch(url, {"statement": "Delivery needs trust."}, format="json",
                      HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"statement": "Lost update"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    world.theory.refresh_from_db()
    assert world.theory.statement == "Delivery needs trust." and world.theory.version == 2
    assert world.theory.updated_by == editor
    assert world.theory.history.first().history_user == editor


def test_it_deletes_a_theory_leaving_its_cmocs(world, token_client, owner):
    client = token_client(owner)
    url = f"/api/theories/{world.theory.pk}/"
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=f'"theory-{world.theory.pk}-v1"').status_code == 204
    assert not ProgrammeTheory.objects.filter(pk=world.theory.pk).exists()
    world.cmoc.refresh_from_db()
    assert world.cmoc.theory is None
