"""A review that is not realist is not judged by the RAMESES standards (issue 18, finding 3).

The shipped 2025 study is a qualitative case study: its checklist, report and quality
self-assessment say the standards do not apply, instead of listing every realist item
as missing or asking its authors to write why they chose a realist approach.
"""

import pytest
from django.core.exceptions import ValidationError

from ichub.models import Review
from reports.checklists import (
    CHECKLIST_HEADER,
    assess,
    checklist_markdown,
    checklist_rows,
    does_not_apply,
)
from reports.quality import SYNTHESIS_STANDARDS, save_self_assessment, standards_for
from reports.rameses import rameses_report
from reports.rameses_output import to_docx, to_markdown
from tests.conftest import CASE_STUDY_SLUG

pytestmark = pytest.mark.django_db

NOTICE = "The RAMESES standards are for realist syntheses and realist evaluations"


@pytest.fixture
def case_study_record(review):
    review.method = Review.Method.QUALITATIVE_CASE_STUDY
    review.save()
    return review


@pytest.mark.parametrize("method", [m for m, _ in Review.Method.choices])
def test_it_applies_rameses_only_to_realist_methods(review, method):
    review.method = method
    realist = method in {"realist_review", "rapid_realist_review", "realist_evaluation"}
    assert review.is_realist is realist
    assert bool(does_not_apply(review)) is not realist
    assert bool(standards_for(review)) is realist


def test_its_checklist_says_no_item_applies_and_why(case_study_record):
    assessments = assess(case_study_record)
    assert len(assessments) == 19
    assert {a.status for a in assessments} == {"does not apply"}
    assert all(not a.missing and "qualitative case study" in a.because for a in assessments)
    because = CHECKLIST_HEADER.index("Not applicable because")
    assert all(NOTICE in row[because] for row in checklist_rows(case_study_record))
    assert f"**{NOTICE}" in checklist_markdown(case_study_record)


def test_its_report_says_so_and_asks_its_authors_for_nothing_realist(case_study_record):
    report = rameses_report(case_study_record)
    markdown = to_markdown(report)
    assert NOTICE in markdown and "only so that every report has one shape" in markdown
    assert "[Author to write" not in markdown
    assert "Nothing held under this heading." in markdown
    assert NOTICE.encode() in _docx_text(to_docx(report))


def test_a_realist_review_still_gets_placeholders(review):
    markdown = to_markdown(rameses_report(review))
    assert NOTICE not in markdown and "[Author to write" in markdown


def test_it_offers_no_quality_standard_to_rate(case_study_record, client, owner):
    client.force_login(owner)
    page = client.get(f"/reviews/{case_study_record.slug}/reports/quality/").content.decode()
    assert NOTICE in page and "<select" not in page
    with pytest.raises(ValidationError):
        save_self_assessment(review=case_study_record, user=owner,
                             ratings={SYNTHESIS_STANDARDS[0].key: ("good", "")})
    checklist = client.get(f"/reviews/{case_study_record.slug}/reports/checklist/")
    assert NOTICE in checklist.content.decode()


def test_the_shipped_case_study_is_not_judged_as_a_realist_synthesis(shipped_module):
    case_study = Review.objects.get(slug=CASE_STUDY_SLUG)
    assert {a.status for a in assess(case_study)} == {"does not apply"}
    assert "[Author to write" not in to_markdown(rameses_report(case_study))
    assert shipped_module.is_realist  # the 2024 review keeps its checklist


def _docx_text(data):
    import io

    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs).encode()
