"""Undo the last screening decision from the queue page, and who may."""

import pytest
from django.urls import reverse

from evidence.models import ScreeningDecision
from evidence.screening.services import record_decision

pytestmark = pytest.mark.django_db
TA = "title_abstract"


def undo_url(stage=TA):
    return reverse("screening:undo", args=["test-review", stage])


def test_it_offers_undo_in_the_queue_and_shows_the_source_again(client, review, editor, batch):
    client.force_login(editor)
    client.post(reverse("screening:queue", args=["test-review", TA]),
                {"source": batch[0].pk, "decision": "maybe"})
    page = client.get(reverse("screening:queue", args=["test-review", TA])).content.decode()
    assert f'action="{undo_url()}"' in page and "Undo <kbd>U</kbd>" in page
    response = client.post(undo_url())
    assert response.status_code == 302
    assert response["Location"].endswith(f"?source={batch[0].pk}")
    assert not ScreeningDecision.objects.current().exists()
    assert "Undone: maybe" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("who", "status"), [
    ("owner", 302), ("editor", 302), ("staff", 302), ("viewer", 403), ("outsider", 404),
    ("anonymous", 302),
])
def test_it_lets_only_editors_undo(request, client, review, batch, who, status):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if user is not None:
        record_decision(user=request.getfixturevalue("editor"), source=batch[0], stage=TA,
                        decision="include")
        if who in ("owner", "staff"):
            record_decision(user=user, source=batch[0], stage=TA, decision="include")
        client.force_login(user)
    response = client.post(undo_url())
    assert response.status_code == status
    if who == "anonymous":
        assert reverse("login") in response["Location"]
    if status != 302 or who == "anonymous":
        assert ScreeningDecision.objects.filter(is_current=False).count() == 0
    else:
        assert ScreeningDecision.objects.filter(reviewer=user, is_current=False).count() == 1


def test_it_refuses_an_unknown_stage(client, editor, review):
    client.force_login(editor)
    assert client.post(undo_url("nonsense")).status_code == 404
