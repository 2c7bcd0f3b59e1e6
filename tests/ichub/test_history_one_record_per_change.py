"""Every write path leaves exactly one history record per row it changed, and none for others.

The check is generic: before a write, note the newest history id of every
model django-simple-history tracks; after it, group the new records by row.
Each changed row must have exactly one record (two would mean a path saves
twice; none would mean it skipped `save()`), and the rows must be the ones
the write was meant to change.
"""

from collections import Counter

import pytest
from django.db.models import Max
from simple_history.models import registered_models

from cmocs import services
from cmocs.models import CMOC, EvidenceLink
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from tests.api.conftest import build_review_rows
from tests.conftest import PASSWORD

RIS = b"""TY  - JOUR
AU  - Smith, Jane
TI  - Collaborative leadership in integrated care
PY  - 2021
DO  - 10.1000/one
ER  -

TY  - JOUR
AU  - Jones, Ann
TI  - Trust between partners in place-based health systems
PY  - 2022
DO  - 10.1000/two
ER  -
"""


def history_models():
    return [model.history.model for model in registered_models.values()]


def snapshot():
    return {
        model: model.objects.aggregate(newest=Max("history_id"))["newest"] or 0
        for model in history_models()
    }


def records_since(before):
    """{(model label, row id, history type): how many records} written since `before`."""
    counts = Counter()
    for model, newest in before.items():
        tracked = model.instance_type._meta.label
        for row_id, kind in model.objects.filter(history_id__gt=newest).values_list(
            "id", "history_type"
        ):
            counts[(tracked, row_id, kind)] += 1
    return counts


def carried_links(cmoc_ids):
    """History keys of the evidence links a refine, merge or split copied to its outputs.

    The operations carry every input link by default (issue 13), each a new row
    with its own creation record; the inputs keep theirs untouched.
    """
    return {("cmocs.EvidenceLink", pk, "+")
            for pk in EvidenceLink.objects.filter(cmoc__in=cmoc_ids).values_list("pk", flat=True)}


def assert_one_record_each(before, expected):
    counts = records_since(before)
    assert set(counts) == set(expected), counts
    assert all(n == 1 for n in counts.values()), counts


@pytest.fixture
def world(review, owner):
    return build_review_rows(review, owner)


def etag(cmoc):
    cmoc.refresh_from_db()
    return f'"cmoc-{cmoc.pk}-v{cmoc.version}"'


# --- services -------------------------------------------------------------------------------


def test_it_records_a_service_edit_once(world, editor):
    before = snapshot()

    services.update_cmoc(cmoc=world.cmoc, user=editor, expected_version=1, statement="Edited.")

    assert_one_record_each(before, {("cmocs.CMOC", world.cmoc.pk, "~")})
    latest = world.cmoc.history.first()
    assert latest.statement == "Edited." and latest.version == 2


def test_it_records_a_new_element_and_the_cmoc_once_each(world, editor):
    before = snapshot()

    services.update_cmoc(cmoc=world.cmoc, user=editor, expected_version=1,
                         context="A brand-new context")

    world.cmoc.refresh_from_db()
    assert_one_record_each(before, {
        ("cmocs.CMOC", world.cmoc.pk, "~"), ("cmocs.Context", world.cmoc.context_id, "+"),
    })


def test_it_records_a_merge_once_for_each_closed_input_and_once_for_the_new_cmoc(
    world, owner
):
    second = services.create_cmoc(review=world.review, user=owner, code="CMOC 2",
                                  statement="Trust grows.")
    before = snapshot()

    merged = services.merge_cmocs(inputs=[world.cmoc, second], user=owner,
                                  rationale="Same mechanism", code="CMOC 3",
                                  statement="Vision and trust.")

    assert_one_record_each(before, {
        ("cmocs.CMOC", world.cmoc.pk, "~"), ("cmocs.CMOC", second.pk, "~"),
        ("cmocs.CMOC", merged.pk, "+"), *carried_links([merged.pk]),
    })
    closed = world.cmoc.history.first()
    assert closed.status == CMOC.Status.MERGED and closed.history_user == owner


