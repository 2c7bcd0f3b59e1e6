"""The permission matrix: endpoint × method × role, asserting status and the database after.

The rows live in a private review. Anonymous users, a signed-in stranger and
the owner of another review must not see them (lists omit them, details 404)
nor change them; viewers read; editors and owners write; staff do anything.
"""

import pytest

from accounts.models import Invitation
from cmocs import services
from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from ichub.models import Membership
from programme_theories.models import ProgrammeTheory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "stranger", "other_owner", "viewer", "editor", "owner", "staff"]
READERS = {"viewer", "editor", "owner", "staff"}
WRITERS = {"editor", "owner", "staff"}


@pytest.fixture
def as_role(request, token_client, other_review):
    """A client for a role name; `other_owner` owns `other_review`."""

    def client_for(role):
        users = {
            "anonymous": lambda: None,
            "stranger": lambda: make_user("sam_stranger"),
            "other_owner": lambda: request.getfixturevalue("outsider"),
        }
        user = users.get(role, lambda: request.getfixturevalue(role))()
        return token_client(user)

    return client_for


def fresh_source(w):
    return SourceDocument.objects.create(review=w.review, citation_key="fresh2020", title="F")


ENDPOINTS = {
    "sources": dict(
        model=SourceDocument, row=lambda w: w.source, fresh=fresh_source,
        create=lambda w: {"review": "test-review", "citation_key": "new2020", "title": "New"},
        patch=("title", "Changed"), etag="source",
    ),
    "excerpts": dict(
        model=Excerpt, row=lambda w: w.excerpt,
        fresh=lambda w: Excerpt.objects.create(source=w.source, key="fresh", text="F"),
        create=lambda w: {"source": w.source.pk, "text": "New excerpt"},
        patch=("text", "Changed"),
    ),
    "contexts": dict(
        model=Context, row=lambda w: w.context,
        fresh=lambda w: Context.objects.create(review=w.review, key="fresh", text="F"),
        create=lambda w: {"review": "test-review", "text": "New context"},
        patch=("text", "Changed"),
    ),
    "mechanisms": dict(
        model=Mechanism, row=lambda w: w.resource,
        fresh=lambda w: Mechanism.objects.create(review=w.review, key="fresh", kind="resource",
                                                 text="F"),
        create=lambda w: {"review": "test-review", "kind": "reasoning", "text": "New"},
        patch=("text", "Changed"),
    ),
    "outcomes": dict(
        model=Outcome, row=lambda w: w.outcome,
        fresh=lambda w: Outcome.objects.create(review=w.review, key="fresh", text="F"),
        create=lambda w: {"review": "test-review", "text": "New outcome"},
        patch=("text", "Changed"),
    ),
    "evidence-links": dict(
        model=EvidenceLink, row=lambda w: w.link,
        fresh=lambda w: EvidenceLink.objects.create(cmoc=w.cmoc, excerpt=w.excerpt,
                                                    element="outcome"),
        create=lambda w: {"cmoc": w.cmoc.pk, "excerpt": w.excerpt.pk, "element": "context",
                          "stance": "refines"},
        patch=("note", "Changed"),
    ),
    "cmocs": dict(
        model=CMOC, row=lambda w: w.cmoc, etag="cmoc",
        fresh=lambda w: services.create_cmoc(review=w.review, user=None, code="Fresh",
                                             statement="F"),
        create=lambda w: {"review": "test-review", "code": "CMOC 77", "statement": "New"},
        patch=("statement", "Changed"),
    ),
    "theories": dict(
        model=ProgrammeTheory, row=lambda w: w.theory, etag="theory",
        fresh=lambda w: ProgrammeTheory.objects.create(review=w.review, name="Fresh",
                                                       stage="initial", statement="F"),
        create=lambda w: {"review": "test-review", "name": "New theory", "stage": "initial",
                          "statement": "s"},
        patch=("statement", "Changed"),
    ),
}


