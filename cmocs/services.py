"""Every write that touches more than one CMOC row, or a CMOC and its history.

Each function is keyword-only and runs in one transaction: a refusal anywhere
leaves the database as it was. Callers (API, browser forms, admin actions,
importers) all come through here, so the rules live in one place.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cmocs.models import CMOC, EvidenceLink, LineageEvent, Provenance
from cmocs.slots import BY_NAME, KEY_PREFIXES, SLOT_NAMES
from evidence.fulltexts.services import create_anchored_excerpt
from ichub.keys import new_key

EDITABLE_FIELDS = ("code", "statement", "theory", "notes", *SLOT_NAMES)


def _resolve_element(*, review, user, slot, value):
    """An element for a CMOC slot: an existing one, or new text to create one from."""
    model, kind = BY_NAME[slot].model, BY_NAME[slot].kind
    if value is None or isinstance(value, model):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({slot: "Give an existing element or the text of a new one."})
    extra = {"kind": kind} if kind else {}
    return model.objects.create(
        review=review, key=new_key(KEY_PREFIXES[model]), text=value.strip(), created_by=user,
        **extra,
    )


def _build_cmoc(*, review, user, stage, fields):
    cmoc = CMOC(review=review, stage=stage, created_by=user, updated_by=user)
    for name, value in fields.items():
        if name in BY_NAME:
            value = _resolve_element(review=review, user=user, slot=name, value=value)
        setattr(cmoc, name, value)
    cmoc.full_clean()
    cmoc._history_user = user  # history names the actor even outside a web request
    cmoc.save()
    return cmoc


def _check_rationale(rationale):
    if not (rationale or "").strip():
        raise ValidationError({"rationale": "Say why: a rationale is required."})


def _record_event(*, review, kind, inputs, outputs, user, rationale, phase, evidence, **extra):
    certainty = extra.get("certainty", LineageEvent.Certainty.STATED)
    errors = LineageEvent.shape_errors(kind, len(inputs), len(outputs), certainty)
    if errors:
        raise ValidationError({"inputs": errors})
    for excerpt in evidence:
        if excerpt.source.review_id not in review.evidence_reviews():
            raise ValidationError({"evidence": "Evidence must come from this review's sources."})
    event = LineageEvent.objects.create(
        review=review,
        key=new_key(kind),
        kind=kind,
        rationale=(rationale or "").strip(),
        phase=phase,
        decided_by=user,
        decided_on=extra.pop("decided_on", None) or timezone.localdate(),
        **extra,
    )
    event.inputs.set(inputs)
    event.outputs.set(outputs)
    event.evidence.set(evidence)
    return event


def _close(cmocs, *, status, user):
    """Mark open CMOCs closed, refusing any that someone else closed first.

    The status check and the change are one conditional UPDATE, so two
    people merging the same CMOC at once cannot both succeed.
    """
    ids = [c.pk for c in cmocs]
    claimed = CMOC.objects.filter(pk__in=ids, status=CMOC.Status.ACTIVE).update(
        status=status, version=F("version") + 1, updated_by=user
    )
    if claimed != len(set(ids)):
        raise ValidationError(
            {"inputs": "A CMOC here is no longer active: it was already refined, merged, "
             "split or dropped."}
        )
    for cmoc in cmocs:
        cmoc.refresh_from_db()
        cmoc._history_user = user
        cmoc.save()  # records the closure in the CMOC's history


def _check_open_inputs(review, cmocs):
    for cmoc in cmocs:
        if cmoc.review_id != review.pk:
            raise ValidationError({"inputs": f"{cmoc} belongs to another review."})
        if not cmoc.is_open:
            raise ValidationError(
                {"inputs": f"{cmoc} is {cmoc.get_status_display().lower()}, not active."}
            )


@transaction.atomic
def create_cmoc(*, review, user, stage=CMOC.Stage.INITIAL, phase="", **fields):
    """A new CMOC, with the 'created' event that starts its lineage."""
    cmoc = _build_cmoc(review=review, user=user, stage=stage, fields=fields)
    _record_event(
        review=review, kind=LineageEvent.Kind.CREATED, inputs=[], outputs=[cmoc], user=user,
        rationale="", phase=phase, evidence=[],
    )
    return cmoc


@transaction.atomic
def update_cmoc(*, cmoc, user, expected_version, **fields):
    """Edit a CMOC in place if nobody changed it since `expected_version`.

    The version is claimed before the write (VersionedRecord.claim_version), so
    of two simultaneous editors exactly one wins and the other gets
    StaleVersion; then the full save records one history entry.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited." for name in unknown})
    cmoc.claim_version(expected_version, user=user)
    cmoc.refresh_from_db()
    for name, value in fields.items():
        if name in BY_NAME:
            value = _resolve_element(review=cmoc.review, user=user, slot=name, value=value)
        setattr(cmoc, name, value)
    cmoc.updated_by = user
    cmoc.full_clean()
    cmoc._history_user = user
    cmoc.save()
    return cmoc


