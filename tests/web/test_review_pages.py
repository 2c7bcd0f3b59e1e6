"""Starting a review, its owners-only settings, and its operational definitions."""

import pytest

from ichub.models import OperationalDefinition, Review

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "outsider", "viewer", "editor", "owner"]
SETTINGS = "/reviews/test-review/settings/"
DEFINITIONS = "/reviews/test-review/definitions/"


@pytest.fixture
def as_role(client, request, review):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client
    return login


def new_review(client, **fields):
    data = {"title": "Peer support for carers", "slug": "", "question": "What works?",
            "method": "realist_review", "reporting_standard": "RAMESES", "summary": "",
            "visibility": "private", **fields}
    return client.post("/reviews/new/", data)


def test_the_creator_of_a_review_becomes_its_owner_and_the_slug_comes_from_the_title(
    client, outsider
):
    client.force_login(outsider)
    response = new_review(client)
    review = Review.objects.get(slug="peer-support-for-carers")
    assert response["Location"] == "/reviews/peer-support-for-carers/"
    assert review.role_of(outsider) == "owner"
    assert client.get(response["Location"]).status_code == 200


def test_a_taken_slug_keeps_the_typing_and_names_the_field(client, outsider, review):
    client.force_login(outsider)
    response = new_review(client, title="A private test review", slug="test-review",
                          question="My own words")
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_slug_error"' in body and "My own words" in body
    assert Review.objects.count() == 1


def test_anonymous_users_log_in_before_starting_a_review(client):
    assert new_review(client)["Location"].startswith("/accounts/login/")
    assert not Review.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_change_settings_or_delete_the_review(as_role, role, review):
    client = as_role(role)
    page = client.get(SETTINGS)
    saved = client.post(SETTINGS, {"title": "Renamed", "method": "realist_review",
                                   "visibility": "public", "version": 1})
    deleted = client.post("/reviews/test-review/delete/", {"confirm": "test-review"})
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "editor": 403}
    assert page.status_code == expected.get(role, 200)
    assert saved.status_code == expected.get(role, 302)
    assert deleted.status_code == expected.get(role, 302)
    if role == "owner":
        assert not Review.objects.exists()
    else:
        review.refresh_from_db()
        assert (review.title, review.visibility) == ("A private test review", "private")


def test_deleting_needs_the_slug_typed(as_role, review):
    response = as_role("owner").post("/reviews/test-review/delete/", {"confirm": "yes"})
    assert response.status_code == 400 and 'id="id_confirm_error"' in response.content.decode()
    assert Review.objects.filter(pk=review.pk).exists()


def test_a_settings_error_keeps_the_typing_and_names_the_field(as_role, review):
    response = as_role("owner").post(SETTINGS, {"title": "", "summary": "Kept summary",
                                                "method": "realist_review",
                                                "visibility": "private"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_title_error"' in body and "Kept summary" in body


@pytest.mark.parametrize("role", ROLES)
def test_editors_and_owners_add_definitions(as_role, role, review):
    client = as_role(role)
    response = client.post(DEFINITIONS, {"element": "context", "text": "Pre-existing conditions."})
    # A private review does not exist for those outside it.
    expected = {"anonymous": 404, "outsider": 404, "viewer": 403}
    assert response.status_code == expected.get(role, 302)
    assert OperationalDefinition.objects.exists() == (role in {"editor", "owner"})


def test_definitions_are_edited_reordered_and_refused_twice(as_role, review):
    client = as_role("editor")
    for element in ("context", "outcome", "mechanism_resource"):
        client.post(DEFINITIONS, {"element": element, "text": f"The {element}."})
    twice = client.post(DEFINITIONS, {"element": "outcome", "text": "Again"})
    assert twice.status_code == 400 and 'id="id_element_error"' in twice.content.decode()
    outcome = OperationalDefinition.objects.get(element="outcome")
    client.post(f"{DEFINITIONS}{outcome.pk}/move/", {"to": "up"})
    assert list(review.definitions.values_list("element", flat=True)) == [
        "outcome", "context", "mechanism_resource"]
    client.post(f"{DEFINITIONS}{outcome.pk}/edit/", {"element": "outcome", "text": "Results.",
                                                     "version": outcome.version})
    outcome.refresh_from_db()
    assert outcome.text == "Results."


def test_a_viewer_cannot_edit_move_or_delete_a_definition(as_role, review):
    definition = OperationalDefinition.objects.create(review=review, element="context", text="C")
    client = as_role("viewer")
    for action in ("edit", "move", "delete"):
        assert client.post(f"{DEFINITIONS}{definition.pk}/{action}/",
                           {"text": "x", "element": "context"}).status_code == 403
    definition.refresh_from_db()
    assert definition.text == "C"
