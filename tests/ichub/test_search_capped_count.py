"""capped_count, first_page and the search page's counts: "37" or "500+", never all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import Excerpt, SourceDocument
from evidence.search import search_excerpts
from ichub.search import COUNT_CAP, CappedCount, capped_count, first_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_excerpts(review):
    """COUNT_CAP + 5 excerpts that say "trust", and one that does not."""
    source = SourceDocument.objects.create(review=review, citation_key="many2020", title="Many")
    Excerpt.objects.bulk_create(
        Excerpt(source=source, key=f"k{i}", text=f"Trust number {i}")
        for i in range(COUNT_CAP + 5)
    )
    Excerpt.objects.create(source=source, key="other", text="Budgets only")
    return source


def test_it_counts_exactly_below_the_cap(review, many_excerpts):
    found = search_excerpts(Excerpt.objects.for_review(review), "budgets")
    assert capped_count(found) == CappedCount(1, False)
    assert str(capped_count(found)) == "1"
    assert capped_count(Excerpt.objects.none()) == (0, False)


def test_it_stops_counting_at_the_cap(review, many_excerpts):
    found = search_excerpts(Excerpt.objects.for_review(review), "trust")
    count = capped_count(found)
    assert count == (COUNT_CAP, True)
    assert str(count) == f"{COUNT_CAP:,}+"
    assert capped_count(found, cap=10) == (10, True)
    assert capped_count(found, cap=COUNT_CAP + 5) == (COUNT_CAP + 5, False)


def test_it_counts_in_one_query_that_reads_at_most_cap_plus_one_rows(review, many_excerpts):
    found = search_excerpts(Excerpt.objects.for_review(review), "trust").order_by("-pk")
    with CaptureQueriesContext(connection) as queries:
        capped_count(found, cap=10)
    assert len(queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert "LIMIT 11" in sql and "ORDER BY" not in sql


def test_it_gives_the_first_page_in_pk_order_with_the_count(review, many_excerpts):
    Excerpt.objects.create(source=many_excerpts, key="b2", text="More budgets")
    found = search_excerpts(Excerpt.objects.for_review(review), "budgets").order_by("-text")
    with CaptureQueriesContext(connection) as queries:
        rows, count = first_page(found, size=1)
    assert [e.key for e in rows] == ["other"] and count == (2, False)
    assert len(queries) == 2
    common = search_excerpts(Excerpt.objects.for_review(review), "trust")
    with CaptureQueriesContext(connection) as queries:
        rows, count = first_page(common, size=3)
    assert [e.text for e in rows] == ["Trust number 0", "Trust number 1", "Trust number 2"]
    assert count == (COUNT_CAP, True) and len(queries) == 2
    assert first_page(search_excerpts(Excerpt.objects.all(), "nowhere"), size=3) == (
        [], (0, False))


def test_the_search_page_shows_a_capped_count_and_the_first_page(client, owner, review,
                                                                  many_excerpts):
    client.force_login(owner)
    page = client.get("/search/", {"q": "trust"}).content.decode()
    assert f"Excerpts ({COUNT_CAP:,}+)" in page
    assert "The first 50, oldest first." in page
    assert page.count('<blockquote class="excerpt">') == 50
    assert "Trust number 0" in page and f"Trust number {COUNT_CAP}" not in page
    small = client.get("/search/", {"q": "budgets"}).content.decode()
    assert "Excerpts (1)" in small and "The first" not in small


def test_the_search_page_counts_only_what_the_user_may_see(client, outsider, many_excerpts):
    client.force_login(outsider)
    page = client.get("/search/", {"q": "trust"}).content.decode()
    assert "Excerpts (0)" in page and "Trust number" not in page