@pytest.mark.parametrize("operation", ["refine", "split", "drop"])
def test_it_records_each_lineage_operation_once_per_changed_cmoc(world, owner, operation):
    before = snapshot()

    if operation == "refine":
        outputs = [services.refine_cmoc(cmoc=world.cmoc, user=owner, rationale="Sharper",
                                        code="CMOC 1b", statement="Sharper.")]
    elif operation == "split":
        outputs = services.split_cmoc(
            cmoc=world.cmoc, user=owner, rationale="Two ideas",
            outputs=[{"code": "CMOC 1a", "statement": "A."},
                     {"code": "CMOC 1b", "statement": "B."}],
        )
    else:
        services.drop_cmoc(cmoc=world.cmoc, user=owner, rationale="No evidence")
        outputs = []

    assert_one_record_each(before, {
        ("cmocs.CMOC", world.cmoc.pk, "~"),
        *{("cmocs.CMOC", new.pk, "+") for new in outputs},
        *carried_links([new.pk for new in outputs]),
    })
    world.cmoc.refresh_from_db()
    assert world.cmoc.version == 2  # the closure is one change, recorded once


def test_it_records_a_delete_and_an_evidence_link_once(world, owner):
    spare = services.create_cmoc(review=world.review, user=owner, code="CMOC 9",
                                 statement="Spare.")
    spare_id = spare.pk
    before = snapshot()

    link = services.link_evidence(cmoc=spare, excerpt=world.excerpt, user=owner)
    services.delete_cmoc(cmoc=spare, user=owner, expected_version=1)

    counts = records_since(before)
    assert counts == Counter({
        ("cmocs.EvidenceLink", link.pk, "+"): 1, ("cmocs.EvidenceLink", link.pk, "-"): 1,
        ("cmocs.CMOC", spare_id, "-"): 1,
    })


# --- REST API -------------------------------------------------------------------------------


def test_it_records_api_writes_once_each_with_the_api_user(world, editor, token_client):
    client = token_client(editor)
    before = snapshot()

    edited = client.patch(f"/api/cmocs/{world.cmoc.pk}/", {"statement": "Via the API."},
                          format="json", HTTP_IF_MATCH=etag(world.cmoc))
    created = client.post("/api/cmocs/", {"review": world.review.slug, "code": "CMOC 7",
                                          "statement": "New via the API."}, format="json")
    linked = client.post("/api/evidence-links/", {"cmoc": world.cmoc.pk,
                                                  "excerpt": world.excerpt.pk,
                                                  "element": "context"}, format="json")

    assert (edited.status_code, created.status_code) == (200, 201)
    assert linked.status_code == 201, linked.content
    assert_one_record_each(before, {
        ("cmocs.CMOC", world.cmoc.pk, "~"), ("cmocs.CMOC", created.json()["id"], "+"),
        ("cmocs.EvidenceLink", linked.json()["id"], "+"),
    })
    assert world.cmoc.history.first().history_user == editor


def test_it_records_nothing_for_an_api_edit_refused_as_stale(world, editor, token_client):
    before = snapshot()

    response = token_client(editor).patch(
        f"/api/cmocs/{world.cmoc.pk}/", {"statement": "Lost?"}, format="json",
        HTTP_IF_MATCH=f'"cmoc-{world.cmoc.pk}-v0"',
    )

    assert response.status_code == 412
    assert records_since(before) == Counter()
    world.cmoc.refresh_from_db()
    assert world.cmoc.version == 1 and world.cmoc.statement == "Vision helps."


def test_it_records_an_api_merge_once_per_changed_cmoc(world, owner, token_client):
    second = services.create_cmoc(review=world.review, user=owner, code="CMOC 2",
                                  statement="Trust grows.")
    before = snapshot()

    response = token_client(owner).post(
        "/api/cmocs/merge/",
        {"inputs": [world.cmoc.pk, second.pk], "rationale": "Same mechanism",
         "code": "CMOC 3", "statement": "Vision and trust."},
        format="json",
    )

    assert response.status_code == 201, response.content
    [new] = response.json()["outputs"]
    assert_one_record_each(before, {
        ("cmocs.CMOC", world.cmoc.pk, "~"), ("cmocs.CMOC", second.pk, "~"),
        ("cmocs.CMOC", new["id"], "+"), *carried_links([new["id"]]),
    })


