"""Retraining one's ranking over the API (the ranking log's button, for API clients)."""

import pytest

from evidence.models import Ranking

URL = "/api/reviews/test-review/rankings/retrain/"
TA = "title_abstract"


def test_it_requests_and_trains_a_new_ranking_of_the_callers_queue(
        token_client, run_on_commit, editor, failed_ranking):
    with run_on_commit():
        response = token_client(editor).post(URL)

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["reviewer"] == editor.username and body["status"] == "training"
    ranking = Ranking.objects.get(pk=body["id"])
    assert ranking.status == Ranking.Status.READY  # the task ran on commit
    assert (ranking.n_included, ranking.n_excluded) == (1, 1)


@pytest.mark.parametrize(("who", "status"), [
    ("owner", 202), ("editor", 202), ("viewer", 403), ("outsider", 404), (None, 401)])
def test_it_lets_only_screeners_retrain(request, token_client, failed_ranking, who, status):
    user = request.getfixturevalue(who) if who else None
    before = Ranking.objects.count()

    response = token_client(user).post(URL)

    assert response.status_code == status
    assert Ranking.objects.count() == before + (status == 202)
    if status == 202:
        assert Ranking.objects.filter(reviewer=user).latest("pk").pk == response.json()["id"]


def test_it_refuses_a_retrain_when_prioritisation_is_off(token_client, editor, failed_ranking,
                                                         prioritised):
    prioritised.enabled = False
    prioritised.save()

    response = token_client(editor).post(URL)

    assert response.status_code == 400
    assert "Prioritisation is off" in response.json()["detail"]
    assert Ranking.objects.count() == 1


def test_it_refuses_get(token_client, editor, failed_ranking):
    assert token_client(editor).get(URL).status_code == 405
