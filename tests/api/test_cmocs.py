"""/api/cmocs/: the CMOC JSON, filters, writes through the services, ETag and If-Match."""

import pytest

from cmocs import services
from cmocs.models import CMOC, Context, LineageEvent

pytestmark = pytest.mark.django_db


def test_it_shows_a_cmoc_with_its_elements_evidence_and_etag(world, token_client, viewer):
    response = token_client(viewer).get(f"/api/cmocs/{world.cmoc.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "CMOC 1" and body["stage"] == "refined" and body["status"] == "active"
    assert body["theory"] == world.theory.pk and body["version"] == 1
    assert body["context"] == {"id": world.context.pk, "text": "ICS formation"}
    assert body["mechanism_resource"]["text"] == "Clear vision"
    assert body["mechanism_reasoning"]["text"] == "Sense of purpose"
    assert body["outcome"]["text"] == "Focus on objectives"
    [evidence] = body["evidence"]
    assert evidence["stance"] == "supports" and evidence["excerpt"]["text"] == "Vision mattered."
    assert evidence["excerpt"]["location"] == "p. 4"
    assert evidence["excerpt"]["source"] == {
        "id": world.source.pk, "citation_key": "pearson2018",
        "citation": "Pearson and Watson (2018)", "authors": "Pearson, C. and Watson, N.",
        "year": 2018, "title": "Implementing health and social care integration",
        "doi": "10.1/abc",
    }
    assert response["ETag"] == f'"cmoc-{world.cmoc.pk}-v1"'


def test_it_filters_cmocs(world, token_client, owner):
    initial = services.create_cmoc(review=world.review, user=owner, code="CMOC 2",
                                   statement="Trust builds slowly across partners.")
    services.drop_cmoc(cmoc=initial, user=owner, rationale="No evidence")
    client = token_client(owner)

    def codes(query):
        response = client.get(f"/api/cmocs/?{query}")
        assert response.status_code == 200
        return [(c["stage"], c["code"]) for c in response.json()["results"]]

    assert codes("review=test-review") == [("initial", "CMOC 2"), ("refined", "CMOC 1")]
    assert codes("stage=refined") == [("refined", "CMOC 1")]
    assert codes("status=dropped") == [("initial", "CMOC 2")]
    assert codes(f"theory={world.theory.pk}") == [("refined", "CMOC 1")]
    assert codes(f"source={world.source.pk}") == [("refined", "CMOC 1")]
    assert codes("search=trust") == [("initial", "CMOC 2")]
    assert codes("search=clear vision") == [("refined", "CMOC 1")]  # an element's text
    assert codes("review=no-such-review") == []


def test_it_refuses_bad_filter_values_with_400(world, token_client, owner):
    client = token_client(owner)
    for query in ("stage=final", "theory=abc", "theory=1.5", "source=x", "status=gone"):
        response = client.get(f"/api/cmocs/?{query}")
        assert response.status_code == 400, query
        assert query.split("=")[0] in response.json()


def test_it_paginates_with_page_size_up_to_500(world, token_client, owner):
    for n in range(2, 8):
        services.create_cmoc(review=world.review, user=owner, code=f"CMOC {n}", statement="s")
    client = token_client(owner)
    first = client.get("/api/cmocs/?page_size=3").json()
    second = client.get("/api/cmocs/?page_size=3&page=2").json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["next"]
    assert [c["code"] for c in first["results"]] == ["CMOC 2", "CMOC 3", "CMOC 4"]
    assert [c["code"] for c in second["results"]] == ["CMOC 5", "CMOC 6", "CMOC 7"]
    assert len(client.get("/api/cmocs/?page_size=100000").json()["results"]) == 7


def test_it_orders_codes_naturally(world, token_client, owner):
    for n in (10, 2):
        services.create_cmoc(review=world.review, user=owner, code=f"CMOC {n}",
                             stage="refined", statement="s")
    body = token_client(owner).get("/api/cmocs/?stage=refined").json()
    assert [c["code"] for c in body["results"]] == ["CMOC 1", "CMOC 2", "CMOC 10"]


def test_it_creates_a_cmoc_with_new_and_existing_elements(world, token_client, editor):
    response = token_client(editor).post(
        "/api/cmocs/",
        {"review": "test-review", "code": "CMOC 7", "statement": "Shared data builds trust.",
         "context": world.context.pk, "mechanism_resource": "Shared dashboards",
         "theory": world.theory.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    cmoc = CMOC.objects.get(code="CMOC 7")
    assert cmoc.context == world.context and cmoc.mechanism_resource.text == "Shared dashboards"
    assert cmoc.mechanism_resource.kind == "resource" and cmoc.stage == "initial"
    assert cmoc.created_by == editor and cmoc.history.first().history_user == editor
    assert LineageEvent.objects.filter(kind="created", outputs=cmoc).exists()
    assert response["ETag"] == f'"cmoc-{cmoc.pk}-v1"'


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"statement": "x"}, "code"),
        ({"code": "CMOC 9"}, "statement"),
        ({"code": "CMOC 9", "statement": "x" * 20_001}, "statement"),
        ({"code": "CMOC 9", "statement": "nul\x00byte"}, "statement"),
        ({"code": 12, "statement": "x", "context": [1]}, "context"),
        ({"code": "CMOC 9", "statement": "x", "context": 999_999}, "context"),
        ({"code": "CMOC 9", "statement": "x", "context": True}, "context"),
        ({"code": "CMOC 9", "statement": "x", "context": "  "}, "context"),
        ({"code": "CMOC 9", "statement": "x", "theory": "one"}, "theory"),
        ({"code": "CMOC 9", "statement": "x", "stage": "final"}, "stage"),
        ({"code": "CMOC 1", "statement": "x", "stage": "refined"}, "code"),
    ],
)
def test_it_refuses_bad_cmoc_input_naming_the_field(world, token_client, editor, payload, field):
    payload = {"review": "test-review", **payload}
    response = token_client(editor).post("/api/cmocs/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert CMOC.objects.count() == 1 and Context.objects.count() == 1


def test_it_refuses_elements_and_theories_of_another_review(world, other, token_client, staff):
    client = token_client(staff)  # staff see both reviews, so only the review rule refuses
    for field, value in (("context", other.context.pk), ("theory", other.theory.pk),
                         ("mechanism_resource", other.resource.pk)):
        response = client.post(
            "/api/cmocs/",
            {"review": "test-review", "code": "CMOC 9", "statement": "x", field: value},
            format="json",
        )
        assert response.status_code == 400 and field in response.json(), field
    assert not CMOC.objects.filter(code="CMOC 9").exists()


def test_it_hides_elements_of_invisible_reviews_as_unknown_ids(world, other, token_client, editor):
    response = token_client(editor).post(
        "/api/cmocs/",
        {"review": "test-review", "code": "CMOC 9", "statement": "x",
         "context": other.context.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "that you can see" in response.json()["context"][0]


def test_it_refuses_a_reasoning_mechanism_in_the_resource_slot(world, token_client, editor):
    response = token_client(editor).patch(
        f"/api/cmocs/{world.cmoc.pk}/", {"mechanism_resource": world.reasoning.pk},
        format="json", HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v1"',
    )
    assert response.status_code == 400 and "mechanism_resource" in response.json()
    world.cmoc.refresh_from_db()
    assert world.cmoc.mechanism_resource == world.resource and world.cmoc.version == 1


def test_it_edits_with_the_current_etag_and_bumps_the_version(world, token_client, editor):
    client = token_client(editor)
    etag = client.get(f"/api/cmocs/{world.cmoc.pk}/")["ETag"]
    response = client.patch(f"/api/cmocs/{world.cmoc.pk}/", {"statement": "Sharper."},
                            format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response["ETag"] == f'"cmoc-{world.cmoc.pk}-v2"'
    world.cmoc.refresh_from_db()
    assert world.cmoc.statement == "Sharper." and world.cmoc.updated_by == editor
    assert world.cmoc.history.first().history_user == editor


def test_it_refuses_a_stale_edit_with_412_and_changes_nothing(world, token_client, editor):
    client = token_client(editor)
    stale = client.get(f"/api/cmocs/{world.cmoc.pk}/")["ETag"]
    services.update_cmoc(cmoc=world.cmoc, user=editor, expected_version=1, statement="Theirs")
    response = client.patch(f"/api/cmocs/{world.cmoc.pk}/", {"statement": "Mine"},
                            format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    world.cmoc.refresh_from_db()
    assert world.cmoc.statement == "Theirs" and world.cmoc.version == 2


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_it_requires_if_match_on_writes_with_428(world, token_client, editor, method):
    payload = {"review": "test-review", "code": "CMOC 1", "stage": "refined", "statement": "New"}
    response = getattr(token_client(editor), method)(
        f"/api/cmocs/{world.cmoc.pk}/", payload, format="json"
    )
    assert response.status_code == 428
    world.cmoc.refresh_from_db()
    assert world.cmoc.statement == "Vision helps." and world.cmoc.version == 1


@pytest.mark.parametrize("if_match", ['"cmoc-999-v1"', '"theory-1-v1"', "garbage", '"cmoc-1-v"'])
def test_it_treats_a_foreign_or_malformed_if_match_as_stale(world, token_client, editor,
                                                            if_match):
    response = token_client(editor).patch(f"/api/cmocs/{world.cmoc.pk}/", {"statement": "New"},
                                          format="json", HTTP_IF_MATCH=if_match)
    assert response.status_code == 412
    world.cmoc.refresh_from_db()
    assert world.cmoc.version == 1


def test_it_replaces_a_cmoc_with_put(world, token_client, editor):
    response = token_client(editor).put(
        f"/api/cmocs/{world.cmoc.pk}/",
        {"review": "test-review", "stage": "refined", "code": "CMOC 1", "statement": "Whole",
         "context": None, "theory": None},
        format="json", HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v1"',
    )
    assert response.status_code == 200, response.json()
    world.cmoc.refresh_from_db()
    assert world.cmoc.statement == "Whole" and world.cmoc.context is None
    assert world.cmoc.theory is None and world.cmoc.version == 2


def test_it_refuses_to_move_a_cmoc_to_another_stage(world, token_client, editor):
    response = token_client(editor).patch(
        f"/api/cmocs/{world.cmoc.pk}/", {"stage": "initial"}, format="json",
        HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v1"',
    )
    assert response.status_code == 400 and "stage" in response.json()
    world.cmoc.refresh_from_db()
    assert world.cmoc.stage == "refined"


def test_it_deletes_a_fresh_cmoc_with_if_match(world, token_client, editor, owner):
    fresh = services.create_cmoc(review=world.review, user=owner, code="CMOC 8", statement="s")
    response = token_client(editor).delete(f"/api/cmocs/{fresh.pk}/",
                                           HTTP_IF_MATCH=f'"cmoc-{fresh.pk}-v1"')
    assert response.status_code == 204
    assert not CMOC.objects.filter(pk=fresh.pk).exists()
    assert CMOC.history.filter(id=fresh.pk, history_type="-").get().history_user == editor


def test_it_refuses_to_delete_a_cmoc_with_a_recorded_fate(world, token_client, editor, owner):
    old = services.create_cmoc(review=world.review, user=owner, code="CMOC 8", statement="s")
    services.drop_cmoc(cmoc=old, user=owner, rationale="Weak")
    old.refresh_from_db()
    response = token_client(editor).delete(f"/api/cmocs/{old.pk}/",
                                           HTTP_IF_MATCH=f'"cmoc-{old.pk}-v{old.version}"')
    assert response.status_code == 400 and "cmoc" in response.json()
    assert CMOC.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("path", ["/api/cmocs/", "/api/mechanisms/", "/api/theories/"])
def test_it_refuses_a_nul_byte_in_a_review_slug_with_400(world, token_client, editor, path):
    payload = {"review": "test\x00review", "code": "C", "statement": "s", "name": "n",
               "stage": "initial", "kind": "resource", "text": "t"}
    response = token_client(editor).post(path, payload, format="json")
    assert response.status_code == 400 and "review" in response.json()
    assert CMOC.objects.count() == 1


def test_it_refuses_a_nul_byte_in_a_members_username_with_400(world, token_client, owner):
    response = token_client(owner).post("/api/reviews/test-review/members/",
                                        {"username": "vera\x00", "role": "viewer"},
                                        format="json")
    assert response.status_code == 400 and "username" in response.json()
