"""One CMOC order everywhere: codes in natural order, "1a, 2, 9b, 10, 11" (issue 12).

Realist reviews letter their split CMOCs, so a lettered code must sit beside
its number in the API lists, the pages and every export. Before the fix the
API ordered by length then code ("2, 10, 11, 1a, 9b") while pages did not.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from cmocs import services
from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt, SourceDocument
from ichub.fields import natural_sort_key
from programme_theories.models import ProgrammeTheory

NATURAL = ["1a", "2", "9b", "10", "11"]
CREATED_IN = ["11", "9b", "2", "10", "1a"]  # neither natural nor length-then-code order


@pytest.fixture
def lettered(review, owner):
    review.visibility = review.Visibility.PUBLIC
    review.save()
    theory = ProgrammeTheory.objects.create(
        review=review, name="Lettered", stage=ProgrammeTheory.Stage.REFINED, statement="S."
    )
    source = SourceDocument.objects.create(
        review=review, citation_key="a2020", title="A study", year=2020, authors="A, B.",
        inclusion_status=SourceDocument.Inclusion.INCLUDED,
    )
    excerpt = Excerpt.objects.create(source=source, key="x1", text="Evidence.")
    for code in CREATED_IN:
        cmoc = services.create_cmoc(
            review=review, user=owner, code=code, stage=CMOC.Stage.REFINED, theory=theory,
            statement=f"Statement {code}.", context=f"Context {code}",
        )
        services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=owner,
                               element=EvidenceLink.Element.WHOLE)
    return theory


def in_text_order(text, codes, template):
    """The codes in the order `template.format(code)` first appears in `text`."""
    positions = {code: text.index(template.format(code)) for code in codes}
    return sorted(codes, key=positions.get)


def test_it_computes_a_natural_key():
    assert sorted(CREATED_IN, key=natural_sort_key) == NATURAL
    assert sorted(["CMOC 10", "CMOC 2", "CMOC 1"], key=natural_sort_key) == [
        "CMOC 1", "CMOC 2", "CMOC 10"]


def test_it_stores_the_key_on_every_write_path(lettered):
    assert list(CMOC.objects.in_reading_order().values_list("code", flat=True)) == NATURAL
    cmoc = CMOC.objects.get(code="9b")
    assert cmoc.code_key == natural_sort_key("9b")


def test_it_lists_cmocs_in_natural_order_in_the_api(client, lettered):
    data = client.get("/api/cmocs/", {"review": "test-review"}).json()
    assert [c["code"] for c in data["results"]] == NATURAL
    cursor = client.get("/api/cmocs/", {"review": "test-review", "cursor": ""}).json()
    assert [c["code"] for c in cursor["results"]] == NATURAL
    theory = client.get(f"/api/theories/{lettered.pk}/").json()
    assert [c["code"] for c in theory["cmocs"]] == NATURAL


def test_it_shows_cmocs_in_natural_order_on_the_pages(client, lettered):
    pages = {
        f"/reviews/test-review/theories/{lettered.pk}/": "Statement {}.",
        "/reviews/test-review/": "<strong>{}</strong>",
        "/reviews/test-review/matrix/": '">{}</a></th>',
        "/reviews/test-review/reports/rameses/": "<h5>{}</h5>",
    }
    for url, template in pages.items():
        text = client.get(url).content.decode()
        assert in_text_order(text, NATURAL, template) == NATURAL, url


def test_it_exports_cmocs_in_natural_order(client, lettered):
    base = "/reviews/test-review/reports/downloads/"
    table_csv = client.get(base + "cmoc-table.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(table_csv)))
    assert [row[0] for row in rows[1:]] == NATURAL
    sheet = load_workbook(io.BytesIO(client.get(base + "cmoc-table.xlsx").content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == NATURAL
    matrix = client.get(base + "evidence-matrix.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(matrix)))
    # CMOCs are the rows or the columns, whichever way the matrix is oriented.
    codes = [row[0] for row in table[1:]] if table[0][0] == "CMOC" else table[0][1:]
    assert [code for code in codes if code in NATURAL] == NATURAL
    markdown = client.get(base + "rameses-report.md").content.decode()
    assert in_text_order(markdown, NATURAL, "# {}\n") == NATURAL
