"""Frameworks and themes, and starting, revising and deleting programme theories, in the browser."""

import pytest

from cmocs import services as cmoc_services
from programme_theories.models import Framework, ProgrammeTheory, Theme

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "outsider", "viewer", "editor", "owner"]
FRAMEWORKS = "/reviews/test-review/frameworks/"
# A private review does not exist for those outside it; a viewer sees it but may not write.
DENIED = {"anonymous": 404, "outsider": 404, "viewer": 403}


@pytest.fixture
def as_role(client, request, review):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client
    return login


@pytest.fixture
def framework(review):
    framework = Framework.objects.create(review=review, name="Doing Things Differently")
    for order, name in enumerate(["Being", "Relating", "Delivering"]):
        Theme.objects.create(framework=framework, name=name, order=order)
    return framework


def theory_data(**fields):
    return {"name": "Delivering", "stage": "initial", "theme": "", "statement": "Leaders ...",
            "notes": "", **fields}


@pytest.mark.parametrize("role", ROLES)
def test_editors_and_owners_add_frameworks_and_themes(as_role, role, review):
    client = as_role(role)
    added = client.post(FRAMEWORKS, {"name": "DTD", "kind": "organising"})
    assert added.status_code == DENIED.get(role, 302)
    assert Framework.objects.exists() == (role in {"editor", "owner"})
    if role in {"editor", "owner"}:
        framework = Framework.objects.get()
        client.post(f"{FRAMEWORKS}{framework.pk}/themes/", {"name": "Being"})
        assert list(framework.themes.values_list("name", flat=True)) == ["Being"]


@pytest.mark.parametrize("role", ["anonymous", "outsider", "viewer"])
def test_others_cannot_touch_themes(as_role, role, framework):
    client = as_role(role)
    being = framework.themes.get(name="Being")
    for action in ("edit", "move", "delete"):
        response = client.post(f"{FRAMEWORKS}themes/{being.pk}/{action}/", {"name": "x"})
        assert response.status_code in (302, 403, 404) and response.status_code != 200
    assert client.post(f"{FRAMEWORKS}{framework.pk}/delete/").status_code in (302, 403, 404)
    being.refresh_from_db()
    assert being.name == "Being" and Framework.objects.filter(pk=framework.pk).exists()