# --- browser forms and admin ----------------------------------------------------------------


def test_it_records_a_browser_form_edit_once(world, editor, client):
    client.force_login(editor)
    before = snapshot()

    response = client.post(
        f"/reviews/{world.review.slug}/cmocs/{world.cmoc.pk}/edit/",
        {"code": "CMOC 1", "statement": "Via the form.", "version": 1,
         # The form names each element by its text; the same text keeps the same element.
         "context": world.context.text, "mechanism_resource": world.resource.text,
         "mechanism_reasoning": world.reasoning.text, "outcome": world.outcome.text,
         "theory": world.theory.pk, "notes": ""},
    )

    assert response.status_code == 302, response.content[:2000]
    assert_one_record_each(before, {("cmocs.CMOC", world.cmoc.pk, "~")})
    assert world.cmoc.history.first().history_user == editor


def test_it_records_an_admin_edit_once_with_the_admin_user(world, staff, client):
    client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    before = snapshot()

    response = client.post(f"/admin/cmocs/cmoc/{world.cmoc.pk}/change/", {
        "review": world.review.pk, "code": "CMOC 1", "stage": "refined", "status": "active",
        "theory": world.theory.pk, "statement": "Via the admin.",
        "context": world.context.pk, "mechanism_resource": world.resource.pk,
        "mechanism_reasoning": world.reasoning.pk, "outcome": world.outcome.pk, "notes": "",
        "theory_provenance": "reported", "theory_reading": "",
        "evidence_links-TOTAL_FORMS": 1, "evidence_links-INITIAL_FORMS": 1,
        "evidence_links-0-id": world.link.pk, "evidence_links-0-cmoc": world.cmoc.pk,
        "evidence_links-0-excerpt": world.excerpt.pk, "evidence_links-0-element": "whole",
        "evidence_links-0-stance": "supports", "evidence_links-0-note": "",
        "evidence_links-0-provenance": "reported", "evidence_links-0-reading": "",
    })

    assert response.status_code == 302, response.content[:3000]
    assert_one_record_each(before, {("cmocs.CMOC", world.cmoc.pk, "~")})
    assert world.cmoc.history.first().history_user == staff
    assert EvidenceLink.objects.get(pk=world.link.pk).history.count() == 1


# --- importers ------------------------------------------------------------------------------


def test_it_records_each_imported_source_once(review, owner):
    before = snapshot()

    import_sources(review=review, data=RIS, filename="refs.ris", user=owner)

    imported = SourceDocument.objects.filter(review=review)
    assert imported.count() == 2
    assert_one_record_each(before, {("evidence.SourceDocument", s.pk, "+") for s in imported})


def test_it_shows_history_in_the_admin_and_reverts_with_one_more_record(world, staff, client):
    services.update_cmoc(cmoc=world.cmoc, user=staff, expected_version=1, statement="Edited.")
    client.force_login(staff)
    original = world.cmoc.history.earliest()

    listing = client.get(f"/admin/cmocs/cmoc/{world.cmoc.pk}/history/")
    before = snapshot()
    reverted = client.post(f"/admin/cmocs/cmoc/{world.cmoc.pk}/history/{original.history_id}/", {
        "review": world.review.pk, "code": "CMOC 1", "stage": "refined", "status": "active",
        "theory": world.theory.pk, "statement": original.statement,
        "context": world.context.pk, "mechanism_resource": world.resource.pk,
        "mechanism_reasoning": world.reasoning.pk, "outcome": world.outcome.pk, "notes": "",
        "theory_provenance": "reported", "theory_reading": "",
        "evidence_links-TOTAL_FORMS": 0, "evidence_links-INITIAL_FORMS": 0,
    })

    assert listing.status_code == 200
    assert listing.content.decode().count(staff.username) >= 1
    assert reverted.status_code == 302, reverted.content[:3000]
    world.cmoc.refresh_from_db()
    assert world.cmoc.statement == "Vision helps."
    assert_one_record_each(before, {("cmocs.CMOC", world.cmoc.pk, "~")})
    assert world.cmoc.version == 3  # a revert is an edit: API clients' ETags go stale
