"""Retraining one's ranking over the API (the ranking log's button, for API clients)."""

import pytest

from evidence.models import Ranking
from evidence.screening.services import record_decision
from tests.evidence.screening.prioritisation.labelled import irrelevant, relevant

URL = "/api/reviews/test-review/rankings/retrain/"
TA = "title_abstract"


@pytest.fixture
def failed(editor, ranking_corpus, prioritised):
    """The editor has an include and an exclude, and their only ranking failed."""
    record_decision(user=editor, source=irrelevant(ranking_corpus)[0], stage=TA,
                    decision="exclude")
    record_decision(user=editor, source=relevant(ranking_corpus)[0], stage=TA,
                    decision="include")
    Ranking.objects.filter(review=prioritised.review).delete()
    return Ranking.objects.create(review=prioritised.review, reviewer=editor,
                                  status=Ranking.Status.FAILED, error="MemoryError")


def test_it_requests_and_trains_a_new_ranking_of_the_callers_queue(
        token_client, run_on_commit, editor, failed):
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
def test_it_lets_only_screeners_retrain(request, token_client, failed, who, status):
    user = request.getfixturevalue(who) if who else None
    before = Ranking.objects.count()

    response = token_client(user).post(URL)

    assert response.status_code == status
    assert Ranking.objects.count() == before + (status == 202)
    if status == 202:
        assert Ranking.objects.filter(reviewer=user).latest("pk").pk == response.json()["id"]


def test_it_refuses_a_retrain_when_prioritisation_is_off(token_client, editor, failed,
                                                         prioritised):
    prioritised.enabled = False
    prioritised.save()

    response = token_client(editor).post(URL)

    assert response.status_code == 400
    assert "Prioritisation is off" in response.json()["detail"]
    assert Ranking.objects.count() == 1


def test_it_refuses_get(token_client, editor, failed):
    assert token_client(editor).get(URL).status_code == 405
