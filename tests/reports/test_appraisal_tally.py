"""The RAMESES report's appraisal table counts every rating of the review by criterion."""

from evidence.models import Appraisal
from reports.rameses import rameses_report


def _tables(sections):
    for section in sections:
        yield from (block for block in section.blocks if block.kind == "table")
        yield from _tables(section.subsections)


def test_it_counts_the_ratings_by_criterion_and_judgement(review, batch, editor, owner):
    ratings = [(batch[0], "relevance", "meets", editor), (batch[1], "relevance", "meets", editor),
               (batch[1], "relevance", "does_not_meet", owner),
               (batch[2], "rigour", "unclear", editor)]
    for source, criterion, judgement, reviewer in ratings:
        Appraisal.objects.create(source=source, criterion=criterion, judgement=judgement,
                                 reviewer=reviewer)
    table = next(t for t in _tables(rameses_report(review).sections)
                 if t.header[:2] == ["Criterion", "Meets the bar"])
    assert table.rows == [["Relevance", 2, 1, 0], ["Rigour", 0, 0, 1]]
