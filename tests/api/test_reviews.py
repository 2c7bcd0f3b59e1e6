"""/api/reviews/: visibility, detail by slug, flow, matrix, creation and members."""

import pytest
from django.core import mail

from accounts.models import Invitation
from cmocs import services
from evidence.models import ScreeningCount, SourceDocument
from ichub.models import Membership, Review
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_it_lists_public_reviews_to_anyone_and_private_ones_to_members(
    world, other_review, token_client, viewer, outsider
):
    Review.objects.create(slug="open-review", title="An open review", visibility="public")

    def slugs(user):
        response = token_client(user).get("/api/reviews/")
        assert response.status_code == 200
        return [r["slug"] for r in response.json()["results"]]

    assert slugs(None) == ["open-review"]
    assert slugs(viewer) == ["test-review", "open-review"]  # ordered by title
    assert slugs(outsider) == ["open-review", "other-review"]
    assert token_client(None).get("/api/reviews/test-review/").status_code == 404
    body = token_client(viewer).get("/api/reviews/test-review/").json()
    assert body["title"] == "A private test review" and body["my_role"] == "viewer"


def test_it_creates_a_review_owned_by_its_creator(db, token_client, outsider):
    response = token_client(outsider).post(
        "/api/reviews/", {"slug": "new-review", "title": "New", "visibility": "private"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["my_role"] == "owner"
    review = Review.objects.get(slug="new-review")
    assert review.memberships.get().user == outsider and review.role_of(outsider) == "owner"
    assert token_client(None).post("/api/reviews/", {"slug": "x", "title": "X"}).status_code == 401
    assert not Review.objects.filter(slug="x").exists()


def test_it_refuses_a_changed_slug_and_a_duplicate_one(world, other_review, token_client, owner,
                                                       staff):
    client = token_client(owner)
    renamed = client.patch("/api/reviews/test-review/", {"slug": "moved"}, format="json",
                           HTTP_IF_MATCH="*")
    assert renamed.status_code == 400 and "slug" in renamed.json()
    taken = token_client(staff).post("/api/reviews/", {"slug": "other-review", "title": "T"},
                                     format="json")
    assert taken.status_code == 400 and "slug" in taken.json()
    assert Review.objects.filter(slug="test-review").exists()


def test_it_returns_the_screening_flow_in_stage_order(world, token_client, viewer):
    ScreeningCount.objects.create(review=world.review, stage="identified", count=5716)
    ScreeningCount.objects.create(review=world.review, stage="included", count=22)
    SourceDocument.objects.create(
        review=world.review, citation_key="smith2020", authors="Smith, J.", year=2020,
        title="Off topic", inclusion_status="excluded", excluded_at_stage="full_text",
        exclusion_reason="Not about ICSs",
    )
    response = token_client(viewer).get("/api/reviews/test-review/flow/")
    assert response.status_code == 200
    stages = response.json()["stages"]
    assert [s["stage"] for s in stages] == [
        "identified", "title_abstract", "full_text", "relevance", "richness", "rigour",
        "included",
    ]
    assert stages[0]["count"] == 5716 and stages[-1]["count"] == 22
    [exclusion] = stages[2]["exclusions"]
    assert exclusion["citation_key"] == "smith2020" and exclusion["reason"] == "Not about ICSs"


def test_it_returns_the_evidence_matrix_with_stances(world, token_client, viewer, owner):
    services.link_evidence(cmoc=world.cmoc, excerpt=world.excerpt, user=owner,
                           element="outcome", stance="challenges")
    body = token_client(viewer).get("/api/reviews/test-review/matrix/").json()
    assert [c["code"] for c in body["cmocs"]] == ["CMOC 1"]
    assert [s["citation_key"] for s in body["sources"]] == ["pearson2018"]
    [cell] = body["cells"]
    assert (cell["cmoc"], cell["source"]) == (world.cmoc.pk, world.source.pk)
    assert cell["stances"] == ["challenges", "supports"] and len(cell["links"]) == 2


def test_it_hides_flow_and_matrix_of_private_reviews(world, token_client, outsider):
    for path in ("flow", "matrix", "members"):
        assert token_client(outsider).get(f"/api/reviews/test-review/{path}/").status_code == 404


def test_it_keeps_at_least_one_owner(world, token_client, owner):
    response = token_client(owner).delete("/api/reviews/test-review/members/olivia_owner/")
    assert response.status_code == 400 and "role" in response.json()
    assert Membership.objects.filter(user=owner, role="owner").exists()


def test_it_answers_the_same_for_an_unknown_and_a_known_username(world, token_client, owner):
    """Owners invite through the API as on the members page: nobody learns who has an account."""
    client = token_client(owner)
    unknown = client.post("/api/reviews/test-review/members/",
                          {"username": "nobody", "role": "viewer"}, format="json")
    make_user("somebody")
    known = client.post("/api/reviews/test-review/members/",
                        {"username": "somebody", "role": "viewer"}, format="json")
    assert unknown.status_code == known.status_code == 202
    strip = [{k: v for k, v in r.json().items() if k not in {"invitee", "expires_at"}}
             for r in (unknown, known)]
    assert strip[0] == strip[1] == {"role": "viewer"}
    assert not Membership.objects.filter(user__username="somebody").exists()
    assert Invitation.objects.filter(username__in=["nobody", "somebody"]).count() == 2


def test_it_invites_by_email_and_refuses_a_duplicate_member(world, token_client, owner):
    client = token_client(owner)
    emailed = client.post("/api/reviews/test-review/members/",
                          {"email": "nora@example.org", "role": "editor"}, format="json")
    assert emailed.status_code == 202 and emailed.json()["invitee"] == "nora@example.org"
    assert mail.outbox[-1].to == ["nora@example.org"]
    assert "/accounts/invitations/" in mail.outbox[-1].body
    again = client.post("/api/reviews/test-review/members/",
                        {"username": "vera_viewer", "role": "editor"}, format="json")
    assert again.status_code == 400 and "username" in again.json()
    neither = client.post("/api/reviews/test-review/members/", {"role": "editor"}, format="json")
    assert neither.status_code == 400 and "username" in neither.json()
    assert Membership.objects.get(user__username="vera_viewer").role == "viewer"


def test_it_removes_a_member(world, token_client, owner, viewer):
    response = token_client(owner).delete("/api/reviews/test-review/members/vera_viewer/")
    assert response.status_code == 204
    assert not Membership.objects.filter(user=viewer).exists()
    assert token_client(viewer).get("/api/reviews/test-review/").status_code == 404
