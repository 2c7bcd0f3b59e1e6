import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from programme_theories.models import ProgrammeTheory
from tests.web.conftest import READ_STATUS, ROLES, WRITE_STATUS, post

pytestmark = pytest.mark.django_db


def _url(review, theory, suffix=""):
    return f"/reviews/{review.slug}/theories/{theory.pk}/{suffix}"


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_theory_with_its_cmocs_in_dalkin_form(client, curated, review, role,
                                                         user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(_url(review, curated["theory"]))
    assert response.status_code == READ_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert curated["theory"].statement in page
        assert "Refined programme theory" in page
        for label in ("element-context", "element-mechanism_resource",
                      "element-mechanism_reasoning", "element-outcome"):
            assert label in page
        assert "Shared leadership forums 1" in page
        assert "Leaders feel safe to take risks 1" in page
        assert ("Edit theory" in page) == (role in ("owner", "editor", "staff"))


def test_it_shows_the_theory_it_revised(client, curated, review, owner):
    earlier = ProgrammeTheory.objects.create(
        review=review, name="Delivering (IRPT)", stage="initial_rough", statement="Rough."
    )
    ProgrammeTheory.objects.filter(pk=curated["theory"].pk).update(revises=earlier)
    client.force_login(owner)
    page = client.get(_url(review, curated["theory"])).content.decode()
    assert _url(review, earlier) in page
    assert _url(review, curated["theory"]) in client.get(_url(review, earlier)).content.decode()


def test_it_runs_the_same_queries_however_many_cmocs(client, curated, review, owner):
    client.force_login(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(review, curated["theory"])).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        services.create_cmoc(review=review, user=owner, code=f"CMOC {20 + i}", statement="s",
                             theory=curated["theory"], context=f"c{i}", outcome=f"o{i}")
    assert count() == before


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_editors_open_the_edit_form(client, curated, review, role, user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(_url(review, curated["theory"], "edit/"))
    assert response.status_code == WRITE_STATUS[role]
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
def test_it_saves_a_theory_edit_only_for_editors(client_for, curated, review, role,
                                                 user_in_role):
    theory = curated["theory"]
    response = post(client_for(user_in_role(role)), _url(review, theory, "edit/"), {
        "name": "Delivering", "stage": "refined", "statement": "A sharper statement.",
        "version": theory.version,
    })
    theory.refresh_from_db()
    if role in ("owner", "editor", "staff"):
        assert response.status_code == 302
        assert theory.statement == "A sharper statement." and theory.version == 2
        assert theory.history.count() == 2
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert theory.statement != "A sharper statement." and theory.version == 1


def test_it_refuses_a_stale_theory_edit_and_keeps_both_texts(client_for, curated, review,
                                                             owner, editor):
    theory = curated["theory"]
    post(client_for(owner), _url(review, theory, "edit/"), {
        "name": "Delivering", "stage": "refined", "statement": "Owner's words.", "version": 1,
    })
    response = post(client_for(editor), _url(review, theory, "edit/"), {
        "name": "Delivering", "stage": "refined", "statement": "Editor's words.", "version": 1,
    })
    assert response.status_code == 409
    page = response.content.decode()
    assert "Owner&#x27;s words." in page  # the saved version, shown
    assert "Editor&#x27;s words.</textarea>" in page  # the user's text, kept in the form
    assert 'name="version" value="2"' in page
    theory.refresh_from_db()
    assert theory.statement == "Owner's words."


def test_it_keeps_the_form_filled_on_a_validation_error(client_for, curated, review, owner):
    theory = curated["theory"]
    response = post(client_for(owner), _url(review, theory, "edit/"), {
        "name": "", "stage": "refined", "statement": "Half-typed thought", "version": 1,
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page and "Half-typed thought</textarea>" in page
    theory.refresh_from_db()
    assert theory.version == 1
