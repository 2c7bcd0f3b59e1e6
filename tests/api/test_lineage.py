"""Lineage over the API: the graph around a CMOC, and refine / merge / split / drop."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from cmocs.models import CMOC, LineageEvent

pytestmark = pytest.mark.django_db


def make(world, user, code, stage="initial"):
    return services.create_cmoc(review=world.review, user=user, code=code, stage=stage,
                                statement=f"Statement of {code}")


def test_it_refines_a_cmoc_with_new_text_and_existing_elements(world, token_client, editor):
    old = make(world, editor, "CMOC 2")
    response = token_client(editor).post(
        f"/api/cmocs/{old.pk}/refine/",
        {"code": "CMOC 2", "statement": "Refined: trust grows with shared data.",
         "context": world.context.pk, "outcome": "Faster joint decisions",
         "rationale": "Interviews sharpened the outcome", "phase": "Phase 2",
         "evidence": [world.excerpt.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    [new] = body["outputs"]
    assert new["stage"] == "refined" and new["context"]["id"] == world.context.pk
    assert new["outcome"]["text"] == "Faster joint decisions"
    event = body["event"]
    assert event["kind"] == "refined" and event["inputs"] == [old.pk]
    assert event["outputs"] == [new["id"]] and event["decided_by"] == "eddie_editor"
    assert event["evidence"][0]["source"]["citation_key"] == "pearson2018"
    old.refresh_from_db()
    assert old.status == "superseded"
    stored = LineageEvent.objects.get(kind="refined")
    assert stored.rationale == "Interviews sharpened the outcome" and stored.decided_by == editor


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "R", "statement": "s"}, "rationale"),
        ({"code": "R", "statement": "s", "rationale": "   "}, "rationale"),
        ({"code": "R", "rationale": "why"}, "statement"),
        ({"code": "R", "statement": "s", "rationale": "why", "evidence": [999_999]}, "evidence"),
        ({"code": "R", "statement": "s", "rationale": "why", "decided_on": "soon"},
         "decided_on"),
    ],
)
def test_it_refuses_a_bad_refine_and_changes_nothing(world, token_client, editor, payload, field):
    old = make(world, editor, "CMOC 2")
    response = token_client(editor).post(f"/api/cmocs/{old.pk}/refine/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    old.refresh_from_db()
    assert old.status == "active" and old.version == 1
    assert CMOC.objects.count() == 2 and not LineageEvent.objects.filter(kind="refined").exists()


def test_it_refuses_to_refine_a_cmoc_that_is_no_longer_active(world, token_client, editor):
    old = make(world, editor, "CMOC 2")
    services.drop_cmoc(cmoc=old, user=editor, rationale="Weak")
    response = token_client(editor).post(
        f"/api/cmocs/{old.pk}/refine/",
        {"code": "CMOC 2", "statement": "s", "rationale": "why"}, format="json",
    )
    assert response.status_code == 400 and "inputs" in response.json()
    assert not CMOC.objects.filter(stage="refined", code="CMOC 2").exists()


def test_it_merges_two_cmocs_with_a_rationale(world, token_client, editor):
    a, b = make(world, editor, "CMOC 2"), make(world, editor, "CMOC 9")
    response = token_client(editor).post(
        "/api/cmocs/merge/",
        {"inputs": [a.pk, b.pk], "code": "CMOC 6", "statement": "Merged statement",
         "rationale": "Insufficient distinct evidence"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(body["event"]["inputs"]) == sorted([a.pk, b.pk])
    assert body["event"]["kind"] == "merged"
    assert body["outputs"][0]["code"] == "CMOC 6"
    assert set(CMOC.objects.filter(status="merged")) == {a, b}


@pytest.mark.parametrize(
    "case", ["one input", "same twice", "no rationale", "other review", "already merged",
             "not a list"],
)
def test_it_refuses_a_bad_merge(world, other, token_client, staff, editor, case):
    a, b = make(world, editor, "CMOC 2"), make(world, editor, "CMOC 9")
    foreign = other.cmoc
    if case == "already merged":
        services.merge_cmocs(inputs=[a, b], user=editor, rationale="r", code="M", statement="s")
    inputs = {
        "one input": [a.pk], "same twice": [a.pk, a.pk], "no rationale": [a.pk, b.pk],
        "other review": [a.pk, foreign.pk], "already merged": [a.pk, b.pk],
        "not a list": a.pk,
    }[case]
    payload = {"inputs": inputs, "code": "CMOC 7", "statement": "s", "rationale": "why"}
    if case == "no rationale":
        del payload["rationale"]
    events_before = LineageEvent.objects.count()
    response = token_client(staff).post("/api/cmocs/merge/", payload, format="json")
    assert response.status_code == 400
    assert ("rationale" if case == "no rationale" else "inputs") in response.json()
    assert LineageEvent.objects.count() == events_before
    assert not CMOC.objects.filter(code="CMOC 7").exists()
    foreign.refresh_from_db()
    assert foreign.status == "active"


def test_it_splits_one_cmoc_into_two(world, token_client, editor):
    old = make(world, editor, "CMOC 2")
    response = token_client(editor).post(
        f"/api/cmocs/{old.pk}/split/",
        {"rationale": "Two mechanisms at work",
         "outputs": [{"code": "CMOC 2a", "statement": "First", "context": world.context.pk},
                     {"code": "CMOC 2b", "statement": "Second", "outcome": "Other outcome"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [o["code"] for o in body["outputs"]] == ["CMOC 2a", "CMOC 2b"]
    assert body["event"]["kind"] == "split" and body["event"]["inputs"] == [old.pk]
    old.refresh_from_db()
    assert old.status == "superseded"


@pytest.mark.parametrize(
    ("outputs", "field"),
    [
        ([{"code": "A", "statement": "only one"}], "outputs"),
        ([{"code": "A", "statement": "one"}, {"code": "B"}], "outputs"),
        ("not a list", "outputs"),
    ],
)
def test_it_refuses_a_bad_split(world, token_client, editor, outputs, field):
    old = make(world, editor, "CMOC 2")
    response = token_client(editor).post(
        f"/api/cmocs/{old.pk}/split/", {"rationale": "why", "outputs": outputs}, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    old.refresh_from_db()
    assert old.status == "active" and CMOC.objects.count() == 2


def test_it_drops_a_cmoc_and_refuses_a_drop_without_rationale(world, token_client, editor):
    old = make(world, editor, "CMOC 3")
    client = token_client(editor)
    refused = client.post(f"/api/cmocs/{old.pk}/drop/", {}, format="json")
    assert refused.status_code == 400 and "rationale" in refused.json()
    old.refresh_from_db()
    assert old.status == "active"
    response = client.post(f"/api/cmocs/{old.pk}/drop/",
                           {"rationale": "No supporting evidence"}, format="json")
    assert response.status_code == 201
    assert response.json()["outputs"] == [] and response.json()["event"]["kind"] == "dropped"
    old.refresh_from_db()
    assert old.status == "dropped"
    again = client.post(f"/api/cmocs/{old.pk}/drop/", {"rationale": "again"}, format="json")
    assert again.status_code == 400 and "inputs" in again.json()


def test_it_returns_the_whole_lineage_graph(world, token_client, editor):
    a, b = make(world, editor, "CMOC 2"), make(world, editor, "CMOC 9")
    merged = services.merge_cmocs(inputs=[a, b], user=editor, rationale="Overlap",
                                  code="CMOC 5", statement="Merged")
    refined = services.refine_cmoc(cmoc=merged, user=editor, rationale="Sharper",
                                   code="CMOC 6", statement="Refined", stage="refined")
    body = token_client(editor).get(f"/api/cmocs/{merged.pk}/lineage/").json()
    assert body["root"] == merged.pk
    assert body["ancestors"] == sorted([a.pk, b.pk]) and body["descendants"] == [refined.pk]
    assert {n["id"] for n in body["nodes"]} == {a.pk, b.pk, merged.pk, refined.pk}
    kinds = sorted(e["kind"] for e in body["events"])
    assert kinds == ["created", "created", "merged", "refined"]
    merge = next(e for e in body["events"] if e["kind"] == "merged")
    assert merge["rationale"] == "Overlap" and merge["decided_by"] == "eddie_editor"
    assert set(merge) >= {"inputs", "outputs", "phase", "decided_on", "evidence"}


def test_it_fetches_lineage_in_a_fixed_number_of_queries(world, token_client, editor):
    client = token_client(editor)

    def chain(length, prefix):
        cmoc = make(world, editor, f"{prefix} 0")
        root = cmoc
        for n in range(1, length):
            cmoc = services.refine_cmoc(cmoc=cmoc, user=editor, rationale="r",
                                        code=f"{prefix} {n}", statement="s", stage="initial")
        return root

    counts = []
    for length, prefix in ((2, "Short"), (12, "Long")):
        root = chain(length, prefix)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/cmocs/{root.pk}/lineage/")
        assert response.status_code == 200
        assert len(response.json()["nodes"]) == length
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _linked(world, user, code):
    cmoc = make(world, user, code)
    link = services.link_evidence(cmoc=cmoc, excerpt=world.excerpt, user=user)
    return cmoc, link


@pytest.mark.parametrize("carry", [None, [], "own", "foreign"])
def test_it_refines_carrying_all_evidence_or_the_links_named(world, token_client, editor,
                                                             carry):
    old, link = _linked(world, editor, "CMOC 2")
    _, foreign = _linked(world, editor, "CMOC 3")
    payload = {"code": "CMOC 2", "statement": "s", "rationale": "why"}
    if carry is not None:
        named = {"own": [link.pk], "foreign": [foreign.pk]}
        payload["carry"] = named[carry] if isinstance(carry, str) else carry
    response = token_client(editor).post(f"/api/cmocs/{old.pk}/refine/", payload, format="json")
    if carry == "foreign":
        assert response.status_code == 400 and "carry" in response.json()
        assert not CMOC.objects.filter(stage="refined", code="CMOC 2").exists()
        return
    assert response.status_code == 201, response.json()
    [new] = response.json()["outputs"]
    assert len(new["evidence"]) == (0 if carry == [] else 1)
    assert old.evidence_links.count() == 1  # the superseded CMOC keeps its evidence


def test_it_splits_giving_each_output_its_own_evidence(world, token_client, editor):
    old, link = _linked(world, editor, "CMOC 2")
    response = token_client(editor).post(
        f"/api/cmocs/{old.pk}/split/",
        {"rationale": "Two mechanisms", "outputs": [
            {"code": "CMOC 2a", "statement": "a", "carry": [link.pk]},
            {"code": "CMOC 2b", "statement": "b", "carry": []}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [len(o["evidence"]) for o in response.json()["outputs"]] == [1, 0]