def if_match(spec, row):
    return {"HTTP_IF_MATCH": f'"{spec["etag"]}-{row.pk}-v{row.version}"'} if "etag" in spec else {}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_only_readers_see_a_private_reviews_rows(world, as_role, endpoint, role):
    spec = ENDPOINTS[endpoint]
    row = spec["row"](world)
    client = as_role(role)
    listing = client.get(f"/api/{endpoint}/?page_size=500")
    detail = client.get(f"/api/{endpoint}/{row.pk}/")
    assert listing.status_code == 200
    listed = {item["id"] for item in listing.json()["results"]}
    if role in READERS:
        assert row.pk in listed and detail.status_code == 200
    else:
        assert row.pk not in listed and detail.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_only_writers_create(world, as_role, endpoint, role):
    spec = ENDPOINTS[endpoint]
    before = spec["model"].objects.count()
    response = as_role(role).post(f"/api/{endpoint}/", spec["create"](world), format="json")
    expected = {"anonymous": 401, "stranger": 400, "other_owner": 400, "viewer": 403}
    assert response.status_code == expected.get(role, 201), response.content
    assert spec["model"].objects.count() == before + (role in WRITERS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_only_writers_update(world, as_role, endpoint, role):
    spec = ENDPOINTS[endpoint]
    row = spec["row"](world)
    field, value = spec["patch"]
    response = as_role(role).patch(f"/api/{endpoint}/{row.pk}/", {field: value}, format="json",
                                   **if_match(spec, row))
    expected = {"anonymous": 401, "stranger": 404, "other_owner": 404, "viewer": 403}
    assert response.status_code == expected.get(role, 200), response.content
    row.refresh_from_db()
    assert (getattr(row, field) == value) == (role in WRITERS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_only_writers_delete(world, as_role, endpoint, role):
    spec = ENDPOINTS[endpoint]
    row = spec["fresh"](world)
    response = as_role(role).delete(f"/api/{endpoint}/{row.pk}/", **if_match(spec, row))
    expected = {"anonymous": 401, "stranger": 404, "other_owner": 404, "viewer": 403}
    assert response.status_code == expected.get(role, 204), response.content
    assert spec["model"].objects.filter(pk=row.pk).exists() == (role not in WRITERS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", ["refine", "split", "drop"])
def test_it_lets_only_writers_run_lineage_operations(world, as_role, operation, role):
    payload = {
        "refine": {"code": "CMOC 1b", "statement": "s", "rationale": "r"},
        "split": {"rationale": "r", "outputs": [{"code": "A", "statement": "a"},
                                               {"code": "B", "statement": "b"}]},
        "drop": {"rationale": "r"},
    }[operation]
    response = as_role(role).post(f"/api/cmocs/{world.cmoc.pk}/{operation}/", payload,
                                  format="json")
    expected = {"anonymous": 401, "stranger": 404, "other_owner": 404, "viewer": 403}
    assert response.status_code == expected.get(role, 201), response.content
    world.cmoc.refresh_from_db()
    assert (world.cmoc.status == "active") == (role not in WRITERS)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_writers_merge(world, as_role, owner, role):
    other = services.create_cmoc(review=world.review, user=owner, code="CMOC 2",
                                 stage="refined", statement="s")
    response = as_role(role).post(
        "/api/cmocs/merge/",
        {"inputs": [world.cmoc.pk, other.pk], "code": "M", "statement": "s", "rationale": "r"},
        format="json",
    )
    expected = {"anonymous": 401, "stranger": 400, "other_owner": 400, "viewer": 403}
    assert response.status_code == expected.get(role, 201), response.content
    assert CMOC.objects.filter(status="merged").count() == (2 if role in WRITERS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_owners_edit_or_delete_a_review(world, as_role, role):
    """Editors curate inside a review but may not rename it or make it public (issue 13)."""
    client = as_role(role)
    patched = client.patch("/api/reviews/test-review/", {"title": "Renamed"}, format="json",
                           HTTP_IF_MATCH="*")
    public = client.patch("/api/reviews/test-review/", {"visibility": "public"}, format="json",
                          HTTP_IF_MATCH="*")
    expected = {"anonymous": 401, "stranger": 404, "other_owner": 404, "viewer": 403,
                "editor": 403}
    assert patched.status_code == expected.get(role, 200)
    assert public.status_code == expected.get(role, 200)
    world.review.refresh_from_db()
    assert (world.review.title == "Renamed") == (role in {"owner", "staff"})
    assert (world.review.visibility == "public") == (role in {"owner", "staff"})
    deleted = client.delete("/api/reviews/test-review/")
    assert deleted.status_code == expected.get(role, 204)
    assert type(world.review).objects.filter(pk=world.review.pk).exists() == (
        role not in {"owner", "staff"}
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_owners_manage_members(world, as_role, role):
    newcomer = make_user("nina_newcomer")
    client = as_role(role)
    added = client.post("/api/reviews/test-review/members/",
                        {"username": "nina_newcomer", "role": "editor"}, format="json")
    expected = {"anonymous": 401, "stranger": 404, "other_owner": 404, "viewer": 403,
                "editor": 403}
    assert added.status_code == expected.get(role, 202), added.content
    is_manager = role in {"owner", "staff"}
    assert Invitation.objects.filter(username=newcomer.username).exists() == is_manager
    assert not Membership.objects.filter(user=newcomer).exists()
    demoted = client.patch("/api/reviews/test-review/members/eddie_editor/",
                           {"role": "viewer"}, format="json")
    assert demoted.status_code == expected.get(role, 200)
    role_now = Membership.objects.get(user__username="eddie_editor").role
    assert role_now == ("viewer" if is_manager else "editor")