@transaction.atomic
def delete_cmoc(*, cmoc, user, expected_version):
    """Delete a CMOC nobody changed since `expected_version` (history keeps the row).

    Only a CMOC with no lineage beyond its creation can go: one that was
    refined, merged, split or dropped, or that came out of such a decision,
    is part of the review's record, so it is dropped instead. Its own
    'created' event goes with it, so no event is left pointing at nothing.
    """
    cmoc.claim_version(expected_version, user=user)
    if not cmoc.has_no_lineage():
        raise ValidationError(
            {"cmoc": "This CMOC has a recorded lineage; drop it instead of deleting it."}
        )
    created_events = list(cmoc.lineage_as_output.filter(kind=LineageEvent.Kind.CREATED))
    cmoc.refresh_from_db()
    cmoc._history_user = user
    cmoc.delete()
    for event in created_events:
        if not event.outputs.exists():
            event.delete()


def _carry_evidence(*, inputs, carry, to, user):
    """Copy the chosen evidence links of `inputs` onto the new CMOC `to`.

    `carry=None` carries every link (what a researcher expects by default).
    The links are copied, not moved: the superseded CMOC keeps every link it
    had, so its page still shows what it rested on, and nothing is lost.
    Two inputs citing one excerpt for one element give the output one link
    (the first, in the order given).
    """
    input_ids = {c.pk for c in inputs}
    if carry is None:
        links = list(EvidenceLink.objects.filter(cmoc__in=input_ids).order_by("cmoc_id", "id"))
    else:
        links = list(carry)
        strays = [link for link in links if link.cmoc_id not in input_ids]
        if strays:
            raise ValidationError(
                {"carry": "Only evidence linked to the CMOCs being changed can be carried."}
            )
    seen = set()
    for link in links:
        if (link.excerpt_id, link.element) in seen:
            continue
        seen.add((link.excerpt_id, link.element))
        copy = EvidenceLink(cmoc=to, excerpt_id=link.excerpt_id, element=link.element,
                            stance=link.stance, note=link.note, created_by=user)
        copy._history_user = user
        copy.save()


@transaction.atomic
def refine_cmoc(*, cmoc, user, rationale, phase="", evidence=(), decided_on=None, carry=None,
                **fields):
    """One CMOC becomes a refined one; the original is kept, marked superseded.

    `carry` is the original's evidence links to copy onto the refined CMOC
    (None: all of them); `evidence` is the excerpts that drove the change.
    """
    _check_rationale(rationale)
    _check_open_inputs(cmoc.review, [cmoc])
    stage = fields.pop("stage", CMOC.Stage.REFINED)
    new = _build_cmoc(review=cmoc.review, user=user, stage=stage, fields=fields)
    _carry_evidence(inputs=[cmoc], carry=carry, to=new, user=user)
    _close([cmoc], status=CMOC.Status.SUPERSEDED, user=user)
    _record_event(
        review=cmoc.review, kind=LineageEvent.Kind.REFINED, inputs=[cmoc], outputs=[new],
        user=user, rationale=rationale, phase=phase, evidence=list(evidence),
        decided_on=decided_on,
    )
    return new


