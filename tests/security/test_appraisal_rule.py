"""Who may change or remove a rating: one rule, in the model (issue 17, Low).

An owner could delete another reviewer's appraisal but not edit it, while the
docstring said owners may change ratings. The rule now: a rating records one
person's judgement, so only its rater edits it (an edit by anyone else would
put words in their name); the rater or an owner may delete it, and an owner's
deletion is kept in its history.
"""

import pytest

from evidence.models import Appraisal

pytestmark = pytest.mark.django_db


@pytest.fixture
def rating(batch, editor):
    return Appraisal.objects.create(source=batch[0], criterion="rigour", judgement="meets",
                                    reviewer=editor)


def url(rating):
    return f"/api/appraisals/{rating.pk}/"


@pytest.mark.parametrize(("role", "edit", "delete"), [
    ("editor", 200, 204), ("owner", 403, 204), ("editor2", 403, 403), ("viewer", 403, 403),
])
def test_it_lets_only_the_rater_edit_and_the_rater_or_an_owner_delete(
    request, rating, token_client, role, edit, delete
):
    client = token_client(request.getfixturevalue(role))

    edited = client.patch(url(rating), {"judgement": "unclear"}, format="json")
    deleted = client.delete(url(rating))

    assert (edited.status_code, deleted.status_code) == (edit, delete)
    assert Appraisal.objects.filter(pk=rating.pk).exists() == (delete != 204)


def test_the_model_states_the_rule(rating, editor, editor2, owner, viewer):
    assert [rating.editable_by(u) for u in (editor, owner, editor2, viewer)] == [
        True, False, False, False]
    assert [rating.deletable_by(u) for u in (editor, owner, editor2, viewer)] == [
        True, True, False, False]


def test_an_owners_deletion_is_kept_in_history(rating, owner, token_client):
    token_client(owner).delete(url(rating))

    last = Appraisal.history.filter(id=rating.pk).order_by("history_date").last()
    assert (last.history_type, last.history_user) == ("-", owner)
