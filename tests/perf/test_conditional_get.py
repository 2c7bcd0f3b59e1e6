"""Conditional GET on a theory detail: a cheap content ETag, 304 on a match, never stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt

# Only building the body reads these; the ETag query (which also looks at the links,
# for other private reviews' evidence the reader may see) does not.
BODY_COLUMNS = ('"cmocs_cmoc"."code"', '"evidence_excerpt"."text"')


def url(theory):
    return f"/api/theories/{theory.pk}/"


def test_it_answers_a_matching_if_none_match_with_an_empty_304_in_fewer_queries(
    theory, token_client, viewer
):
    client = token_client(viewer)
    with CaptureQueriesContext(connection) as full:
        first = client.get(url(theory))
    assert first.status_code == 200 and first.json()["cmocs"]
    etag = first["ETag"]
    assert etag.startswith(f'"theory-{theory.pk}-v1-')
    with CaptureQueriesContext(connection) as conditional:
        again = client.get(url(theory), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # auth plus the one aggregate; the 200 also loads and nests everything
    assert len(conditional) < len(full)
    assert not any(column in q["sql"] for q in conditional.captured_queries
                   for column in BODY_COLUMNS)


def test_it_sends_the_whole_theory_when_the_etag_does_not_match(theory, token_client, viewer):
    response = token_client(viewer).get(url(theory), HTTP_IF_NONE_MATCH='"theory-1-v1-00"')
    assert response.status_code == 200 and response.json()["id"] == theory.pk


def changed_etag(client, theory, change):
    before = client.get(url(theory))["ETag"]
    change()
    response = client.get(url(theory), HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response["ETag"] != before
    return response


def test_it_changes_the_etag_when_a_nested_cmoc_changes(theory, token_client, viewer, editor):
    cmoc = theory.cmocs.order_by("pk").first()
    response = changed_etag(
        token_client(viewer),
        theory,
        lambda: services.update_cmoc(
            cmoc=cmoc, user=editor, expected_version=cmoc.version, statement="Rewritten."
        ),
    )
    statements = {c["id"]: c["statement"] for c in response.json()["cmocs"]}
    assert statements[cmoc.pk] == "Rewritten."


def test_it_changes_the_etag_when_evidence_or_an_excerpt_changes(theory, token_client, viewer):
    client = token_client(viewer)
    link = EvidenceLink.objects.filter(cmoc__theory=theory).order_by("pk").first()

    def restance():
        link.stance = "challenges" if link.stance != "challenges" else "refines"
        link.save()

    changed_etag(client, theory, restance)

    def reword():
        excerpt = Excerpt.objects.get(pk=link.excerpt_id)
        excerpt.text = "Reworded excerpt."
        excerpt.save()

    response = changed_etag(client, theory, reword)
    texts = [e["excerpt"]["text"] for c in response.json()["cmocs"] for e in c["evidence"]]
    assert "Reworded excerpt." in texts


def test_it_changes_the_etag_when_a_cmoc_joins_or_leaves(theory, token_client, viewer):
    cmoc = CMOC.objects.filter(review=theory.review, theory__isnull=True).first()

    def join():
        cmoc.theory = theory
        cmoc.save()

    response = changed_etag(token_client(viewer), theory, join)
    assert cmoc.pk in {c["id"] for c in response.json()["cmocs"]}


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_never_answers_304_to_someone_who_cannot_see_the_theory(
    theory, token_client, viewer, outsider, who
):
    etag = token_client(viewer).get(url(theory))["ETag"]
    client = token_client(outsider if who == "outsider" else None)
    response = client.get(url(theory), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 404 and "ETag" not in response


def test_it_accepts_the_content_etag_as_if_match_for_an_edit(theory, token_client, editor):
    client = token_client(editor)
    etag = client.get(url(theory))["ETag"]
    response = client.patch(url(theory), {"statement": "Edited."}, format="json",
                            HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["version"] == 2
    theory.refresh_from_db()
    assert theory.statement == "Edited." and theory.version == 2
    stale = client.patch(url(theory), {"statement": "Lost."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    theory.refresh_from_db()
    assert theory.statement == "Edited."