@transaction.atomic
def merge_cmocs(*, inputs, user, rationale, phase="", evidence=(), decided_on=None, carry=None,
                **fields):
    """Two or more CMOCs become one; each input is kept, marked merged.

    `carry` is the inputs' evidence links to copy onto the merged CMOC (None: all).
    """
    _check_rationale(rationale)
    inputs = list(inputs)
    if len({c.pk for c in inputs}) != len(inputs):
        raise ValidationError({"inputs": "A CMOC cannot be merged with itself."})
    if len(inputs) < 2:
        raise ValidationError({"inputs": "A merge takes at least two CMOCs."})
    review = inputs[0].review
    _check_open_inputs(review, inputs)
    stage = fields.pop("stage", CMOC.Stage.REFINED)
    new = _build_cmoc(review=review, user=user, stage=stage, fields=fields)
    _carry_evidence(inputs=inputs, carry=carry, to=new, user=user)
    _close(inputs, status=CMOC.Status.MERGED, user=user)
    _record_event(
        review=review, kind=LineageEvent.Kind.MERGED, inputs=inputs, outputs=[new], user=user,
        rationale=rationale, phase=phase, evidence=list(evidence), decided_on=decided_on,
    )
    return new


@transaction.atomic
def split_cmoc(*, cmoc, user, rationale, outputs, phase="", evidence=(), decided_on=None):
    """One CMOC becomes several (`outputs` is a list of field dicts, two or more).

    Each output may name the original's evidence links it takes (`carry`, a
    list; absent or None: all of them), so evidence can follow the part of
    the original it bears on.
    """
    _check_rationale(rationale)
    _check_open_inputs(cmoc.review, [cmoc])
    if len(outputs) < 2:
        raise ValidationError({"outputs": "A split produces at least two CMOCs."})
    created = []
    for index, spec in enumerate(outputs):
        spec = dict(spec)
        stage = spec.pop("stage", CMOC.Stage.REFINED)
        carry = spec.pop("carry", None)
        try:
            new = _build_cmoc(review=cmoc.review, user=user, stage=stage, fields=spec)
            _carry_evidence(inputs=[cmoc], carry=carry, to=new, user=user)
            created.append(new)
        except ValidationError as exc:
            raise ValidationError(
                {"outputs": [f"Output {index + 1}: {m}" for m in exc.messages]}
            ) from exc
    _close([cmoc], status=CMOC.Status.SUPERSEDED, user=user)
    _record_event(
        review=cmoc.review, kind=LineageEvent.Kind.SPLIT, inputs=[cmoc], outputs=created,
        user=user, rationale=rationale, phase=phase, evidence=list(evidence),
        decided_on=decided_on,
    )
    return created


@transaction.atomic
def drop_cmoc(*, cmoc, user, rationale, phase="", evidence=(), decided_on=None):
    """A CMOC is abandoned, e.g. for lack of evidence; it stays, marked dropped."""
    _check_rationale(rationale)
    _check_open_inputs(cmoc.review, [cmoc])
    _close([cmoc], status=CMOC.Status.DROPPED, user=user)
    return _record_event(
        review=cmoc.review, kind=LineageEvent.Kind.DROPPED, inputs=[cmoc], outputs=[], user=user,
        rationale=rationale, phase=phase, evidence=list(evidence), decided_on=decided_on,
    )


@transaction.atomic
def link_evidence(*, cmoc, excerpt, user, element=EvidenceLink.Element.WHOLE,
                  stance=EvidenceLink.Stance.SUPPORTS, note="",
                  provenance=Provenance.REPORTED, reading=""):
    link = EvidenceLink(
        cmoc=cmoc, excerpt=excerpt, element=element, stance=stance, note=note,
        provenance=provenance, reading=reading, created_by=user,
    )
    link.full_clean()
    link._history_user = user
    link.save()
    return link


@transaction.atomic
def code_passage(*, full_text, start, end, exact, user, kind=None, link=None):
    """An excerpt anchored to a selection in a full text, linked to a CMOC element if asked.

    The reader's one request: the excerpt and its link are one write, so a link
    refused (another review's CMOC, a duplicate) leaves no excerpt behind.
    `link` holds cmoc, element, stance and note.
    """
    excerpt = create_anchored_excerpt(full_text=full_text, start=start, end=end, exact=exact,
                                      user=user, kind=kind)
    if link:
        link_evidence(excerpt=excerpt, user=user, **link)
    return excerpt


@transaction.atomic
def restate_excerpts(*, review, user, excerpts, **fields):
    """A new CMOC written from several excerpts, each becoming one of its evidence links.

    Realist reviewers build a CMOC by restating linked passages (Dalkin et al.
    2021), so the passages are its first evidence, bearing on the whole.
    """
    cmoc = create_cmoc(review=review, user=user, **fields)
    for excerpt in excerpts:
        link_evidence(cmoc=cmoc, excerpt=excerpt, user=user)
    return cmoc
