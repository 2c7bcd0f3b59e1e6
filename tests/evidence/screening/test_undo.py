"""Undo the last screening decision: a revision kept in history (pages: tests/web)."""

import pytest

from evidence.models import ScreeningDecision
from evidence.screening.services import record_decision, undo_last_decision

pytestmark = pytest.mark.django_db
TA = "title_abstract"


def test_it_withdraws_a_first_decision_and_keeps_it_on_record(review, editor, batch):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(user=editor, source=batch[1], stage=TA, decision="maybe")
    undone = undo_last_decision(user=editor, review=review, stage=TA)
    assert undone.source == batch[1] and undone.decision == "maybe"
    assert not ScreeningDecision.objects.current().filter(source=batch[1]).exists()
    assert ScreeningDecision.objects.filter(source=batch[1], is_current=False).count() == 1
    # The earlier decision on another source is untouched.
    assert ScreeningDecision.objects.current().get(source=batch[0]).decision == "include"


def test_it_restores_the_decision_a_stray_revision_replaced(review, editor, batch, reasons):
    record_decision(user=editor, source=batch[0], stage=TA, decision="exclude",
                    exclusion_reason=reasons[0], note="Off topic")
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    undone = undo_last_decision(user=editor, review=review, stage=TA)
    assert undone.decision == "include"
    current = ScreeningDecision.objects.current().get(source=batch[0], reviewer=editor)
    assert (current.decision, current.exclusion_reason, current.note) == (
        "exclude", reasons[0], "Off topic")
    assert current.supersedes == undone  # history reads: excluded, included, undone
    assert ScreeningDecision.objects.filter(source=batch[0]).count() == 3
    batch[0].refresh_from_db()
    assert batch[0].inclusion_status != "included"


def test_it_only_undoes_the_users_own_decisions(review, editor, owner, batch):
    record_decision(user=owner, source=batch[0], stage=TA, decision="include")
    assert undo_last_decision(user=editor, review=review, stage=TA) is None
    assert ScreeningDecision.objects.current().count() == 1
