"""RAMESES checklists: items in the standards' order, assessed from the review's data,
pointing to the report's sections, and the report following the same order."""

import pytest

from ichub.models import MethodStatement, Review
from reports.checklists import (
    EVALUATION,
    SYNTHESIS,
    assess,
    checklist_for,
    checklist_markdown,
    checklist_rows,
)
from reports.rameses import rameses_report
from reports.rameses_output import to_markdown
from tests.conftest import ICS_SLUG
from tests.seeds import PAPER_2024, seed_text

pytestmark = pytest.mark.django_db

# What the 2024 paper reports, item by item, as the data holds it.
EXPECTED_2024 = {
    1: "yes", 2: "yes", 3: "yes", 4: "yes", 5: "yes", 6: "yes", 7: "yes",
    8: "partly",  # its words on the search are held; the search strategy (Suppl. File 3) is not
    9: "yes", 10: "yes", 11: "yes",
    12: "partly",  # no count of records identified
    13: "yes", 14: "yes", 15: "yes", 16: "yes", 17: "yes", 18: "yes",
    19: "no",  # the text held states no funding
}


def test_it_holds_the_19_and_20_items_in_the_standards_order():
    assert [item.number for item in SYNTHESIS.items] == list(range(1, 20))
    assert [item.number for item in EVALUATION.items] == list(range(1, 21))
    assert "BMC Medicine 2013;11:21" in SYNTHESIS.citation
    assert "BMC Medicine 2016;14:96" in EVALUATION.citation
    assert SYNTHESIS.items[5].name == "Rationale for using realist synthesis"
    assert EVALUATION.items[5].name == "Ethical approval"


def test_it_marks_what_the_2024_paper_reports_and_points_to_its_words(shipped_module):
    paper = seed_text(PAPER_2024)
    report = to_markdown(rameses_report(shipped_module))
    assessments = assess(shipped_module)
    assert {a.item.number: a.status for a in assessments} == EXPECTED_2024
    for a in assessments:
        assert f"{a.item.name} (RAMESES item {a.item.number})" in report  # "where" exists
        if a.status == "yes":
            assert a.missing == []
        else:
            assert a.missing, a.item.name
        for statement in a.statements:  # every authors' text it relies on is the paper's
            assert statement.quoted and statement.text in paper
            assert f"> {statement.text}" in report
    search = next(a for a in assessments if a.item.number == 8)
    assert search.missing == ["the searches run (databases, dates, records found)"]


def test_its_abstract_section_quotes_the_papers_abstract_not_ichubs_summary(shipped_module):
    paper = seed_text(PAPER_2024)
    report = to_markdown(rameses_report(shipped_module))
    abstract = report[report.index("## Abstract (RAMESES item 2)"):]
    abstract = abstract[: abstract.index("\n## ")]
    quoted = [line[2:] for line in abstract.splitlines() if line.startswith("> ") and
              not line.startswith("> —")]
    assert len(quoted) == 5 and all(text in paper for text in quoted)
    assert "The overall review question was: how does leadership in ICSs work" in abstract
    assert "> — the authors' words, Abstract, Purpose" in abstract
    assert shipped_module.summary.split("\n\n")[0] not in abstract  # ichub's summary is not it


def test_it_marks_every_item_missing_for_a_new_empty_review(db):
    empty = Review.objects.create(slug="empty", title="A review just started")
    assessments = assess(empty)
    assert len(assessments) == 19
    assert {a.status for a in assessments} == {"no"}
    assert all(a.where and a.missing for a in assessments)


def test_it_uses_rameses_ii_for_a_realist_evaluation(review):
    review.method = Review.Method.REALIST_EVALUATION
    review.title = "Leading integrated care: a realist evaluation"
    MethodStatement.objects.create(review=review, aspect="ethics", text="Approved by X.")
    assert checklist_for(review) is EVALUATION
    statuses = {a.item.name: a.status for a in assess(review)}
    assert len(statuses) == 20
    assert statuses["Title"] == "yes" and statuses["Ethical approval"] == "yes"
    assert statuses["Recruitment process and sampling strategy"] == "no"
    report = to_markdown(rameses_report(review))
    assert "### Ethical approval (RAMESES item 6)" in report
    assert "Approved by X." in report


def test_it_orders_the_report_by_the_checklist_and_keeps_ichubs_notes_apart(shipped_module):
    report = to_markdown(rameses_report(shipped_module))
    positions = [
        report.index(f"{item.name} (RAMESES item {item.number})") for item in SYNTHESIS.items
    ]
    assert positions == sorted(positions)
    notes_at = report.index("## ichub's notes: what the sources leave out (not the authors' text)")
    limits_at = report.index("Strengths, limitations and future research directions (RAMESES")
    assert "stakeholder input was limited to one ICS" in report[limits_at:notes_at]
    assert "Thirteen stated, eleven cited" in report[notes_at:]
    assert "Thirteen stated, eleven cited" not in report[:notes_at]
    # The SCIE framework is not one of this review's frameworks any more.
    scoping = report[report.index("Scoping the literature (RAMESES"):
                     report.index("Searching processes (RAMESES")]
    assert "Systems Leadership Development Framework" not in scoping
    assert "Doing Things Differently" in scoping


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("viewer", 200), ("outsider", 404), (None, 404)],
)
def test_it_serves_the_checklist_beside_the_report_only_to_readers(request, review, client,
                                                                   role, expected):
    if role:
        client.force_login(request.getfixturevalue(role))
    for name in ("rameses-checklist.md", "rameses-checklist.csv"):
        response = client.get(f"/reviews/{review.slug}/reports/downloads/{name}")
        assert response.status_code == expected, name
    if expected == 200:
        body = b"".join(response).decode("utf-8-sig")
        assert body.splitlines()[0].startswith("Item,Section,Topic,Reported")
        assert len(body.strip().splitlines()) == 20


def test_it_links_the_checklist_from_the_report_page(shipped_module, client):
    page = client.get(f"/reviews/{ICS_SLUG}/reports/rameses/").content.decode()
    assert f"/reviews/{ICS_SLUG}/reports/downloads/rameses-checklist.md" in page
    assert 'class="authors-words"' in page
    markdown = checklist_markdown(shipped_module)
    assert "| 19 | Discussion | Funding | no |" in markdown


def test_it_says_how_each_items_name_was_checked_and_prints_it(review):
    checks = {(c.key, item.number): item.check for c in (SYNTHESIS, EVALUATION)
              for item in c.items}
    assert set(checks.values()) == {"checked", "partly checked", "not checked"}
    assert [n for (key, n), check in checks.items()
            if key == "rameses-ii" and check == "checked"] == [1, 2, 3, 4, 5, 6, 7]
    for checklist in (SYNTHESIS, EVALUATION):
        for item in checklist.items:
            assert item.check_note
            # The standard's own words are held only where ichub read them.
            if item.check == "not checked":
                assert not item.wording
    assert EVALUATION.items[5].wording.startswith("State whether the realist evaluation required")
    rows = checklist_rows(review)
    assert rows[0][-1].startswith("not checked: not found with the search tool")
    assert rows[8][-1].startswith("partly checked: name and wording quoted in Berg & Nanavati")
