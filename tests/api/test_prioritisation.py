"""Prioritisation over the API: the setting (If-Match, 412, history), the ranking log, who may."""

import pytest

from evidence.models import PrioritisationSettings, Ranking
from evidence.screening.services import record_decision
from tests.evidence.screening.prioritisation.labelled import relevant

URL = "/api/reviews/test-review/prioritisation/"
TA = "title_abstract"


def read(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response


def test_it_reads_the_default_setting_with_an_etag(token_client, viewer, review):
    response = read(token_client(viewer))
    assert response.json() == {"review": "test-review", "enabled": False,
                               "exploration_percent": 0, "exploration_mode": "random",
                               "version": 0, "updated_by": None}
    assert response["ETag"] == f'"prioritisation-{review.pk}-v0"'


def test_it_lets_an_owner_change_the_setting_with_if_match_and_keeps_the_history(
        token_client, owner, review):
    client = token_client(owner)
    etag = read(client)["ETag"]
    response = client.patch(URL, {"enabled": True, "exploration_percent": 10},
                            format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 1 and response["ETag"] != etag
    saved = PrioritisationSettings.objects.get(review=review)
    assert (saved.enabled, saved.exploration_percent, saved.exploration_mode) == (
        True, 10, "random")
    response = client.put(URL, {"enabled": False, "exploration_percent": 5,
                                "exploration_mode": "uncertain"},
                          format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["updated_by"] == owner.username
    history = client.get(URL + "history/").json()["results"]
    assert [(h["version"], h["enabled"], h["exploration_percent"], h["changed_by"])
            for h in history] == [(2, False, 5, owner.username), (1, True, 10, owner.username)]


def test_it_refuses_a_change_without_if_match_or_from_a_stale_version(
        token_client, owner, review):
    client = token_client(owner)
    stale = read(client)["ETag"]
    assert client.patch(URL, {"enabled": True}, format="json").status_code == 428
    assert client.patch(URL, {"enabled": True}, format="json",
                        HTTP_IF_MATCH=stale).status_code == 200
    response = client.patch(URL, {"exploration_percent": 20}, format="json",
                            HTTP_IF_MATCH=stale)
    assert response.status_code == 412 and response.json()["current_version"] == 1
    assert PrioritisationSettings.objects.get(review=review).exploration_percent == 0


@pytest.mark.parametrize("body, field", [
    ({"exploration_percent": 51}, "exploration_percent"),
    ({"exploration_percent": -1}, "exploration_percent"),
    ({"exploration_mode": "greedy"}, "exploration_mode"),
    ({"enabled": "perhaps"}, "enabled"),
])
def test_it_names_the_faulty_field_and_changes_nothing(token_client, owner, review, body,
                                                        field):
    client = token_client(owner)
    response = client.patch(URL, body, format="json", HTTP_IF_MATCH=read(client)["ETag"])
    assert response.status_code == 400 and field in response.json()
    assert not PrioritisationSettings.objects.filter(review=review).exists()


@pytest.mark.parametrize("who, reads, changes", [
    ("owner", 200, 200), ("editor", 200, 403), ("viewer", 200, 403),
    ("outsider", 404, 404), (None, 401, 401),
])
def test_it_lets_members_read_and_only_owners_change(request, token_client, review, who,
                                                     reads, changes):
    user = request.getfixturevalue(who) if who else None
    client = token_client(user)
    assert client.get(URL).status_code == reads
    assert client.get(URL + "history/").status_code == reads
    assert client.get("/api/reviews/test-review/rankings/").status_code == reads
    response = client.patch(URL, {"enabled": True}, format="json",
                            HTTP_IF_MATCH=f'"prioritisation-{review.pk}-v0"')
    assert response.status_code == changes
    assert PrioritisationSettings.objects.filter(review=review, enabled=True).exists() == (
        changes == 200)


def test_it_logs_rankings_as_blind_as_the_queue(token_client, run_on_commit, owner, editor,
                                                 editor2, ranking_corpus, prioritised):
    for reviewer in (editor, editor2):
        with run_on_commit():
            record_decision(user=reviewer, source=ranking_corpus[0], stage=TA,
                            decision="exclude")
        with run_on_commit():
            record_decision(user=reviewer, source=relevant(ranking_corpus)[0], stage=TA,
                            decision="include")
    mine = Ranking.objects.get(reviewer=editor, status=Ranking.Status.READY)
    theirs = Ranking.objects.get(reviewer=editor2, status=Ranking.Status.READY)
    client = token_client(editor)
    listed = client.get("/api/reviews/test-review/rankings/").json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    assert listed[0]["model"] == mine.model and listed[0]["seed"] == 0
    assert sorted(map(tuple, listed[0]["trained_on"])) == sorted(map(tuple, mine.trained_on))
    detail = client.get(f"/api/reviews/test-review/rankings/{mine.pk}/").json()
    assert detail["order"] == mine.order and detail["reasons"]
    assert client.get(f"/api/reviews/test-review/rankings/{theirs.pk}/").status_code == 404
    everyone = token_client(owner).get("/api/reviews/test-review/rankings/").json()["results"]
    assert {r["id"] for r in everyone} == {mine.pk, theirs.pk}
