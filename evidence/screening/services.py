"""Screening and appraisal writes: each one transaction, for an authorised caller.

Roles are checked by the views (ichub.permissions); the one rule here about
people is the record's own: a party to a conflict cannot break its tie.

Every write locks the source row first. Two reviewers deciding the same
source at the same moment then queue for a few milliseconds instead of both
reading "one decision so far" and neither seeing the source settle: both
decisions land, and the second sees the first.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from evidence.models import (
    Appraisal,
    ExclusionReason,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningStage,
    ScreeningStatus,
    SourceDocument,
)
from evidence.screening.prioritisation.services import schedule_for_screeners, schedule_retrain
from evidence.screening.states import counted, refresh_states, restate_review


def _lock_source(source, review=None):
    if review is not None and source.review_id != review.pk:
        raise ValidationError({"source": "This source belongs to another review."})
    return SourceDocument.objects.select_for_update().select_related("review").get(pk=source.pk)


def _check_choice(field, value, choices):
    if value not in choices:
        raise ValidationError({field: f"Must be one of: {', '.join(choices)}."})


def _check_reason(source, decision, reason):
    """An exclusion names one of the review's reasons (when it has a list); nothing else does."""
    if decision != ScreeningDecision.Decision.EXCLUDE:
        if reason is not None:
            raise ValidationError({"exclusion_reason": "Only an exclusion takes a reason."})
        return
    if reason is None:
        if ExclusionReason.objects.filter(review_id=source.review_id).exists():
            raise ValidationError(
                {"exclusion_reason": "Choose one of the review's exclusion reasons."}
            )
        return
    if reason.review_id != source.review_id:
        raise ValidationError(
            {"exclusion_reason": "This reason belongs to another review's list."}
        )


@transaction.atomic
def record_decision(
    *, user, source, stage, decision, exclusion_reason=None, note="", review=None
):
    """Record the user's decision on a source at a stage; a second one is a revision.

    The earlier decision is kept (is_current=False, linked by supersedes) so
    every change of mind stays on record with who and when.
    """
    source = _lock_source(source, review)
    _check_choice("stage", stage, ScreeningStage.values)
    _check_choice("decision", decision, ScreeningDecision.Decision.values)
    _check_reason(source, decision, exclusion_reason)
    before = counted(review=source.review, source_ids=[source.pk])
    previous = (
        ScreeningDecision.objects.current()
        .filter(source=source, stage=stage, reviewer=user)
        .first()
    )
    if previous is not None:
        unchanged = (previous.decision, previous.exclusion_reason_id, previous.note) == (
            decision,
            exclusion_reason.pk if exclusion_reason else None,
            note,
        )
        if unchanged:
            return previous
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    created = ScreeningDecision.objects.create(
        source=source,
        stage=stage,
        reviewer=user,
        decision=decision,
        exclusion_reason=exclusion_reason,
        note=note or "",
        supersedes=previous,
    )
    refresh_states(review=source.review, source_ids=[source.pk], before=before)
    _sync_inclusion(source)
    if stage == ScreeningStage.TITLE_ABSTRACT:
        schedule_retrain(review=source.review, reviewer=user)
    return created


@transaction.atomic
def undo_last_decision(*, user, review, stage):
    """Take back the user's latest decision at this stage: a stray key press costs nothing.

    Nothing is erased. The undone decision stays on record, no longer
    current; if it had revised an earlier decision, that earlier decision is
    recorded again as a new current one (superseding the undone one), so the
    history reads: decided, revised, undone. Returns the undone decision,
    or None when there is nothing to undo.
    """
    _check_choice("stage", stage, ScreeningStage.values)
    last = (
        ScreeningDecision.objects.current()
        .filter(source__review=review, stage=stage, reviewer=user)
        .order_by("-decided_at", "-id")
        .first()
    )
    if last is None:
        return None
    source = _lock_source(last.source, review)
    last = ScreeningDecision.objects.select_for_update().get(pk=last.pk)
    if not last.is_current:  # undone by a second click racing this one
        return None
    before = counted(review=review, source_ids=[source.pk])
    last.is_current = False
    last.save(update_fields=["is_current"])
    earlier = last.supersedes
    if earlier is not None:
        ScreeningDecision.objects.create(
            source=source, stage=stage, reviewer=user, decision=earlier.decision,
            exclusion_reason=earlier.exclusion_reason, note=earlier.note, supersedes=last,
        )
    refresh_states(review=review, source_ids=[source.pk], before=before)
    _sync_inclusion(source)
    return last