def test_a_duplicate_framework_name_keeps_the_typing_and_names_the_field(as_role, framework):
    response = as_role("editor").post(FRAMEWORKS, {"name": framework.name, "kind": "organising",
                                                   "description": "My description"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in body and "My description" in body


def test_themes_are_reordered_and_edited(as_role, framework):
    client = as_role("editor")
    delivering = framework.themes.get(name="Delivering")
    client.post(f"{FRAMEWORKS}themes/{delivering.pk}/move/", {"to": "up"})
    assert list(framework.themes.values_list("name", flat=True)) == [
        "Being", "Delivering", "Relating"]
    client.post(f"{FRAMEWORKS}themes/{delivering.pk}/edit/", {"name": "Delivering together",
                                                            "version": 1})
    delivering.refresh_from_db()
    assert delivering.name == "Delivering together"


@pytest.mark.parametrize("role", ROLES)
def test_frameworks_are_reordered_by_editors_and_owners_only(as_role, role, review, framework):
    """A new framework goes last; Move up puts it first; each move is kept in history."""
    scoping = Framework.objects.create(review=review, name="Aardvark themes", kind="scoping_themes")
    writer = as_role("editor") if role in {"editor", "owner"} else None
    if writer:
        added = writer.post(FRAMEWORKS, {"name": "Zeta", "kind": "other"})
        assert added.status_code == 302
    client = as_role(role)
    zeta = Framework.objects.filter(name="Zeta").first()
    moved_one = zeta or framework
    response = client.post(f"{FRAMEWORKS}{moved_one.pk}/move/", {"to": "up"})
    assert response.status_code == {**DENIED, "anonymous": 302}.get(role, 302)
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    names = list(review.frameworks.values_list("name", flat=True))
    if writer:
        # Existing frameworks keep the (kind, name) order they had; Zeta came last, moved up one.
        assert names == ["Doing Things Differently", "Zeta", "Aardvark themes"]
        page = client.get(FRAMEWORKS).content.decode()
        assert page.index("Zeta") < page.index("Aardvark themes")
        assert "Move down<span class=\"visually-hidden\"> Zeta</span>" in page
        assert [h.order for h in scoping.history.order_by("history_id")] == [0, 2]
    else:
        assert scoping.order == 0 and names == ["Doing Things Differently", "Aardvark themes"]


def test_a_theme_in_use_is_deleted_only_after_saying_where_its_theories_go(
    as_role, review, framework
):
    being, relating = framework.themes.get(name="Being"), framework.themes.get(name="Relating")
    theory = ProgrammeTheory.objects.create(review=review, theme=being, name="T", stage="initial",
                                            statement="S")
    client = as_role("editor")
    page = client.get(f"{FRAMEWORKS}themes/{being.pk}/delete/").content.decode()
    assert "T (Initial programme theory)" in page and "Move its theories to" in page
    client.post(f"{FRAMEWORKS}themes/{being.pk}/delete/", {"move_to": relating.pk})
    theory.refresh_from_db()
    assert theory.theme == relating and not Theme.objects.filter(pk=being.pk).exists()


def test_deleting_a_theme_can_leave_its_theories_without_one(as_role, review, framework):
    being = framework.themes.get(name="Being")
    theory = ProgrammeTheory.objects.create(review=review, theme=being, name="T", stage="initial",
                                            statement="S")
    as_role("owner").post(f"{FRAMEWORKS}themes/{being.pk}/delete/", {"move_to": ""})
    theory.refresh_from_db()
    assert theory.theme is None


@pytest.mark.parametrize("role", ROLES)
def test_editors_and_owners_start_a_theory(as_role, role, review):
    response = as_role(role).post("/reviews/test-review/theories/new/", theory_data())
    expected = {**DENIED, "anonymous": 302}
    assert response.status_code == expected.get(role, 302)
    assert ProgrammeTheory.objects.exists() == (role in {"editor", "owner"})


def test_a_new_theory_takes_a_theme_of_its_own_review(as_role, review):
    """The bug: every theme was refused as "another review's framework" on a new theory."""
    framework = Framework.objects.create(review=review, name="Doing Things Differently")
    theme = Theme.objects.create(framework=framework, name="Delivering", order=1)
    response = as_role("editor").post("/reviews/test-review/theories/new/",
                                      theory_data(theme=theme.pk))
    assert response.status_code == 302
    assert ProgrammeTheory.objects.get(review=review).theme == theme


def test_a_theory_with_a_taken_name_keeps_the_typing_and_names_the_field(as_role, review):
    ProgrammeTheory.objects.create(review=review, name="Delivering", stage="initial",
                                   statement="S")
    response = as_role("editor").post("/reviews/test-review/theories/new/",
                                      theory_data(statement="My careful words"))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in body and "My careful words" in body


def test_revising_makes_a_new_theory_that_records_what_it_revises(as_role, review, editor):
    earlier = ProgrammeTheory.objects.create(review=review, name="Delivering", stage="initial",
                                             statement="Old words")
    client = as_role("editor")
    form = client.get(f"/reviews/test-review/theories/{earlier.pk}/revise/").content.decode()
    assert "Old words" in form and 'value="refined" selected' in form
    response = client.post(f"/reviews/test-review/theories/{earlier.pk}/revise/",
                           theory_data(stage="refined", statement="New words"))
    later = ProgrammeTheory.objects.get(stage="refined")
    assert response["Location"] == f"/reviews/test-review/theories/{later.pk}/"
    assert later.revises == earlier and later.created_by == editor
    earlier.refresh_from_db()
    assert earlier.statement == "Old words"
    page = client.get(response["Location"]).content.decode()
    assert "Change history" in page and "eddie_editor" in page


def test_only_an_empty_theory_can_be_deleted(as_role, review, owner):
    empty = ProgrammeTheory.objects.create(review=review, name="E", stage="initial", statement="S")
    used = ProgrammeTheory.objects.create(review=review, name="U", stage="initial", statement="S")
    cmoc = cmoc_services.create_cmoc(review=review, user=owner, code="CMOC 1", statement="x")
    cmoc.theory = used
    cmoc.save()
    client = as_role("editor")
    client.post(f"/reviews/test-review/theories/{used.pk}/delete/", {"version": used.version})
    client.post(f"/reviews/test-review/theories/{empty.pk}/delete/", {"version": empty.version})
    assert list(ProgrammeTheory.objects.values_list("name", flat=True)) == ["U"]


def test_a_viewer_cannot_revise_or_delete_a_theory(as_role, review):
    theory = ProgrammeTheory.objects.create(review=review, name="E", stage="initial",
                                            statement="S")
    client = as_role("viewer")
    assert client.post(f"/reviews/test-review/theories/{theory.pk}/revise/",
                       theory_data()).status_code == 403
    assert client.post(f"/reviews/test-review/theories/{theory.pk}/delete/",
                       {"version": 1}).status_code == 403
    assert ProgrammeTheory.objects.count() == 1
