"""The RAMESES report (page, Markdown, DOCX), browser downloads and the import page."""

import io
import re

import pytest
from docx import Document

from cmocs.models import CMOC, EvidenceLink
from evidence.models import SourceDocument
from programme_theories.models import ProgrammeTheory
from reports.rameses import rameses_report
from reports.rameses_output import to_markdown
from tests.conftest import ICS_SLUG
from tests.evidence.importers import samples

FLOW_NUMBERS = ["5,716", "99", "22", "21", "18"]


def refined_evidence(review):
    """{CMOC code: short citations of the sources the review cites for it}.

    ichub's readings (the 2025 case study's links) are not the review's evidence: the
    report lists them apart (tests/reports/test_readings_in_exports.py)."""
    cited = {}
    links = EvidenceLink.objects.filter(cmoc__review=review, cmoc__stage="refined",
                                        provenance="reported")
    for link in links.select_related("cmoc", "excerpt__source"):
        cited.setdefault(link.cmoc.code, set()).add(link.excerpt.source.short_citation)
    return cited


def cmoc_segment(text, code, next_heading):
    """The text from the CMOC's heading to the next heading of the same kind."""
    start = re.search(rf"{next_heading} {re.escape(code)}\b", text).start()
    end = text.find(next_heading, start + len(next_heading) + len(code) + 1)
    return text[start : end if end != -1 else None]


def test_it_fills_the_markdown_report_from_the_data(shipped):
    text = to_markdown(rameses_report(shipped))

    for heading in ("Abstract", "Introduction", "Methods", "Results", "Discussion"):
        assert f"## {heading}" in text
    for number in FLOW_NUMBERS:
        assert f"| {number} |" in text
    for theory in ProgrammeTheory.objects.filter(review=shipped).refined():
        assert f"#### {theory.name}" in text
    cited = refined_evidence(shipped)
    assert sorted(cited) == [f"CMOC {n}" for n in range(1, 7)]
    for code, citations in cited.items():
        segment = cmoc_segment(text, code, "#####")
        for citation in citations:
            assert citation in segment, (code, citation)
    assert "[Author to write:" in text
    assert "## Methods" in text and "Changes in the review process" in text
    assert "Merged" in text or "Refined" in text  # lineage events as process changes


def test_it_writes_the_report_as_docx(shipped):
    from reports.rameses_output import to_docx

    document = Document(io.BytesIO(to_docx(rameses_report(shipped))))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}

    assert document.paragraphs[0].text == shipped.title
    assert set(FLOW_NUMBERS) <= cells
    for theory in ProgrammeTheory.objects.filter(review=shipped).refined():
        assert theory.name in paragraphs
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for code, citations in refined_evidence(shipped).items():
        assert code in headings
        evidence = next(
            p.text for p in document.paragraphs[paragraph_index(document, code):]
            if p.text.startswith("Evidence: ")
        )
        assert all(citation in evidence for citation in citations), code


def paragraph_index(document, heading):
    return next(i for i, p in enumerate(document.paragraphs) if p.text == heading)


def test_it_shows_the_report_page(shipped, client):
    response = client.get(f"/reviews/{ICS_SLUG}/reports/rameses/")

    assert response.status_code == 200
    html = response.content.decode()
    for number in FLOW_NUMBERS:
        assert f"<td>{number}</td>" in html
    for theory in ProgrammeTheory.objects.filter(review=shipped).refined():
        assert theory.name in html
    for code in refined_evidence(shipped):
        assert f"<h5>{code}</h5>" in html
    assert f'href="/reviews/{ICS_SLUG}/reports/downloads/rameses-report.docx"' in html
    assert f'href="/reviews/{ICS_SLUG}/reports/export.json"' in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("viewer", 200), ("staff", 200), ("outsider", 404), (None, 404)],
)
def test_it_hides_a_private_reviews_report_and_files(request, review, client, role, expected):
    if role:
        client.force_login(request.getfixturevalue(role))

    for url in ("reports/rameses/", "reports/downloads/cmoc-table.xlsx", "reports/export.json"):
        assert client.get(f"/reviews/{review.slug}/{url}").status_code == expected, url


def test_it_downloads_the_whole_review_from_the_browser(shipped, client):
    response = client.get(f"/reviews/{ICS_SLUG}/reports/export.json")

    assert response.status_code == 200
    assert b'"format": "ichub-review"' in b"".join(response.streaming_content)
    assert client.get(f"/reviews/{ICS_SLUG}/reports/downloads/nothing.txt").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("editor", 200), ("staff", 200), ("viewer", 403), ("outsider", 404)],
)
def test_it_shows_the_import_page_only_to_editors(request, review, client, role, expected):
    client.force_login(request.getfixturevalue(role))

    response = client.get(f"/reviews/{review.slug}/sources/import/")

    assert response.status_code == expected
    if expected == 200:
        assert "Preview import" in response.content.decode()


def test_it_sends_anonymous_users_to_log_in(review, client):
    response = client.get(f"/reviews/{review.slug}/sources/import/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def preview(client, review, data, name="refs.ris", **extra):
    return client.post(
        f"/reviews/{review.slug}/sources/import/",
        {"file": io.BytesIO(data.encode()) if isinstance(data, str) else data,
         "kind": "empirical_study", **extra},
        format="multipart",
    )


def test_it_previews_then_imports_on_confirmation(review, editor, client):
    client.force_login(editor)
    upload = io.BytesIO(samples.NBIB.encode())
    upload.name = "pubmed.nbib"

    response = preview(client, review, upload)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: created: 2, duplicates: 0, rejected: 0" in html
    assert "smith2018" in html
    assert not SourceDocument.objects.exists()

    confirmed = client.post(f"/reviews/{review.slug}/sources/import/", {"confirm": "1"})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/reviews/{review.slug}/sources/"
    assert set(SourceDocument.objects.values_list("citation_key", flat=True)) == {
        "smith2018",
        "smith2019",
    }
    assert SourceDocument.objects.get(citation_key="smith2018").created_by == editor


def test_it_shows_why_a_file_is_refused(review, editor, client):
    client.force_login(editor)
    upload = io.BytesIO(b"TY  - JOUR\nAU  - Untitled, A.\nER  - \n")
    upload.name = "refs.ris"

    response = preview(client, review, upload)

    html = response.content.decode()
    assert response.status_code == 400
    assert "cannot be imported" in html and "The record has no title." in html
    assert client.post(f"/reviews/{review.slug}/sources/import/", {"confirm": "1"}).status_code == (
        302
    )
    assert not SourceDocument.objects.exists()


def test_it_refuses_a_confirmation_from_a_viewer(review, editor, viewer, client):
    client.force_login(viewer)

    response = client.post(f"/reviews/{review.slug}/sources/import/", {"confirm": "1"})

    assert response.status_code == 403
    assert not SourceDocument.objects.exists()
    assert CMOC.objects.count() == 0
