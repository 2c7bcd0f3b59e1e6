"""Retrying a reviewer's ranking from the ranking log (issue 19: a failed training had no retry)."""

import pytest
from django.urls import reverse

from evidence.models import Ranking

TA = "title_abstract"
RETRAIN = reverse("screening:retrain", args=["test-review"])
LOG = reverse("screening:rankings", args=["test-review"])


def test_it_says_the_last_ranking_failed_and_retrains_it(client, run_on_commit, editor,
                                                         failed_ranking):
    client.force_login(editor)
    html = client.get(LOG).content.decode()
    assert 'id="ranking-failed"' in html and "Retrain my ranking" in html

    with run_on_commit():
        response = client.post(RETRAIN)

    assert response.status_code == 302 and response.url == LOG
    ready = Ranking.objects.get(reviewer=editor, status=Ranking.Status.READY)
    assert (ready.n_included, ready.n_excluded) == (1, 1)
    assert 'id="ranking-failed"' not in client.get(LOG).content.decode()


@pytest.mark.parametrize(("who", "status"), [("owner", 302), ("editor", 302), ("viewer", 403),
                                             ("outsider", 404)])
def test_it_lets_only_screeners_retrain(request, client, failed_ranking, who, status):
    user = request.getfixturevalue(who)
    client.force_login(user)
    before = Ranking.objects.count()

    assert client.post(RETRAIN).status_code == status
    assert Ranking.objects.filter(reviewer=user).count() == (status == 302) + (
        user == failed_ranking.reviewer)
    assert Ranking.objects.count() == before + (status == 302)
    assert ("Retrain my ranking" in client.get(LOG).content.decode()) == (status == 302)


def test_it_sends_anonymous_users_to_sign_in_and_refuses_get(client, editor, failed_ranking):
    response = client.post(RETRAIN)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(editor)
    assert client.get(RETRAIN).status_code == 405
    assert Ranking.objects.count() == 1


def test_it_refuses_a_retrain_when_prioritisation_is_off(
    client, editor, failed_ranking, prioritised
):
    prioritised.enabled = False
    prioritised.save()
    client.force_login(editor)

    response = client.post(RETRAIN)

    assert response.status_code == 400 and b"Prioritisation is off" in response.content
    assert Ranking.objects.count() == 1
    assert "Retrain my ranking" not in client.get(LOG).content.decode()
