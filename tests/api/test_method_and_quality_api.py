"""The API for method statements, quality ratings and not-applicable checklist items:
readers read, editors write with If-Match (428 without, 412 when stale), history keeps all."""

import pytest

from ichub.models import MethodStatement, NotApplicableItem, QualityRating
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "stranger", "other_owner", "viewer", "editor", "owner", "staff"]
READERS = {"viewer", "editor", "owner", "staff"}
WRITERS = {"editor", "owner", "staff"}


@pytest.fixture
def as_role(request, token_client, other_review):
    def client_for(role):
        users = {
            "anonymous": lambda: None,
            "stranger": lambda: make_user("sam_stranger"),
            "other_owner": lambda: request.getfixturevalue("outsider"),
        }
        return token_client(users.get(role, lambda: request.getfixturevalue(role))())

    return client_for


def _statement(review):
    return MethodStatement.objects.create(
        review=review, aspect="search", text="Databases searched from 2017.", quoted=True
    )


def _rating(review):
    return QualityRating.objects.create(review=review, standard="synthesis-1", rating="good")


def _mark(review):
    return NotApplicableItem.objects.create(
        review=review, checklist="rameses-synthesis", item=19, reason="Unfunded."
    )


ENDPOINTS = {
    "method-statements": dict(
        model=MethodStatement, row=_statement, patch=("text", "Changed."),
        create={"review": "test-review", "aspect": "ethics", "text": "Not needed."},
    ),
    "quality-ratings": dict(
        model=QualityRating, row=_rating, patch=("note", "Stated up front."),
        create={"review": "test-review", "standard": "synthesis-2", "rating": "adequate"},
    ),
    "checklist-not-applicable": dict(
        model=NotApplicableItem, row=_mark, patch=("reason", "No funder."),
        create={"review": "test-review", "item": 18, "reason": "No recommendations made."},
    ),
}


def _etag(response):
    return response["ETag"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_readers_read_and_only_editors_write(as_role, review, endpoint, role):
    spec = ENDPOINTS[endpoint]
    row = spec["row"](review)
    client = as_role(role)
    url = f"/api/{endpoint}/{row.pk}/"

    listed = client.get(f"/api/{endpoint}/?review=test-review")
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == (1 if role in READERS else 0)
    read = client.get(url)
    assert read.status_code == (200 if role in READERS else 404)

    field, value = spec["patch"]
    patched = client.patch(url, {field: value}, format="json", HTTP_IF_MATCH='"x-1-v1"')
    created = client.post(f"/api/{endpoint}/", spec["create"], format="json")
    deleted = client.delete(url, HTTP_IF_MATCH="*")
    model = spec["model"]
    if role in WRITERS:
        assert patched.status_code == 412  # an ETag of another record never matches
        assert created.status_code == 201, created.json()
        assert created["ETag"].endswith('-v1"')
        assert deleted.status_code == 204
        assert model.objects.filter(review=review).count() == 1
        assert model.history.filter(history_type="-").count() == 1
    else:
        refused = {401, 403, 404} if role != "viewer" else {403}
        assert {patched.status_code, deleted.status_code} <= refused
        assert created.status_code in ({401} if role == "anonymous" else {400, 403})
        assert list(model.objects.values_list("pk", flat=True)) == [row.pk]
        assert getattr(model.objects.get(), field) != value


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_refuses_an_edit_without_if_match_or_from_a_stale_version(as_role, review,
                                                                     endpoint):
    spec = ENDPOINTS[endpoint]
    row = spec["row"](review)
    editor, owner = as_role("editor"), as_role("owner")
    url = f"/api/{endpoint}/{row.pk}/"
    field, value = spec["patch"]
    seen = _etag(editor.get(url))

    assert editor.patch(url, {field: value}, format="json").status_code == 428
    first = owner.patch(url, {field: value}, format="json", HTTP_IF_MATCH=seen)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = editor.patch(url, {field: "Lost?"}, format="json", HTTP_IF_MATCH=seen)
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    assert editor.delete(url, HTTP_IF_MATCH=seen).status_code == 412
    row.refresh_from_db()
    assert getattr(row, field) == value
    assert [h.history_type for h in row.history.order_by("history_date")] == ["+", "~"]
    assert row.history.latest("history_date").history_user.username == "olivia_owner"


def test_it_refuses_bad_input_with_a_400_naming_the_field(as_role, review):
    editor = as_role("editor")
    cases = [
        ("quality-ratings", {"review": "test-review", "standard": "evaluation-1"}, "standard"),
        ("quality-ratings", {"review": "test-review", "standard": "nope"}, "standard"),
        ("quality-ratings", {"review": "test-review", "standard": "synthesis-3",
                             "rating": "superb"}, "rating"),
        ("checklist-not-applicable", {"review": "test-review", "item": 20, "reason": "x"},
         "item"),
        ("checklist-not-applicable", {"review": "test-review", "item": 3, "reason": ""},
         "reason"),
        ("method-statements", {"review": "test-review", "aspect": "vibes", "text": "x"},
         "aspect"),
        ("method-statements", {"review": "no-such-review", "aspect": "ethics", "text": "x"},
         "review"),
    ]
    for endpoint, body, field in cases:
        response = editor.post(f"/api/{endpoint}/", body, format="json")
        assert response.status_code == 400, (endpoint, body, response.content)
        assert field in response.json(), (endpoint, response.json())
    _rating(review)
    again = editor.post("/api/quality-ratings/", {"review": "test-review",
                                                  "standard": "synthesis-1"}, format="json")
    assert again.status_code == 400 and "standard" in again.json()
    assert QualityRating.objects.count() == 1
    assert not NotApplicableItem.objects.exists()
    assert not MethodStatement.objects.exists()


def test_it_refuses_moving_a_row_to_another_review(as_role, review, other_review, outsider):
    row = _statement(review)
    editor = as_role("editor")
    url = f"/api/method-statements/{row.pk}/"
    response = editor.patch(url, {"review": other_review.slug}, format="json",
                            HTTP_IF_MATCH=_etag(editor.get(url)))
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.review == review


def test_it_shows_a_mark_made_over_the_api_in_the_checklist(as_role, review):
    from reports.checklists import checklist_rows

    created = as_role("editor").post("/api/checklist-not-applicable/", {
        "review": "test-review", "item": 19, "reason": "Unfunded student project."
    }, format="json")
    assert created.status_code == 201
    assert created.json()["checklist"] == "rameses-synthesis"
    assert checklist_rows(review)[18][3:7] == [
        "not applicable", "Discussion › Funding", "", "Unfunded student project."
    ]
