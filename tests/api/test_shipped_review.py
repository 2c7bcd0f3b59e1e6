"""The issue's "done when", on the shipped 2024 review, as a client using only the API would."""

import pytest
from rest_framework.test import APIClient

from cmocs.models import CMOC, LineageEvent
from tests.conftest import ICS_SLUG, PASSWORD

pytestmark = pytest.mark.django_db


def test_it_lets_a_client_pull_trace_merge_and_hit_a_stale_edit(ics_review, staff):
    api = APIClient()
    token = api.post("/api/auth/token/", {"username": staff.username, "password": PASSWORD})
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    # 1. The refined Delivering theory, with CMOCs 4–6 and the studies they cite.
    theories = api.get(f"/api/theories/?review={ICS_SLUG}&stage=refined").json()["results"]
    delivering = next(t for t in theories if t["name"] == "Delivering")
    theory = api.get(f"/api/theories/{delivering['id']}/").json()
    assert [c["code"] for c in theory["cmocs"]] == ["CMOC 4", "CMOC 5", "CMOC 6"]
    for cmoc in theory["cmocs"]:
        assert cmoc["context"] and cmoc["mechanism_resource"] and cmoc["outcome"]
        assert cmoc["evidence"], cmoc["code"]
        for link in cmoc["evidence"]:
            source = link["excerpt"]["source"]
            assert source["title"] and source["citation_key"] and "doi" in source
    cited = {
        link["excerpt"]["source"]["citation_key"]
        for cmoc in theory["cmocs"] for link in cmoc["evidence"]
    }
    assert len(cited) >= 3

    # 2. Initial CMOC 3 traced to its drop.
    initial_3 = CMOC.objects.get_by_natural_key(ICS_SLUG, "initial", "CMOC 3")
    lineage = api.get(f"/api/cmocs/{initial_3.pk}/lineage/").json()
    dropped = [e for e in lineage["events"] if e["kind"] == "dropped"]
    assert len(dropped) == 1 and dropped[0]["inputs"] == [initial_3.pk]
    assert dropped[0]["outputs"] == [] and dropped[0]["rationale"]
    assert api.get(f"/api/cmocs/{initial_3.pk}/").json()["status"] == "dropped"

    # The lineage of refined CMOC 6 reaches back to the eight initial CMOCs the paper says
    # were refined or merged into the six, as a set: which of them became CMOC 6 is not
    # reported, and the events say so.
    refined_6 = CMOC.objects.get_by_natural_key(ICS_SLUG, "refined", "CMOC 6")
    graph = api.get(f"/api/cmocs/{refined_6.pk}/lineage/").json()
    assert set(graph["ancestors"]) == {
        CMOC.objects.get_by_natural_key(ICS_SLUG, "initial", f"CMOC {n}").pk
        for n in (1, 2, 4, 5, 6, 7, 8, 9)
    }
    into_6 = [e for e in graph["events"] if refined_6.pk in e["outputs"]]
    assert {e["certainty"] for e in into_6} == {"unreported_pairing"}

    # 3. Merge two CMOCs with a rationale.
    refined_4 = CMOC.objects.get_by_natural_key(ICS_SLUG, "refined", "CMOC 4")
    refined_5 = CMOC.objects.get_by_natural_key(ICS_SLUG, "refined", "CMOC 5")
    merged = api.post(
        "/api/cmocs/merge/",
        {"inputs": [refined_4.pk, refined_5.pk], "code": "CMOC 7", "stage": "refined",
         "statement": "Delivery through shared data and collective accountability.",
         "rationale": "The case study found the two work as one mechanism."},
        format="json",
    )
    assert merged.status_code == 201, merged.json()
    assert LineageEvent.objects.get(pk=merged.json()["event"]["id"]).kind == "merged"
    assert set(CMOC.objects.filter(pk__in=[refined_4.pk, refined_5.pk])
               .values_list("status", flat=True)) == {"merged"}

    # 4. A stale edit gets 412 and changes nothing.
    url = f"/api/cmocs/{refined_6.pk}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"notes": "first"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"notes": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    refined_6.refresh_from_db()
    assert refined_6.notes == "first"


def test_it_serves_the_shipped_matrix_and_flow(ics_review, token_client):
    api = token_client(None)
    flow = api.get(f"/api/reviews/{ICS_SLUG}/flow/").json()["stages"]
    counts = {stage["stage"]: stage["count"] for stage in flow}
    assert [stage["stage"] for stage in flow][0] == "identified"
    assert (counts["title_abstract"], counts["full_text"], counts["relevance"]) == (5716, 99, 22)
    assert (counts["richness"], counts["rigour"], counts["included"]) == (21, 18, 18)
    relevance = next(stage for stage in flow if stage["stage"] == "relevance")
    assert [e["citation_key"] for e in relevance["exclusions"]] == ["alonso2022"]
    matrix = api.get(f"/api/reviews/{ICS_SLUG}/matrix/").json()
    assert [c["code"] for c in matrix["cmocs"]] == [f"CMOC {n}" for n in range(1, 7)]
    assert matrix["cells"] and all(cell["stances"] for cell in matrix["cells"])