@transaction.atomic
def resolve_conflict(*, user, source, stage, decision, note, exclusion_reason=None, review=None):
    source = _lock_source(source, review)
    review = source.review
    _check_choice("stage", stage, ScreeningStage.values)
    _check_choice("decision", decision, ScreeningResolution.Decision.values)
    _check_reason(source, decision, exclusion_reason)
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the conflict is resolved this way."})
    required = ScreeningProtocol.for_review(review).required_reviewers
    status = source.screening_status(stage, required)
    if status.state != ScreeningStatus.CONFLICT:
        raise ValidationError(
            {"stage": f"This source is not in conflict at this stage (it is {status.state})."}
        )
    if not status.may_be_resolved_by(user):
        raise PermissionDenied("You took part in this conflict: an owner or a third reviewer "
                               "must resolve it.")
    before = counted(review=review, source_ids=[source.pk])
    resolution = ScreeningResolution.objects.create(
        source=source,
        stage=stage,
        decision=decision,
        exclusion_reason=exclusion_reason,
        note=note.strip(),
        resolved_by=user,
    )
    refresh_states(review=review, source_ids=[source.pk], before=before, required=required)
    _sync_inclusion(source)
    if stage == ScreeningStage.TITLE_ABSTRACT:
        schedule_for_screeners(source.review)  # a resolution is a label every reviewer learns from
    return resolution


@transaction.atomic
def record_appraisal(*, user, source, criterion, judgement, excerpt=None, note="", review=None):
    """Rate a source (or one excerpt of it) on one criterion; a re-rating updates the row.

    The old rating survives in the appraisal's history (django-simple-history).
    """
    source = _lock_source(source, review)
    _check_choice("criterion", criterion, Appraisal.Criterion.values)
    _check_choice("judgement", judgement, Appraisal.Judgement.values)
    if excerpt is not None and excerpt.source_id != source.pk:
        raise ValidationError({"excerpt": "The excerpt must come from the appraised source."})
    appraisal, _ = Appraisal.objects.update_or_create(
        source=source,
        excerpt=excerpt,
        criterion=criterion,
        reviewer=user,
        defaults={"judgement": judgement, "note": note or ""},
    )
    _sync_inclusion(source)
    return appraisal


def _reason_text(status):
    reasons = [status.resolution.exclusion_reason] if status.resolution else [
        d.exclusion_reason for d in status.decisions
    ]
    labels = dict.fromkeys(r.label for r in reasons if r is not None)
    return "; ".join(labels)


def _sync_inclusion(source):
    """Keep the source's own status in step with the live screening and appraisal.

    The source list and the flow read inclusion_status, so a settled
    exclusion shows everywhere at once. A stage nobody has screened in ichub
    leaves the status recorded for it (e.g. from a shipped review) alone.
    """
    required = ScreeningProtocol.for_review(source.review).required_reviewers
    Inclusion = SourceDocument.Inclusion
    target = None
    for stage in ScreeningStage.values:
        status = source.screening_status(stage, required)
        if not status.decisions and status.resolution is None:
            continue
        if status.is_final and status.decision == ScreeningDecision.Decision.EXCLUDE:
            target = (Inclusion.EXCLUDED, stage, _reason_text(status))
            break
        target = (Inclusion.PENDING, "", "")
        if not status.is_final:
            break
    else:
        verdict = source.appraisal_decision()
        if verdict.ratings or verdict.outcome == verdict.INCLUDED:
            if verdict.outcome == verdict.EXCLUDED:
                reason = f"Does not meet the bar for {verdict.criterion}."
                target = (Inclusion.EXCLUDED, verdict.criterion, reason)
            elif verdict.outcome == verdict.INCLUDED:
                target = (Inclusion.INCLUDED, "", "")
            else:
                target = (Inclusion.PENDING, "", "")
    if target is None:
        return
    current = (source.inclusion_status, source.excluded_at_stage, source.exclusion_reason)
    if target != current:
        source.inclusion_status, source.excluded_at_stage, source.exclusion_reason = target
        source.save(update_fields=["inclusion_status", "excluded_at_stage", "exclusion_reason",
                                   "updated_at"])


@transaction.atomic
def configure_screening(*, user, review, required_reviewers, keywords="", reasons=()):
    """Set the review's screening rules and its exclusion reasons, in the order given (owners).

    A reason some decision already cites cannot be dropped: the decision
    would lose its why. Dropping it is refused, naming it.
    """
    if not isinstance(required_reviewers, int) or not 1 <= required_reviewers <= 10:
        raise ValidationError({"required_reviewers": "Between 1 and 10 reviewers."})
    labels = list(dict.fromkeys(label.strip() for label in reasons if label.strip()))
    if any(len(label) > 200 for label in labels):
        raise ValidationError({"reasons": "Each reason is at most 200 characters."})
    before = ScreeningProtocol.for_review(review).required_reviewers
    ScreeningProtocol.objects.update_or_create(
        review=review,
        defaults={"required_reviewers": required_reviewers, "keywords": keywords or ""},
    )
    if required_reviewers != before:
        restate_review(review=review, required=required_reviewers)
    dropped = ExclusionReason.objects.filter(review=review).exclude(label__in=labels)
    cited = {d.exclusion_reason.label for d in ScreeningDecision.objects.filter(
        exclusion_reason__in=dropped).select_related("exclusion_reason")}
    cited |= set(ScreeningResolution.objects.filter(exclusion_reason__in=dropped).values_list(
        "exclusion_reason__label", flat=True))
    if cited:
        raise ValidationError(
            {"reasons": f"Still cited by decisions, so kept: {', '.join(sorted(cited))}."}
        )
    dropped.delete()
    for order, label in enumerate(labels, start=1):
        ExclusionReason.objects.update_or_create(
            review=review, label=label, defaults={"order": order}
        )
