import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from evidence.models import Excerpt, SourceDocument
from tests.web.conftest import READ_STATUS, ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_matrix_only_to_readers(client, curated, review, role, user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(f"/reviews/{review.slug}/matrix/")
    assert response.status_code == READ_STATUS[role]
    assert client.get(f"/reviews/{review.slug}/matrix.csv").status_code == READ_STATUS[role]


def test_it_shows_each_stance_linking_to_the_evidence(client, curated, review, owner):
    refined, source = curated["refined"], curated["sources"][1]
    services.link_evidence(cmoc=refined, excerpt=source.excerpts.get(), user=owner,
                           stance="challenges")
    client.force_login(owner)
    page = client.get(f"/reviews/{review.slug}/matrix/").content.decode()
    assert f"/reviews/{review.slug}/cmocs/{refined.pk}/#evidence-source-{source.pk}" in page
    assert 'class="stance-challenges">challenges' in page
    assert "Author0 and Other (2018)" in page  # an included source, even without links


def test_it_exports_the_matrix_as_csv(client, curated, review, owner):
    refined, source = curated["refined"], curated["sources"][1]
    services.link_evidence(cmoc=refined, excerpt=source.excerpts.get(), user=owner,
                           stance="refines")
    client.force_login(owner)
    response = client.get(f"/reviews/{review.slug}/matrix.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Source", "CMOC 1"]  # as the page: sources as rows, CMOCs as columns
    assert rows[1:] == [["Author0 and Other (2018)", ""], ["Author1 and Other (2018)", "refines"]]


def test_it_lists_the_sources_in_the_same_order_on_the_page_and_in_the_download(
    client, curated, review, owner
):
    # Cited by its title, a source without authors is where a sort by the citation and
    # a sort by the author list part ways.
    SourceDocument.objects.create(review=review, citation_key="zebra", authors="", year=2020,
                                  title="Zebra crossings in integrated care",
                                  inclusion_status=SourceDocument.Inclusion.INCLUDED)
    client.force_login(owner)

    page = client.get(f"/reviews/{review.slug}/matrix/").content.decode()
    csv_rows = list(csv.reader(io.StringIO(
        client.get(f"/reviews/{review.slug}/matrix.csv").content.decode("utf-8-sig"))))[1:]

    page_rows = re.findall(r'<th scope="row"><a [^>]*>([^<]*)</a>', page)
    assert page_rows == [row[0] for row in csv_rows]
    assert page_rows == ["Author0 and Other (2018)", "Author1 and Other (2018)",
                         "Zebra crossings in integrated care (2020)"]


def test_it_builds_the_matrix_in_the_same_queries_however_big(client, curated, review, owner):
    client.force_login(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reviews/{review.slug}/matrix/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        source = SourceDocument.objects.create(review=review, citation_key=f"m{i}", title="m",
                                               authors=f"M{i}, A.", year=2020,
                                               inclusion_status="included")
        excerpt = Excerpt.objects.create(source=source, key="k", text="t")
        services.link_evidence(cmoc=curated["refined"], excerpt=excerpt, user=owner)
        services.create_cmoc(review=review, user=owner, code=f"CMOC {50 + i}", stage="refined",
                             statement="s")
    assert count() == before


def _grow(review, owner, refined, sources, cmocs, start=0):
    """Add included sources, each linked to `refined`, and refined CMOCs."""
    for i in range(start, start + sources):
        source = SourceDocument.objects.create(review=review, citation_key=f"g{i}", title="g",
                                               authors=f"G{i:02d}, A.", year=2021,
                                               inclusion_status="included")
        excerpt = Excerpt.objects.create(source=source, key="k", text="t")
        services.link_evidence(cmoc=refined, excerpt=excerpt, user=owner)
    for i in range(start, start + cmocs):
        services.create_cmoc(review=review, user=owner, code=f"CMOC {60 + i}", stage="refined",
                             statement="s")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("reports.views.MATRIX_ROWS", 3)
    monkeypatch.setattr("reports.views.MATRIX_COLUMNS", 2)


def test_it_pages_the_matrix_in_rows_and_columns_in_the_same_queries(
    client, curated, review, owner, small_pages
):
    client.force_login(owner)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    _grow(review, owner, curated["refined"], sources=3, cmocs=2)  # beyond a page each way
    small, _ = count(f"/reviews/{review.slug}/matrix/?page=2&columns=2")
    _grow(review, owner, curated["refined"], sources=9, cmocs=4, start=3)  # 14 rows, 7 columns
    large, response = count(f"/reviews/{review.slug}/matrix/?page=2&columns=2")

    assert large == small
    page = response.content.decode()
    assert page.count('<th scope="row">') == 3 and page.count('<th scope="col">') == 1 + 2
    assert "Sources 4–6 of 14" in page and "CMOCs 3–4 of 7" in page
    assert "page=3&amp;columns=2" in page and "page=1&amp;columns=2" in page  # rows nav
    assert "page=2&amp;columns=3" in page and "page=2&amp;columns=1" in page  # columns nav


def test_it_shows_every_cell_once_across_the_pages(client, curated, review, owner, small_pages):
    _grow(review, owner, curated["refined"], sources=4, cmocs=3)
    client.force_login(owner)
    options = "include_retired=1&hide_empty=1"
    full = client.get(f"/reviews/{review.slug}/matrix.csv?{options}").content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(full)))

    seen_rows, seen_columns = [], []
    for column_page in (1, 2, 3):
        for row_page in (1, 2):
            page = client.get(f"/reviews/{review.slug}/matrix/?{options}&page={row_page}"
                              f"&columns={column_page}").content.decode()
            assert "include_retired=1" in page  # the navigation keeps the options
            if column_page == 1:
                seen_rows += re.findall(r'<th scope="row"><a [^>]*>([^<]*)</a>', page)
            if row_page == 1:
                seen_columns += re.findall(r'<th scope="col"><a [^>]*>([^<]*)</a>', page)
    # Each source and each CMOC on exactly one page, in the download's order.
    assert seen_rows == [row[0] for row in rows] and len(rows) == 6
    assert seen_columns == [heading.split(" (")[0] for heading in header[1:]]
    assert len(seen_columns) == 6


@pytest.mark.parametrize("query", ["page=abc", "page=999&columns=-4", "columns=1.5"])
def test_it_answers_an_odd_matrix_page_with_a_page(client, curated, review, owner, query):
    client.force_login(owner)
    assert client.get(f"/reviews/{review.slug}/matrix/?{query}").status_code == 200
