"""CSV/XLSX formula injection: cells that start with = + - @ download as text, not formulas.

End to end through the download URLs (API and browser), with the hostile text
in every column a user controls: CMOC code and statement, element text,
source citation. The neutralising itself is unit-tested in tests/reports/test_downloads.py.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A9)"]
FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture
def hostile(review, owner):
    world = build_review_rows(review, owner)
    world.cmoc.code = PAYLOADS[1]
    world.cmoc.statement = PAYLOADS[0]
    world.cmoc.save()
    world.context.text = PAYLOADS[3]
    world.context.save()
    world.source.authors = PAYLOADS[2]
    world.source.title = PAYLOADS[0]
    world.source.save()
    return world


def csv_cells(content):
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_neutralised(cells):
    texts = [c for c in cells if isinstance(c, str)]
    assert any(p in c for c in texts for p in PAYLOADS), "the hostile text is not in the file"
    dangerous = [c for c in texts if c.startswith(FORMULA_START)]
    assert dangerous == []


@pytest.mark.parametrize("name", ["cmoc-table.csv", "evidence-matrix.csv"])
def test_it_neutralises_formulas_in_csv_downloads_from_the_api(
    hostile, viewer, token_client, name
):
    response = token_client(viewer).get(f"/api/reviews/{hostile.review.slug}/downloads/{name}")

    assert response.status_code == 200
    assert_neutralised(csv_cells(response.content))


@pytest.mark.parametrize("name", ["cmoc-table.xlsx", "evidence-matrix.xlsx"])
def test_it_neutralises_formulas_in_xlsx_downloads_from_the_browser(hostile, viewer, client, name):
    client.force_login(viewer)

    response = client.get(f"/reviews/{hostile.review.slug}/reports/downloads/{name}")

    assert response.status_code == 200
    cells = xlsx_cells(response.content)
    assert_neutralised(cells)


def test_it_neutralises_formulas_in_the_matrix_page_csv(hostile, viewer, client):
    client.force_login(viewer)

    response = client.get(f"/reviews/{hostile.review.slug}/matrix.csv")

    assert response.status_code == 200
    assert_neutralised(csv_cells(response.content))
