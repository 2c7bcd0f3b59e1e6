"""CMOC table, evidence matrix and source downloads: they parse back and hold the data."""

import csv
import io

import bibtexparser
import rispy
from openpyxl import load_workbook

from cmocs.models import CMOC
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from reports import downloads as exports
from tests.conftest import ICS_SLUG

REFINED_CODES = [f"CMOC {n}" for n in range(1, 7)]


def read_csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_it_writes_the_cmoc_table_as_csv_with_every_cmoc(shipped):
    rows = read_csv(exports.to_csv(*exports.cmoc_table(shipped)))

    assert rows[0] == exports.CMOC_COLUMNS
    refined = [row for row in rows[1:] if row[2] == "Refined"]
    assert [row[0] for row in refined] == REFINED_CODES
    assert len([row for row in rows[1:] if row[2] == "Initial"]) == 9
    cmoc_1 = CMOC.objects.with_elements().get(review=shipped, stage="refined", code="CMOC 1")
    assert refined[0][4] == cmoc_1.context.text
    assert refined[0][8] == cmoc_1.statement
    assert refined[0][9]  # cited sources


def test_it_writes_the_cmoc_table_as_xlsx(shipped):
    data = exports.to_xlsx(*exports.cmoc_table(shipped), title="CMOCs")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["CMOCs"]
    values = list(sheet.iter_rows(values_only=True))

    assert list(values[0]) == exports.CMOC_COLUMNS
    assert [row[0] for row in values if row[2] == "Refined"] == REFINED_CODES


def test_it_writes_the_evidence_matrix_as_the_page_shows_it(shipped):
    header, rows = exports.matrix_table(shipped)
    csv_rows = read_csv(exports.to_csv(header, rows))
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(header, rows, title="Matrix"))).active

    assert csv_rows[0] == ["Source", *REFINED_CODES]  # current CMOCs as columns
    assert csv_rows[1][0] == "Aufegger et al. (2020)"  # sources as rows
    assert any("supports" in cell for row in csv_rows[1:] for cell in row[1:])
    assert sheet.cell(row=1, column=1).value == "Source"
    assert sheet.max_column == len(header)


def test_it_neutralises_spreadsheet_formulas(review):
    CMOC.objects.create(
        review=review, code="=HYPERLINK(\"http://evil\")", stage="initial", statement="+1+1"
    )
    header, rows = exports.cmoc_table(review)
    rows[0][4] = "@SUM(A1)"
    rows[0][5] = "-2+3"
    rows[0][6] = "\tcmd"

    csv_rows = read_csv(exports.to_csv(header, rows))
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(header, rows, title="CMOCs"))).active

    assert csv_rows[1][0] == "'=HYPERLINK(\"http://evil\")"
    assert csv_rows[1][8] == "'+1+1"
    assert [csv_rows[1][i] for i in (4, 5, 6)] == ["'@SUM(A1)", "'-2+3", "'\tcmd"]
    assert sheet.cell(row=2, column=1).value == "'=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=2, column=1).data_type == "s"  # text, not a formula


def test_it_writes_sources_as_ris_that_rispy_reads(shipped):
    sources = exports.review_sources(shipped, included_only=True)
    entries = rispy.loads(exports.to_ris(sources).decode())

    assert len(entries) == sources.count()
    pearson = next(e for e in entries if e.get("id") == "pearson2018")
    assert pearson["authors"] == ["Pearson, C.", "Watson, N."]
    assert pearson["doi"] == "10.1111/hsc.12537"
    assert pearson["type_of_reference"] == "JOUR"
    aufegger = next(e for e in entries if e.get("id") == "aufegger2020")
    assert aufegger["authors"][:2] == ["Aufegger, L.", "Alabi, M."]


def test_it_writes_sources_as_bibtex_that_bibtexparser_reads(shipped):
    sources = exports.review_sources(shipped)
    library = bibtexparser.parse_string(exports.to_bibtex(sources).decode())

    assert not library.failed_blocks
    assert len(library.entries) == sources.count()
    entry = library.entries_dict["embuldeniya2018"]
    assert entry["doi"] == "10.1111/1468-0009.12357"
    assert entry.entry_type == "article"


def test_it_matches_the_18_included_studies_from_its_own_ris_export(shipped):
    studies = SourceDocument.objects.filter(
        review=shipped, kind=SourceDocument.Kind.EMPIRICAL_STUDY
    ).included()
    assert studies.count() == 18
    before = SourceDocument.objects.filter(review=shipped).count()

    report = import_sources(review=shipped, data=exports.to_ris(studies))

    assert report.summary == "created: 0, duplicates: 18, rejected: 0"
    assert {d["citation_key"] for d in report.duplicates} == set(
        studies.values_list("citation_key", flat=True)
    )
    assert SourceDocument.objects.filter(review=shipped).count() == before


HAND_WRITTEN_RIS = """TY  - JOUR
AU  - Pearson, Charlotte
AU  - Watson, Nick
TI  - Implementing health and social care integration in Scotland
PY  - 2018
UR  - https://doi.org/10.1111/HSC.12537
ER  -

TY  - JOUR
AU  - Embuldeniya, G.
TI  - The generation of integration
PY  - 2018
DO  - DOI: 10.1111/1468-0009.12357
ER  -

TY  - JOUR
AU  - Sims, S.
TI  - What does success look like for leaders of integrated health and social care systems?
PY  - 2021
DO  - HTTPS://DX.DOI.ORG/10.5334/IJIC.5936
ER  -
"""


def test_it_matches_hand_written_ris_with_url_and_uppercase_dois(shipped):
    report = import_sources(review=shipped, data=HAND_WRITTEN_RIS.encode())

    assert report.summary == "created: 0, duplicates: 3, rejected: 0"
    assert [d["citation_key"] for d in report.duplicates] == [
        "pearson2018",
        "embuldeniya2018",
        "sims2021",
    ]
    assert SourceDocument.objects.filter(review__slug=ICS_SLUG, title__icontains="scotland")
