"""The report's change log in time order, and its Main findings with every CMOC written out."""

import io
from datetime import date

import pytest
from docx import Document

from cmocs import services
from cmocs.models import CMOC, LineageEvent
from programme_theories.models import ProgrammeTheory
from reports.rameses import rameses_report
from reports.rameses_output import to_docx, to_markdown

pytestmark = pytest.mark.django_db


def section(report, heading):
    stack = list(report.sections)
    while stack:
        current = stack.pop(0)
        if current.heading == heading:
            return current
        stack += current.subsections
    raise AssertionError(f"no section {heading!r}")


def test_it_lists_a_drop_after_the_split_that_made_the_dropped_cmoc(review, owner):
    cmoc = services.create_cmoc(review=review, user=owner, code="CMOC 1", statement="One")
    same_day = date(2024, 3, 1)
    outputs = services.split_cmoc(
        cmoc=cmoc, user=owner, rationale="Two mechanisms", decided_on=same_day,
        outputs=[{"code": "CMOC 1a", "statement": "a"}, {"code": "CMOC 1b", "statement": "b"}],
    )
    split = LineageEvent.objects.get(review=review, kind=LineageEvent.Kind.SPLIT)
    drop = services.drop_cmoc(cmoc=outputs[1], user=owner, rationale="No evidence",
                              decided_on=same_day)
    # Keys sort the other way ("drop…" < "split…"), as the report listed them.
    LineageEvent.objects.filter(pk=drop.pk).update(key="a-drop")
    LineageEvent.objects.filter(pk=split.pk).update(key="z-split")

    table = section(rameses_report(review), "Changes in the review process").blocks[-1]

    assert [row[1] for row in table.rows] == ["Split", "Dropped"]


@pytest.fixture
def initial_theory(review, owner):
    theory = ProgrammeTheory.objects.create(
        review=review, name="Relating and communicating", stage=ProgrammeTheory.Stage.INITIAL,
        statement="Leaders who talk across boundaries build trust.",
    )
    services.create_cmoc(
        review=review, user=owner, code="CMOC 1", theory=theory,
        statement="When partners trust each other, joint work follows.",
        context="A history of collaboration", mechanism_resource="Shared leadership forums",
        mechanism_reasoning="Leaders feel safe to take risks", outcome="Joined-up services",
    )
    return theory


def test_it_writes_out_theories_and_cmocs_of_a_review_not_yet_refined(review, initial_theory):
    findings = section(rameses_report(review), "Main findings")

    assert [s.heading for s in findings.subsections] == ["Relating and communicating"]
    markdown = to_markdown(rameses_report(review))
    for text in ("A history of collaboration", "Shared leadership forums",
                 "Leaders feel safe to take risks", "Joined-up services"):
        assert text in markdown


def test_it_writes_each_refined_cmoc_and_its_sources_into_the_word_report(shipped):
    document = Document(io.BytesIO(to_docx(rameses_report(shipped))))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )

    refined = CMOC.objects.with_elements().filter(review=shipped, stage=CMOC.Stage.REFINED)
    assert refined.count() == 6
    for cmoc in refined:
        for element in (cmoc.context, cmoc.mechanism_resource, cmoc.mechanism_reasoning,
                        cmoc.outcome):
            assert element.text in text, (cmoc.code, element.text)
        cited = {link.excerpt.source.short_citation for link in cmoc.evidence_links.all()}
        assert all(citation in text for citation in cited), cmoc.code
    for theory in ProgrammeTheory.objects.filter(review=shipped).refined():
        assert theory.name in text
