"""Guided refine, merge, split and drop: a rationale, a preview, then a confirm."""

import pytest

from cmocs.models import CMOC, LineageEvent
from tests.web.conftest import ROLES, WRITE_STATUS, post, split_data

pytestmark = pytest.mark.django_db
WRITERS = ("owner", "editor", "staff")


def _url(review, cmoc, action):
    return f"/reviews/{review.slug}/cmocs/{cmoc.pk}/{action}/"


def _events(kind):
    return LineageEvent.objects.filter(kind=kind).count()


@pytest.mark.parametrize("action", ["refine", "split", "drop"])
@pytest.mark.parametrize("role", ROLES)
def test_it_offers_decision_forms_only_to_editors(client, curated, review, role, user_in_role,
                                                  action):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(_url(review, curated["cmocs"][1], action))
    assert response.status_code == WRITE_STATUS[role]
    if response.status_code == 200:
        assert 'for="id_rationale"' in response.content.decode()


def test_it_previews_a_refine_without_writing_then_does_it_on_confirm(client_for, curated,
                                                                      review, owner):
    cmoc = curated["cmocs"][1]
    client = client_for(owner)
    data = {"code": "CMOC 2", "stage": "refined", "statement": "Sharper",
            "context": cmoc.context.text, "outcome": "Better outcome",
            "rationale": "Evidence from two studies", "phase": "Phase 2"}
    preview = post(client, _url(review, cmoc, "refine"), data)
    page = preview.content.decode()
    assert preview.status_code == 200 and "What will happen" in page
    assert "will be marked <strong>superseded</strong>" in page
    assert "Better outcome" in page and "Evidence from two studies" in page
    assert 'name="confirm"' in page
    cmoc.refresh_from_db()
    assert cmoc.status == "active" and _events("refined") == 1  # only the fixture's

    done = post(client, _url(review, cmoc, "refine"), {**data, "confirm": "yes"})
    new = CMOC.objects.get(review=review, stage="refined", code="CMOC 2")
    assert done.status_code == 302 and done["Location"].endswith(f"/cmocs/{new.pk}/")
    cmoc.refresh_from_db()
    assert cmoc.status == "superseded" and new.outcome.text == "Better outcome"
    event = new.lineage_as_output.get(kind="refined")
    assert list(event.inputs.all()) == [cmoc]
    assert (event.rationale, event.phase, event.decided_by) == (
        "Evidence from two studies", "Phase 2", owner)


def test_it_goes_back_to_the_form_with_everything_kept(client_for, curated, review, owner):
    cmoc = curated["cmocs"][1]
    response = post(client_for(owner), _url(review, cmoc, "drop"),
                    {"rationale": "No evidence at all", "edit": "yes"})
    page = response.content.decode()
    assert "No evidence at all</textarea>" in page and "What will happen" not in page
    cmoc.refresh_from_db()
    assert cmoc.status == "active"


@pytest.mark.parametrize("action", ["refine", "split", "drop"])
def test_it_demands_a_rationale(client_for, curated, review, owner, action):
    cmoc = curated["cmocs"][1]
    data = {"code": "CMOC 2", "stage": "refined", "statement": "s",
            **split_data(cmoc, ("A", "a"), ("B", "b")), "rationale": "   ", "confirm": "yes"}
    response = post(client_for(owner), _url(review, cmoc, action), data)
    assert response.status_code == 200
    assert "a rationale is required" in response.content.decode()
    assert "b</textarea>" in response.content.decode() or action != "split"
    cmoc.refresh_from_db()
    assert cmoc.status == "active"


@pytest.mark.parametrize("role", ROLES)
def test_it_drops_only_for_editors(client_for, curated, review, role, user_in_role):
    cmoc = curated["cmocs"][1]
    response = post(client_for(user_in_role(role)), _url(review, cmoc, "drop"),
                    {"rationale": "Lacked evidence", "confirm": "yes"})
    cmoc.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302 and cmoc.status == "dropped"
        assert cmoc.lineage_as_input.get().rationale == "Lacked evidence"
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert cmoc.status == "active" and _events("dropped") == 0


def test_it_refuses_to_drop_what_is_already_closed(client_for, curated, review, owner):
    superseded = curated["cmocs"][0]  # refined in the fixture
    response = post(client_for(owner), _url(review, superseded, "drop"),
                    {"rationale": "Again", "confirm": "yes"})
    assert response.status_code == 200 and "not active" in response.content.decode()
    assert _events("dropped") == 0


def test_it_merges_two_cmocs_after_a_preview(client_for, curated, review, owner):
    first = curated["cmocs"][1]
    second = CMOC.objects.create(review=review, code="CMOC 3", stage="initial", statement="x")
    client = client_for(owner)
    data = {"inputs": [first.pk, second.pk], "code": "CMOC 9", "stage": "refined",
            "statement": "Both at once", "rationale": "Insufficient distinct evidence"}
    preview = post(client, f"/reviews/{review.slug}/cmocs/merge/", data)
    assert preview.content.decode().count("will be marked <strong>merged</strong>") == 2
    assert not CMOC.objects.filter(code="CMOC 9").exists()
    done = post(client, f"/reviews/{review.slug}/cmocs/merge/", {**data, "confirm": "yes"})
    merged = CMOC.objects.get(code="CMOC 9")
    assert done.status_code == 302
    event = merged.lineage_as_output.get(kind="merged")
    assert set(event.inputs.all()) == {first, second}
    assert set(CMOC.objects.filter(pk__in=[first.pk, second.pk]).values_list(
        "status", flat=True)) == {"merged"}


def test_it_wants_two_cmocs_to_merge(client_for, curated, review, owner):
    response = post(client_for(owner), f"/reviews/{review.slug}/cmocs/merge/", {
        "inputs": [curated["cmocs"][1].pk], "code": "CMOC 9", "stage": "refined",
        "statement": "s", "rationale": "r", "confirm": "yes"})
    assert "at least two" in response.content.decode()
    assert not CMOC.objects.filter(code="CMOC 9").exists()


@pytest.mark.parametrize("role", ["viewer", "outsider", "anonymous"])
def test_it_refuses_merges_by_non_editors(client_for, curated, review, role, user_in_role):
    response = post(client_for(user_in_role(role)), f"/reviews/{review.slug}/cmocs/merge/", {
        "inputs": [curated["cmocs"][1].pk, curated["refined"].pk], "code": "CMOC 9",
        "stage": "refined", "statement": "s", "rationale": "r", "confirm": "yes"})
    assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
    assert not CMOC.objects.filter(code="CMOC 9").exists()


def test_it_splits_one_cmoc_into_two_inheriting_its_elements(client_for, curated, review,
                                                             owner):
    cmoc = curated["cmocs"][1]
    data = {**split_data(cmoc, ("CMOC 7", "For senior leaders"), ("CMOC 8", "For clinicians")),
            "stage": "refined", "rationale": "Two distinct groups reasoned differently"}
    client = client_for(owner)
    preview = post(client, _url(review, cmoc, "split"), data)
    assert "CMOC 7" in preview.content.decode() and "CMOC 8" in preview.content.decode()
    assert not CMOC.objects.filter(code="CMOC 7").exists()
    done = post(client, _url(review, cmoc, "split"), {**data, "confirm": "yes"})
    assert done.status_code == 302
    outputs = CMOC.objects.filter(code__in=["CMOC 7", "CMOC 8"], stage="refined")
    assert {o.context_id for o in outputs} == {cmoc.context_id}
    cmoc.refresh_from_db()
    assert cmoc.status == "superseded"
    assert set(cmoc.lineage_as_input.get(kind="split").outputs.all()) == set(outputs)
