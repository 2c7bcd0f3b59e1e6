"""The PRISMA 2020 flow CSV, and the evidence matrix spreadsheet holding what its page shows."""

import csv
import io
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from cmocs import services
from cmocs.models import CMOC
from reports.prisma import COLUMNS, prisma_numbers, to_prisma_csv
from tests.evidence.importers.corpus import corpus_path
from tests.web.conftest import build_curated

pytestmark = pytest.mark.django_db

# The template's columns, as the PRISMA2020 R package's inst/extdata/PRISMA.csv has them.
PRISMA2020_COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]


def read_prisma(review):
    return list(csv.DictReader(io.StringIO(to_prisma_csv(review).decode())))


def test_it_writes_the_flow_in_the_prisma2020_template_columns(shipped):
    rows = read_prisma(shipped)

    assert COLUMNS == PRISMA2020_COLUMNS
    by_data = {row["data"]: row for row in rows}
    numbers, _ = prisma_numbers(shipped)
    assert by_data["records_screened"]["n"] == str(numbers["records_screened"])
    assert by_data["total_studies"]["n"] == str(numbers["total_studies"])
    assert by_data["dbr_notretrieved_reports"]["n"] == "NA"  # never a made-up 0
    assert all(row["n"] == "NA" or row["n"].isdigit() or ", " in row["n"] for row in rows)


def test_it_uses_every_data_row_of_the_prisma2020_template(shipped):
    template = corpus_path("prisma", "PRISMA.csv").read_text(encoding="utf-8")
    template_rows = list(csv.DictReader(io.StringIO(template)))

    assert list(template_rows[0]) == PRISMA2020_COLUMNS
    boxes = {row["data"]: (row["node"], row["box"]) for row in template_rows}
    for row in read_prisma(shipped):
        assert boxes[row["data"]] == (row["node"], row["box"]), row["data"]


def test_it_counts_the_curated_flow_into_prisma_boxes(review, owner):
    build_curated(review, owner)  # 5,716 identified, 300 screened, 40 full text, 18 included

    by_data = {row["data"]: row["n"] for row in read_prisma(review)}

    assert by_data["database_results"] == "5716"
    assert (by_data["records_screened"], by_data["records_excluded"]) == ("300", "260")
    assert (by_data["dbr_assessed"], by_data["new_studies"]) == ("40", "18")
    assert "22" in by_data["dbr_excluded"]


class _Table(HTMLParser):
    """The matrix page's table as rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.inside = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def page_table(client, url):
    parser = _Table()
    parser.feed(client.get(url).content.decode())
    return parser.rows


def sheet_table(client, url):
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("query", "cmoc_columns", "source_rows"),
    [("", 1, 3), ("?include_retired=1", 3, 3), ("?hide_empty=1", 1, 1),
     ("?include_retired=1&hide_empty=1", 3, 3)],
)
def test_it_downloads_the_matrix_as_the_page_shows_it(
    client, review, owner, query, cmoc_columns, source_rows
):
    curated = build_curated(review, owner, n_sources=3)
    services.drop_cmoc(cmoc=curated["cmocs"][1], user=owner, rationale="No evidence left")
    services.link_evidence(cmoc=curated["refined"], user=owner,
                           excerpt=curated["sources"][1].excerpts.get(), stance="refines")
    client.force_login(owner)

    page = page_table(client, f"/reviews/{review.slug}/matrix/{query}")
    sheet = sheet_table(client, f"/reviews/{review.slug}/matrix.xlsx{query}")

    assert sheet == page  # same orientation, headings, rows and cells
    assert page[0][0] == "Source"
    assert (len(page[0]) - 1, len(page) - 1) == (cmoc_columns, source_rows)
    assert CMOC.objects.filter(review=review, status=CMOC.Status.DROPPED).count() == 1
