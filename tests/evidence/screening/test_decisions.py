"""Recording decisions, revisions, settling, conflicts and their resolution (services)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from evidence.models import (
    ExclusionReason,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningStatus,
    SourceDocument,
)
from evidence.screening.queue import review_conflicts
from evidence.screening.services import record_decision, resolve_conflict

TA = ScreeningDecision.Stage.TITLE_ABSTRACT
INCLUDE, EXCLUDE, MAYBE = "include", "exclude", "maybe"


def status_of(source, stage=TA, required=2):
    return SourceDocument.objects.get(pk=source.pk).screening_status(stage, required)


def test_it_records_a_decision_with_who_and_when(editor, batch):
    decision = record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    stored = ScreeningDecision.objects.get()
    assert stored == decision
    assert (stored.reviewer, stored.decision, stored.is_current) == (editor, INCLUDE, True)
    assert stored.decided_at is not None


def test_it_keeps_a_change_of_mind_as_a_revision(editor, batch, reasons):
    first = record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    second = record_decision(
        user=editor, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[0]
    )
    first.refresh_from_db()
    assert first.is_current is False
    assert first.superseded_by == second
    assert second.supersedes == first and second.is_current
    assert ScreeningDecision.objects.count() == 2
    assert ScreeningDecision.objects.current().get().decision == EXCLUDE


def test_it_does_not_revise_when_nothing_changed(editor, batch):
    first = record_decision(user=editor, source=batch[0], stage=TA, decision=MAYBE)
    again = record_decision(user=editor, source=batch[0], stage=TA, decision=MAYBE)
    assert again == first
    assert ScreeningDecision.objects.count() == 1


def test_it_refuses_two_current_decisions_in_the_database(editor, batch):
    ScreeningDecision.objects.create(source=batch[0], stage=TA, reviewer=editor, decision=INCLUDE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningDecision.objects.create(
            source=batch[0], stage=TA, reviewer=editor, decision=EXCLUDE
        )
    assert ScreeningDecision.objects.count() == 1


def test_it_refuses_a_source_from_another_review(editor, batch, other_review):
    foreign = SourceDocument.objects.create(review=other_review, citation_key="x2020", title="X")
    with pytest.raises(ValidationError) as error:
        record_decision(
            user=editor, source=foreign, stage=TA, decision=INCLUDE, review=batch[0].review
        )
    assert "source" in error.value.message_dict
    assert not ScreeningDecision.objects.exists()


def test_it_requires_a_reason_from_the_reviews_own_list(editor, batch, reasons, other_review):
    with pytest.raises(ValidationError) as error:
        record_decision(user=editor, source=batch[0], stage=TA, decision=EXCLUDE)
    assert "exclusion_reason" in error.value.message_dict
    foreign = ExclusionReason.objects.create(review=other_review, label="Theirs")
    with pytest.raises(ValidationError) as error:
        record_decision(
            user=editor, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=foreign
        )
    assert "exclusion_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_decision(
            user=editor, source=batch[0], stage=TA, decision=INCLUDE, exclusion_reason=reasons[0]
        )
    assert "exclusion_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_decision(user=editor, source=batch[0], stage="abstract", decision=INCLUDE)
    assert "stage" in error.value.message_dict
    assert not ScreeningDecision.objects.exists()


def test_it_settles_when_the_required_reviewers_agree(editor, editor2, batch, reasons):
    record_decision(
        user=editor, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[0]
    )
    assert status_of(batch[0]).state == ScreeningStatus.AWAITING
    record_decision(
        user=editor2, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[0]
    )
    status = status_of(batch[0])
    assert (status.state, status.decision) == (ScreeningStatus.SETTLED, EXCLUDE)
    source = SourceDocument.objects.get(pk=batch[0].pk)
    assert source.inclusion_status == "excluded"
    assert source.excluded_at_stage == TA
    assert source.exclusion_reason == "Not about system leaders"


def test_it_uses_the_reviews_required_number_of_reviewers(editor, editor2, editor3, batch):
    ScreeningProtocol.objects.create(review=batch[0].review, required_reviewers=3)
    record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    record_decision(user=editor2, source=batch[0], stage=TA, decision=INCLUDE)
    assert status_of(batch[0], required=3).state == ScreeningStatus.AWAITING
    record_decision(user=editor3, source=batch[0], stage=TA, decision=INCLUDE)
    assert status_of(batch[0], required=3).state == ScreeningStatus.SETTLED


def test_it_makes_disagreement_and_double_maybe_a_conflict(editor, editor2, batch, reasons):
    record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    record_decision(
        user=editor2, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[1]
    )
    record_decision(user=editor, source=batch[1], stage=TA, decision=MAYBE)
    record_decision(user=editor2, source=batch[1], stage=TA, decision=MAYBE)
    conflicts = review_conflicts(batch[0].review)
    assert [c.source.pk for c in conflicts] == [batch[0].pk, batch[1].pk]
    assert all(c.state == ScreeningStatus.CONFLICT for c in conflicts)
    assert SourceDocument.objects.get(pk=batch[0].pk).inclusion_status == "pending"


def test_it_lets_a_third_reviewer_resolve_with_a_note(editor, editor2, editor3, batch, reasons):
    record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    record_decision(
        user=editor2, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[1]
    )
    with pytest.raises(ValidationError) as error:
        resolve_conflict(user=editor3, source=batch[0], stage=TA, decision=INCLUDE, note="  ")
    assert "note" in error.value.message_dict
    resolution = resolve_conflict(
        user=editor3, source=batch[0], stage=TA, decision=INCLUDE, note="Reports ICS leaders."
    )
    assert (resolution.resolved_by, resolution.note) == (editor3, "Reports ICS leaders.")
    status = status_of(batch[0])
    assert (status.state, status.decision) == (ScreeningStatus.RESOLVED, INCLUDE)
    assert review_conflicts(batch[0].review) == []
    with pytest.raises(ValidationError):
        resolve_conflict(user=editor3, source=batch[0], stage=TA, decision=INCLUDE, note="again")
    assert ScreeningResolution.objects.count() == 1


def test_it_refuses_a_party_resolving_their_own_conflict(editor, editor2, viewer, batch, reasons):
    record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    record_decision(
        user=editor2, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[1]
    )
    for party in (editor, editor2, viewer):
        with pytest.raises(PermissionDenied):
            resolve_conflict(user=party, source=batch[0], stage=TA, decision=INCLUDE, note="mine")
    assert not ScreeningResolution.objects.exists()


def test_it_lets_an_owner_resolve_a_conflict_they_took_part_in(owner, editor, batch, reasons):
    record_decision(user=owner, source=batch[0], stage=TA, decision=INCLUDE)
    record_decision(
        user=editor, source=batch[0], stage=TA, decision=EXCLUDE, exclusion_reason=reasons[1]
    )
    resolve_conflict(
        user=owner, source=batch[0], stage=TA, decision=EXCLUDE, note="Agreed on discussion",
        exclusion_reason=reasons[1],
    )
    source = SourceDocument.objects.get(pk=batch[0].pk)
    assert (source.inclusion_status, source.exclusion_reason) == ("excluded", "Not empirical")


def test_it_refuses_to_resolve_what_is_not_a_conflict(owner, editor, editor2, batch):
    record_decision(user=editor, source=batch[0], stage=TA, decision=INCLUDE)
    with pytest.raises(ValidationError) as error:
        resolve_conflict(user=owner, source=batch[0], stage=TA, decision=INCLUDE, note="early")
    assert "stage" in error.value.message_dict
    assert not ScreeningResolution.objects.exists()


def test_it_queues_for_full_text_only_what_passed_title_and_abstract(editor, editor2, batch):
    from evidence.screening.queue import queue_for

    review = batch[0].review
    for user in (editor, editor2):
        record_decision(user=user, source=batch[0], stage=TA, decision="include")
        record_decision(user=user, source=batch[1], stage=TA, decision="maybe")
    title_abstract = queue_for(review, TA, editor)
    assert (title_abstract.total, title_abstract.left) == (10, 8)
    full_text = queue_for(review, "full_text", editor)
    assert (full_text.total, full_text.left, full_text.next_source) == (1, 1, batch[0])
    record_decision(user=editor, source=batch[0], stage="full_text", decision="include")
    assert queue_for(review, "full_text", editor).left == 0
    assert queue_for(review, "full_text", editor2).left == 1


def test_it_builds_a_queue_in_a_fixed_number_of_queries(
    editor, editor2, batch, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evidence.screening.queue import queue_for

    review = batch[0].review
    record_decision(user=editor2, source=batch[0], stage=TA, decision="include")
    with CaptureQueriesContext(connection) as few:
        queue_for(review, TA, editor)
    for source in batch[1:]:
        record_decision(user=editor2, source=source, stage=TA, decision="include")
        record_decision(user=editor, source=source, stage=TA, decision="maybe")
    with django_assert_num_queries(len(few.captured_queries)):
        queue_for(review, TA, editor)
