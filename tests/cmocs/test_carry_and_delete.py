"""Refine, merge and split carry evidence; the excerpts that drove them; deleting a mistake."""

import pytest
from django.core.exceptions import ValidationError

from cmocs import services
from cmocs.models import CMOC, EvidenceLink, LineageEvent
from evidence.models import Excerpt, SourceDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def excerpts(review):
    source = SourceDocument.objects.create(review=review, citation_key="smith2020",
                                           authors="Smith, A.", year=2020, title="A study")
    return [Excerpt.objects.create(source=source, key=f"e{i}", text=f"Quote {i}")
            for i in range(3)]


def cmoc_with_links(review, user, code, excerpts, element="whole"):
    cmoc = services.create_cmoc(review=review, user=user, code=code, statement=code,
                                context=f"Context of {code}")
    links = [services.link_evidence(cmoc=cmoc, excerpt=x, user=user, element=element,
                                    note=f"note {x.key}") for x in excerpts]
    return cmoc, links


def test_it_carries_every_link_by_default_and_the_original_keeps_them(review, editor,
                                                                      excerpts):
    cmoc, links = cmoc_with_links(review, editor, "CMOC 1", excerpts[:2])
    new = services.refine_cmoc(cmoc=cmoc, user=editor, rationale="r", code="CMOC 1",
                               statement="Refined")
    carried = list(new.evidence_links.order_by("id").values_list("excerpt", "element", "note"))
    assert carried == [(x.pk, "whole", f"note {x.key}") for x in excerpts[:2]]
    assert cmoc.evidence_links.count() == 2  # nothing is lost from the superseded CMOC
    assert new.evidence_links.first().history.get().history_user == editor


def test_it_carries_only_the_chosen_links_and_records_what_drove_it(review, editor, excerpts):
    cmoc, links = cmoc_with_links(review, editor, "CMOC 1", excerpts[:2])
    new = services.refine_cmoc(cmoc=cmoc, user=editor, rationale="r", code="CMOC 1",
                               statement="Refined", carry=[links[1]], evidence=[excerpts[2]])
    assert list(new.evidence_links.values_list("excerpt", flat=True)) == [excerpts[1].pk]
    event = new.lineage_as_output.get(kind="refined")
    assert list(event.evidence.all()) == [excerpts[2]]


def test_it_refuses_to_carry_a_link_of_another_cmoc_and_writes_nothing(review, editor,
                                                                       excerpts):
    cmoc, _ = cmoc_with_links(review, editor, "CMOC 1", excerpts[:1])
    _, foreign = cmoc_with_links(review, editor, "CMOC 2", excerpts[1:2])
    with pytest.raises(ValidationError) as exc:
        services.refine_cmoc(cmoc=cmoc, user=editor, rationale="r", code="CMOC 1",
                             statement="Refined", carry=foreign)
    assert "carry" in exc.value.message_dict
    cmoc.refresh_from_db()
    assert cmoc.status == "active" and not CMOC.objects.filter(stage="refined").exists()


def test_it_merges_the_inputs_evidence_once_per_excerpt_and_element(review, editor, excerpts):
    first, _ = cmoc_with_links(review, editor, "CMOC 1", excerpts[:2])
    second, _ = cmoc_with_links(review, editor, "CMOC 2", excerpts[1:])
    merged = services.merge_cmocs(inputs=[first, second], user=editor, rationale="r",
                                  code="CMOC 9", statement="Both")
    assert sorted(merged.evidence_links.values_list("excerpt", flat=True)) == [
        x.pk for x in excerpts]
    assert first.evidence_links.count() == 2 and second.evidence_links.count() == 2


def test_it_splits_into_three_each_with_its_own_fields_and_evidence(review, editor, excerpts):
    cmoc, links = cmoc_with_links(review, editor, "CMOC 1", excerpts)
    outputs = [
        {"code": "CMOC 1a", "statement": "a", "context": "Context a", "carry": [links[0]]},
        {"code": "CMOC 1b", "statement": "b", "context": cmoc.context, "carry": []},
        {"code": "CMOC 1c", "statement": "c", "outcome": "Outcome c"},  # carries all
    ]
    a, b, c = services.split_cmoc(cmoc=cmoc, user=editor, rationale="r", outputs=outputs,
                                  evidence=[excerpts[0]])
    assert (a.context.text, b.context, c.outcome.text) == ("Context a", cmoc.context,
                                                           "Outcome c")
    assert [a.evidence_links.count(), b.evidence_links.count(), c.evidence_links.count()] == [
        1, 0, 3]
    event = cmoc.lineage_as_input.get(kind="split")
    assert event.outputs.count() == 3 and list(event.evidence.all()) == [excerpts[0]]


def test_it_deletes_a_cmoc_without_lineage_and_its_created_event(review, editor, excerpts):
    cmoc, _ = cmoc_with_links(review, editor, "CMOC 1", excerpts[:1])
    services.delete_cmoc(cmoc=cmoc, user=editor, expected_version=1)
    assert not CMOC.objects.exists() and not EvidenceLink.objects.exists()
    assert not LineageEvent.objects.exists()  # no event left pointing at nothing
    assert CMOC.history.filter(history_type="-").get().history_user == editor


@pytest.mark.parametrize("which", ["input", "output"])
def test_it_refuses_to_delete_a_cmoc_with_lineage(review, editor, which):
    cmoc = services.create_cmoc(review=review, user=editor, code="CMOC 1", statement="s")
    new = services.refine_cmoc(cmoc=cmoc, user=editor, rationale="r", code="CMOC 1",
                               statement="t")
    target = cmoc if which == "input" else new
    target.refresh_from_db()
    with pytest.raises(ValidationError, match="drop it instead"):
        services.delete_cmoc(cmoc=target, user=editor, expected_version=target.version)
    assert CMOC.objects.filter(pk=target.pk).exists()
