"""Mass assignment: clients cannot set `version`, authorship or status, nor reach other reviews."""

import pytest

from cmocs.models import CMOC, EvidenceLink
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review, owner):
    return build_review_rows(review, owner)


@pytest.fixture
def other(other_review, outsider):
    return build_review_rows(other_review, outsider, prefix="Other ")


def test_it_ignores_version_authorship_and_status_sent_on_create(
    world, editor, outsider, token_client
):
    response = token_client(editor).post("/api/cmocs/", {
        "review": world.review.slug, "code": "CMOC 5", "statement": "Honest.",
        "version": 99, "created_by": outsider.username, "updated_by": outsider.username,
        "status": "merged", "id": 424242,
    }, format="json")

    assert response.status_code == 201, response.content
    cmoc = CMOC.objects.get(pk=response.json()["id"])
    assert cmoc.pk != 424242
    assert (cmoc.version, cmoc.status) == (1, CMOC.Status.ACTIVE)
    assert cmoc.created_by == editor and cmoc.updated_by == editor


def test_it_ignores_a_version_sent_in_an_edit_and_counts_it_itself(world, editor, token_client):
    response = token_client(editor).patch(
        f"/api/cmocs/{world.cmoc.pk}/",
        {"statement": "Edited.", "version": 50, "status": "dropped"},
        format="json", HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v1"',
    )

    assert response.status_code == 200, response.content
    world.cmoc.refresh_from_db()
    assert (world.cmoc.version, world.cmoc.status) == (2, CMOC.Status.ACTIVE)
    assert world.cmoc.statement == "Edited."


def test_it_refuses_to_move_a_cmoc_into_another_review(world, other, editor, token_client):
    response = token_client(editor).patch(
        f"/api/cmocs/{world.cmoc.pk}/", {"review": other.review.slug}, format="json",
        HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v1"',
    )

    assert response.status_code == 400
    assert "review" in response.json()
    world.cmoc.refresh_from_db()
    assert world.cmoc.review == world.review and world.cmoc.version == 1


def test_it_refuses_to_create_a_cmoc_in_a_review_the_caller_cannot_see(
    world, other, editor, token_client
):
    before = CMOC.objects.filter(review=other.review).count()

    response = token_client(editor).post("/api/cmocs/", {
        "review": other.review.slug, "code": "CMOC 8", "statement": "Planted.",
    }, format="json")

    assert response.status_code == 400
    assert "review" in response.json()
    assert CMOC.objects.filter(review=other.review).count() == before


@pytest.mark.parametrize("slot", ["context", "mechanism_resource", "outcome"])
def test_it_refuses_another_reviews_element_by_id(world, other, editor, token_client, slot):
    element = {"context": other.context, "mechanism_resource": other.resource,
               "outcome": other.outcome}[slot]

    response = token_client(editor).patch(
        f"/api/cmocs/{world.cmoc.pk}/", {slot: element.pk}, format="json",
        HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v1"',
    )

    assert response.status_code == 400
    assert slot in response.json()
    world.cmoc.refresh_from_db()
    assert getattr(world.cmoc, f"{slot}_id") != element.pk and world.cmoc.version == 1


def test_it_refuses_evidence_from_another_reviews_excerpt_or_onto_its_cmoc(
    world, other, editor, token_client
):
    client = token_client(editor)
    before = EvidenceLink.objects.count()

    foreign_excerpt = client.post("/api/evidence-links/", {
        "cmoc": world.cmoc.pk, "excerpt": other.excerpt.pk, "element": "context",
    }, format="json")
    foreign_cmoc = client.post("/api/evidence-links/", {
        "cmoc": other.cmoc.pk, "excerpt": world.excerpt.pk, "element": "context",
    }, format="json")

    assert foreign_excerpt.status_code == 400 and "excerpt" in foreign_excerpt.json()
    assert foreign_cmoc.status_code == 400 and "cmoc" in foreign_cmoc.json()
    assert EvidenceLink.objects.count() == before


def test_it_refuses_merging_in_another_reviews_cmoc(world, other, owner, token_client):
    response = token_client(owner).post("/api/cmocs/merge/", {
        "inputs": [world.cmoc.pk, other.cmoc.pk], "rationale": "Sneaky",
        "code": "CMOC 3", "statement": "Merged across reviews.",
    }, format="json")

    assert response.status_code == 400
    assert "inputs" in response.json()
    other.cmoc.refresh_from_db()
    world.cmoc.refresh_from_db()
    assert other.cmoc.status == world.cmoc.status == CMOC.Status.ACTIVE
    assert not CMOC.objects.filter(code="CMOC 3").exists()
