"""Pages that list included documents and CMOCs show a bounded first page (issue 15).

The RAMESES page's "Document characteristics" and "Main findings", and the
dashboard's CMOC list, show their first rows with a count and a link to pages
of the rest; every row stays in the downloads. Two reviews of the same shape,
4 and 130 included documents and current CMOCs, are read through the same
URLs: the query counts must be equal, and the pages together must show every
row exactly once.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review
from programme_theories.models import Framework, ProgrammeTheory, Theme
from reports import views as report_views
from reports.downloads import DOWNLOADS

SMALL, LARGE = 4, 130
PAGES = (
    "/reviews/{slug}/",
    "/reviews/{slug}/cmocs/",
    "/reviews/{slug}/reports/rameses/",
    "/reviews/{slug}/reports/rameses/documents/",
    "/reviews/{slug}/reports/rameses/findings/",
)


def _build(n):
    """A public review with n included sources and n current CMOCs over two theories."""
    review = Review.objects.create(slug=f"bounded-{n}", title=f"Bounded {n}",
                                   visibility=Review.Visibility.PUBLIC)
    framework = Framework.objects.create(review=review, name="Framework")
    theories = [
        ProgrammeTheory.objects.create(
            review=review, name=name, stage=ProgrammeTheory.Stage.REFINED, statement="s",
            theme=Theme.objects.create(framework=framework, name=name, order=order))
        for order, name in ((1, "Being"), (2, "Delivering"))
    ]
    sources = SourceDocument.objects.bulk_create(
        SourceDocument(review=review, citation_key=f"s{i}", authors=f"Author{i:04d}, A.",
                       year=2000 + i % 20, title=f"Study {i}",
                       inclusion_status=SourceDocument.Inclusion.INCLUDED)
        for i in range(n))
    excerpts = Excerpt.objects.bulk_create(
        Excerpt(source=source, key="x", text="Quote.") for source in sources)
    cmocs = CMOC.objects.bulk_create(
        CMOC(review=review, code=f"CMOC {i + 1}", stage=CMOC.Stage.REFINED,
             theory=theories[i % 2], statement=f"Finding {i + 1}.")
        for i in range(n))
    EvidenceLink.objects.bulk_create(
        EvidenceLink(cmoc=cmoc, excerpt=excerpt) for cmoc, excerpt in zip(cmocs, excerpts,
                                                                         strict=True))
    return review


@pytest.fixture
def bounded(db):
    return {n: _build(n) for n in (SMALL, LARGE)}


def _all_pages(client, url, pattern):
    """Every match of `pattern` over the pages of a paged list, following "Next"."""
    found = []
    while url:
        page = client.get(url).content.decode()
        found += re.findall(pattern, page)
        following = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = url.split("?")[0] + following.group(1).replace("&amp;", "&") if following else None
    return found


def test_it_reads_the_report_and_list_pages_in_queries_that_do_not_grow(bounded, client, viewer):
    client.force_login(viewer)
    counts = {}
    for pattern in PAGES:
        for n, review in bounded.items():
            url = pattern.format(slug=review.slug)
            assert client.get(url).status_code == 200  # session and caches warm alike
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            counts.setdefault(pattern, {})[n] = len(queries)
    assert {p: by_size for p, by_size in counts.items() if by_size[SMALL] != by_size[LARGE]} == {}


def test_it_shows_the_first_rows_with_a_count_and_links_to_the_rest(bounded, client):
    slug, shown = bounded[LARGE].slug, report_views.RAMESES_ROWS_SHOWN
    page = client.get(f"/reviews/{slug}/reports/rameses/").content.decode()

    assert len(re.findall(r"<td>Author\d+ \(\d+\)</td>", page)) == shown  # not every source
    assert f"The first {shown} of {LARGE} included documents." in page
    assert f"The first {shown} of {LARGE} current CMOCs." in page
    assert f'href="/reviews/{slug}/reports/rameses/documents/"' in page
    assert f'href="/reviews/{slug}/reports/rameses/findings/"' in page
    assert len(re.findall(r"<h5>CMOC \d+</h5>", page)) == shown

    dashboard = client.get(f"/reviews/{slug}/").content.decode()
    assert f"The first 50 of {LARGE} CMOCs" in dashboard
    assert len(re.findall(r"<strong>CMOC \d+</strong>", dashboard)) == 50

    small = client.get(f"/reviews/{bounded[SMALL].slug}/reports/rameses/").content.decode()
    assert "The first" not in small and len(re.findall(r"<h5>CMOC \d+</h5>", small)) == SMALL


def test_it_pages_through_every_row_exactly_once_in_the_downloads_order(bounded, client):
    review = bounded[LARGE]
    base = f"/reviews/{review.slug}"
    markdown = DOWNLOADS["rameses-report.md"].build(review).decode()

    documents = _all_pages(client, f"{base}/reports/rameses/documents/",
                           r"<td>(Author\d+) \(")
    findings = _all_pages(client, f"{base}/reports/rameses/findings/", r"<h3>CMOC (\d+)</h3>")
    cmocs = _all_pages(client, f"{base}/cmocs/", r"<strong>CMOC (\d+)</strong>")

    assert len(documents) == len(set(documents)) == LARGE
    assert sorted(map(int, findings)) == sorted(map(int, cmocs)) == list(range(1, LARGE + 1))
    # Theory by theory (Being: odd codes, Delivering: even), codes in natural order, as the
    # downloaded report lists them.
    assert [int(c) for c in re.findall(r"^#+ CMOC (\d+)$", markdown, re.M)] == [
        int(c) for c in findings]
    assert [int(c) for c in findings[:3]] == [1, 3, 5]


def test_it_hides_the_list_pages_of_a_private_review(bounded, client, outsider):
    review = bounded[SMALL]
    Review.objects.filter(pk=review.pk).update(visibility=Review.Visibility.PRIVATE)
    client.force_login(outsider)
    for pattern in PAGES[1:]:
        assert client.get(pattern.format(slug=review.slug)).status_code == 404
