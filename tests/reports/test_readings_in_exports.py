"""The 2024 review's reports and exports never pass ichub's readings off as the paper's evidence.

The 2025 case study's links to the 2024 review's CMOCs are ichub's readings of its
abstract (issue 18, finding 2); the paper could not cite a study published a year
later. The RAMESES report's findings, the CMOC spreadsheet and the evidence matrix
(page, download and API) name them as ichub's readings.
"""

import csv
import io

import pytest

from cmocs.models import EvidenceLink, Provenance
from reports.downloads import cmoc_table
from reports.rameses import rameses_report
from reports.rameses_output import to_markdown
from tests.conftest import ICS_SLUG

pytestmark = pytest.mark.django_db

CASE_STUDY = "Knight (2025)"


@pytest.fixture
def shipped(shipped_module):
    return shipped_module


def test_the_shipped_review_has_readings_to_mark(shipped):
    readings = EvidenceLink.objects.filter(cmoc__review=shipped,
                                           provenance=Provenance.PROJECT_READING)
    assert readings.exists()
    assert {link.excerpt.source.short_citation for link in readings} == {CASE_STUDY}


def test_it_lists_readings_apart_from_the_evidence_the_review_cites(shipped):
    lines = to_markdown(rameses_report(shipped)).splitlines()
    evidence = [line for line in lines if line.startswith("Evidence: ")]
    readings = [line for line in lines if line.startswith("ichub's readings, not evidence")]
    assert len(evidence) == 6  # one per refined CMOC, each with the paper's citations
    assert not any(CASE_STUDY in line for line in evidence)
    assert readings and all(CASE_STUDY in line for line in readings)


def test_it_marks_readings_in_the_cmoc_spreadsheet(shipped):
    header, rows = cmoc_table(shipped)
    cited = [row[header.index("Cited sources")] for row in rows]
    assert any(f"{CASE_STUDY} (ichub's reading)" in cell for cell in cited)
    assert not any(f"{CASE_STUDY};" in cell or cell.endswith(CASE_STUDY) for cell in cited)


def test_it_marks_readings_in_the_evidence_matrix_page_and_download(shipped, client):
    page = client.get(f"/reviews/{ICS_SLUG}/matrix/").content.decode()
    row = page[page.index(f">{CASE_STUDY}</a>"):]
    row = row[: row.index("</tr>")]
    assert row.count("(ichub's reading)") == row.count('class="stance-') == 3
    table = list(csv.reader(io.StringIO(
        client.get(f"/reviews/{ICS_SLUG}/matrix.csv").content.decode("utf-8-sig")
    )))
    case_row = next(r for r in table if r[0] == CASE_STUDY)
    stances = [s for cell in case_row[1:] if cell for s in cell.split(", ")]
    assert stances and all(s.endswith("(ichub's reading)") for s in stances)
    paper_row = next(r for r in table if r[0].startswith("Gordon et al."))
    assert "supports" in paper_row and "reading" not in ",".join(paper_row)


def test_it_gives_each_matrix_link_its_provenance_in_the_api(shipped, client):
    cells = client.get(f"/api/reviews/{ICS_SLUG}/matrix/").json()["cells"]
    sources = {s["id"]: s["citation"] for s in
               client.get(f"/api/reviews/{ICS_SLUG}/matrix/").json()["sources"]}
    provenances = {
        (sources[cell["source"]] == CASE_STUDY, link["provenance"])
        for cell in cells for link in cell["links"]
    }
    assert provenances == {(True, "project_reading"), (False, "reported")}


def test_it_marks_readings_on_the_case_studys_source_page(shipped, client):
    link = EvidenceLink.objects.filter(cmoc__review=shipped,
                                       provenance=Provenance.PROJECT_READING).first()
    source = link.excerpt.source
    page = client.get(f"/reviews/{source.review.slug}/sources/{source.pk}/").content.decode()
    links = EvidenceLink.objects.filter(excerpt__source=source)
    assert page.count("ichub&#x27;s reading)") + page.count("ichub's reading)") == links.count()


def test_it_marks_readings_in_search_results(shipped, client):
    # "governance complexities" is one of the case study's excerpts, linked as ichub's reading.
    page = client.get("/search/", {"q": "governance complexities"}).content.decode()
    assert "informs" in page and "(ichub's reading)" in page
