"""The lineage operations and model invariants, on a small review built here."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cmocs import services
from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review
from ichub.versioning import StaleVersion


@pytest.fixture
def elements(review):
    return {
        "context": Context.objects.create(review=review, key="c1", text="ICS formation"),
        "mechanism_resource": Mechanism.objects.create(
            review=review, key="r1", kind="resource", text="Clear vision"
        ),
        "mechanism_reasoning": Mechanism.objects.create(
            review=review, key="m1", kind="reasoning", text="Sense of purpose"
        ),
        "outcome": Outcome.objects.create(review=review, key="o1", text="Focus on objectives"),
    }


def make_cmoc(review, user, code, **fields):
    return services.create_cmoc(
        review=review, user=user, code=code, statement=f"Statement of {code}", **fields
    )


def test_it_creates_a_cmoc_with_a_created_event(review, editor, elements):
    cmoc = make_cmoc(review, editor, "CMOC 1", **elements)
    assert cmoc.version == 1 and cmoc.created_by == editor
    event = LineageEvent.objects.get(outputs=cmoc)
    assert event.kind == "created" and event.inputs.count() == 0
    assert cmoc.history.count() == 1


def test_it_creates_elements_from_text(review, editor):
    cmoc = make_cmoc(
        review, editor, "CMOC 9", context="New context", mechanism_resource="New resource",
        mechanism_reasoning="New reasoning", outcome="New outcome",
    )
    assert cmoc.mechanism_resource.kind == "resource"
    assert cmoc.mechanism_reasoning.kind == "reasoning"
    assert cmoc.context.review == review


def test_it_refuses_a_reasoning_mechanism_in_the_resource_slot(review, editor, elements):
    with pytest.raises(ValidationError) as exc:
        make_cmoc(
            review, editor, "CMOC 1", mechanism_resource=elements["mechanism_reasoning"]
        )
    assert "mechanism_resource" in exc.value.message_dict
    assert not CMOC.objects.exists()


def test_it_refuses_elements_from_another_review(review, editor, other_review):
    foreign = Context.objects.create(review=other_review, key="c1", text="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        make_cmoc(review, editor, "CMOC 1", context=foreign)
    assert "context" in exc.value.message_dict
    assert not CMOC.objects.exists()


def test_it_refuses_a_duplicate_code_within_a_stage_but_not_across_stages(review, editor):
    make_cmoc(review, editor, "CMOC 1")
    make_cmoc(review, editor, "CMOC 1", stage=CMOC.Stage.REFINED)
    with pytest.raises(ValidationError):
        make_cmoc(review, editor, "CMOC 1")
    assert CMOC.objects.count() == 2


def test_it_refines_one_into_one(review, editor, elements):
    old = make_cmoc(review, editor, "CMOC 1", **elements)
    new = services.refine_cmoc(
        cmoc=old, user=editor, rationale="Empirical support, sharpened", code="CMOC 1",
        statement="Refined statement", phase="Phase 1b",
    )
    old.refresh_from_db()
    assert old.status == "superseded" and old.version == 2
    assert new.stage == "refined" and new.status == "active"
    event = LineageEvent.objects.get(kind="refined")
    assert list(event.inputs.all()) == [old] and list(event.outputs.all()) == [new]
    assert event.decided_by == editor and event.rationale == "Empirical support, sharpened"


def test_it_refuses_a_refine_without_rationale(review, editor):
    old = make_cmoc(review, editor, "CMOC 1")
    with pytest.raises(ValidationError) as exc:
        services.refine_cmoc(cmoc=old, user=editor, rationale="  ", code="R1", statement="x")
    assert "rationale" in exc.value.message_dict
    old.refresh_from_db()
    assert old.status == "active" and CMOC.objects.count() == 1


def test_it_merges_many_into_one(review, editor):
    a, b = make_cmoc(review, editor, "CMOC 2"), make_cmoc(review, editor, "CMOC 9")
    merged = services.merge_cmocs(
        inputs=[a, b], user=editor, rationale="Insufficient distinct evidence",
        code="CMOC 2", statement="Merged",
    )
    assert set(CMOC.objects.filter(status="merged")) == {a, b}
    event = LineageEvent.objects.get(kind="merged")
    assert set(event.inputs.all()) == {a, b} and list(event.outputs.all()) == [merged]


def test_it_refuses_a_merge_of_one_cmoc(review, editor):
    a = make_cmoc(review, editor, "CMOC 2")
    with pytest.raises(ValidationError) as exc:
        services.merge_cmocs(inputs=[a], user=editor, rationale="r", code="M", statement="s")
    assert "inputs" in exc.value.message_dict
    assert CMOC.objects.count() == 1 and not LineageEvent.objects.filter(kind="merged").exists()


def test_it_refuses_a_cmoc_merged_into_itself(review, editor):
    a = make_cmoc(review, editor, "CMOC 2")
    with pytest.raises(ValidationError):
        services.merge_cmocs(inputs=[a, a], user=editor, rationale="r", code="M", statement="s")
    a.refresh_from_db()
    assert a.status == "active" and CMOC.objects.count() == 1


def test_it_refuses_a_merge_across_reviews(review, editor, other_review, outsider):
    a = make_cmoc(review, editor, "CMOC 2")
    b = make_cmoc(other_review, outsider, "CMOC 3")
    with pytest.raises(ValidationError):
        services.merge_cmocs(inputs=[a, b], user=editor, rationale="r", code="M", statement="s")
    assert CMOC.objects.filter(status="active").count() == 2


def test_it_refuses_to_merge_an_already_merged_cmoc(review, editor):
    a, b, c = (make_cmoc(review, editor, f"CMOC {n}") for n in (1, 2, 3))
    services.merge_cmocs(inputs=[a, b], user=editor, rationale="r", code="M1", statement="s")
    with pytest.raises(ValidationError):
        services.merge_cmocs(inputs=[b, c], user=editor, rationale="r", code="M2", statement="s")
    c.refresh_from_db()
    assert c.status == "active" and not CMOC.objects.filter(code="M2").exists()


def test_it_leaves_nothing_behind_when_a_merge_output_is_invalid(review, editor, elements):
    a, b = make_cmoc(review, editor, "CMOC 2"), make_cmoc(review, editor, "CMOC 9")
    with pytest.raises(ValidationError):
        services.merge_cmocs(
            inputs=[a, b], user=editor, rationale="r", code="M", statement="s",
            context="A new context that must not survive",
            mechanism_resource=elements["mechanism_reasoning"],
        )
    assert not Context.objects.filter(text__startswith="A new context").exists()
    assert set(CMOC.objects.values_list("status", flat=True)) == {"active"}
    assert not LineageEvent.objects.exclude(kind="created").exists()


def test_it_splits_one_into_many(review, editor):
    a = make_cmoc(review, editor, "CMOC 4")
    outputs = services.split_cmoc(
        cmoc=a, user=editor, rationale="Two distinct mechanisms",
        outputs=[{"code": "4a", "statement": "first"}, {"code": "4b", "statement": "second"}],
    )
    assert len(outputs) == 2
    a.refresh_from_db()
    assert a.status == "superseded"
    assert LineageEvent.objects.get(kind="split").outputs.count() == 2


def test_it_refuses_a_split_into_one(review, editor):
    a = make_cmoc(review, editor, "CMOC 4")
    with pytest.raises(ValidationError):
        services.split_cmoc(
            cmoc=a, user=editor, rationale="r", outputs=[{"code": "4a", "statement": "x"}]
        )
    assert CMOC.objects.count() == 1


def test_it_drops_with_a_rationale(review, editor):
    a = make_cmoc(review, editor, "CMOC 3")
    event = services.drop_cmoc(cmoc=a, user=editor, rationale="Lacked evidence")
    a.refresh_from_db()
    assert a.status == "dropped" and event.outputs.count() == 0


def test_it_refuses_a_drop_without_rationale(review, editor):
    a = make_cmoc(review, editor, "CMOC 3")
    with pytest.raises(ValidationError):
        services.drop_cmoc(cmoc=a, user=editor, rationale="")
    a.refresh_from_db()
    assert a.status == "active"


def test_the_database_refuses_an_event_without_rationale(review):
    with pytest.raises(IntegrityError), transaction.atomic():
        LineageEvent.objects.create(review=review, key="x", kind="dropped", rationale="")


def test_the_database_refuses_the_same_mechanism_in_both_slots(review, elements):
    mechanism = elements["mechanism_resource"]
    with pytest.raises(IntegrityError), transaction.atomic():
        CMOC.objects.create(
            review=review, code="X", stage="initial", statement="s",
            mechanism_resource=mechanism, mechanism_reasoning=mechanism,
        )


def test_it_updates_with_the_right_version_and_refuses_a_stale_one(review, editor):
    a = make_cmoc(review, editor, "CMOC 1")
    services.update_cmoc(cmoc=a, user=editor, expected_version=1, statement="Edited once")
    with pytest.raises(StaleVersion) as exc:
        services.update_cmoc(cmoc=a, user=editor, expected_version=1, statement="Lost edit")
    a.refresh_from_db()
    assert a.statement == "Edited once" and a.version == 2 and exc.value.current_version == 2
    assert a.history.count() == 2


def test_it_keeps_an_excerpt_of_another_review_out_unless_that_review_tests_it(
    review, editor, other_review
):
    cmoc = make_cmoc(review, editor, "CMOC 1")
    source = SourceDocument.objects.create(review=other_review, citation_key="s", title="S")
    excerpt = Excerpt.objects.create(source=source, key="e1", text="A finding")
    with pytest.raises(ValidationError):
        services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=editor)
    assert not EvidenceLink.objects.exists()

    other_review.tests_theories_of.add(review)
    link = services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=editor, stance="challenges")
    assert link.stance == "challenges"


def test_the_database_refuses_two_sources_with_the_same_doi_in_any_case(review):
    SourceDocument.objects.create(review=review, citation_key="a", title="A", doi="10.1/ABC")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceDocument.objects.create(review=review, citation_key="b", title="B", doi="10.1/abc")
    other = Review.objects.create(slug="x", title="X")
    SourceDocument.objects.create(review=other, citation_key="a", title="A", doi="10.1/abc")
