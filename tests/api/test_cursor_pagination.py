"""`?cursor=` keyset pagination: exact walks both ways, filters, refused cursors, flat queries."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.cursors import cursor_at
from cmocs import services
from cmocs.models import CMOC
from evidence.models import Excerpt, SourceDocument
from ichub.pagination import (
    BACKWARD,
    FORWARD,
    encode_cursor,
    keyset_condition,
    ordering_keys,
    row_key,
    with_ordering_keys,
)


def make_sources(review, count, prefix="s"):
    """Many sources sharing authors, and some with no year, so the ordering has ties and NULLs."""
    return SourceDocument.objects.bulk_create(
        SourceDocument(
            review=review, citation_key=f"{prefix}{n}", title=f"Study {n}",
            authors=["Aunger, J.", "Pearson, C.", ""][n % 3],
            year=None if n % 4 == 0 else 2015 + n % 3,
        )
        for n in range(count)
    )


def walk(client, url, direction="next"):
    """Every page from `url` on, following `direction` links: (ids in order, pages, responses)."""
    ids, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        ids.extend(row["id"] for row in body["results"])
        pages += 1
        url = body[direction]
    return ids, pages, body


def expected_source_ids(review):
    """The list's order, NULL years after the others, as the cursor promises on both databases."""
    rows = SourceDocument.objects.filter(review=review).values_list("authors", "year", "id")
    return [pk for _, _, pk in sorted(rows, key=lambda r: (r[0], r[1] is None, r[1] or 0, r[2]))]


def test_it_walks_a_list_with_ties_and_nulls_without_duplicates_or_gaps(world, token_client,
                                                                        viewer):
    make_sources(world.review, 23)
    client = token_client(viewer)

    ids, pages, last = walk(client, f"/api/sources/?review={world.review.slug}&page_size=5&cursor=")

    assert ids == expected_source_ids(world.review)
    assert len(ids) == len(set(ids)) == 24
    assert pages == 5
    assert last["next"] is None


def test_it_walks_back_with_previous_links(world, token_client, viewer):
    make_sources(world.review, 23)
    client = token_client(viewer)
    _, _, last = walk(client, f"/api/sources/?review={world.review.slug}&page_size=5&cursor=")
    last_page_url = last["previous"]  # the fourth page's previous link, back from the fifth
    assert last_page_url is not None

    first = client.get(f"/api/sources/?review={world.review.slug}&page_size=5&cursor=").json()
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
    assert back["previous"] is None
    assert back["next"] is not None

    ids, pages, _ = walk(client, last_page_url, direction="previous")
    expected = expected_source_ids(world.review)
    # The walk back from the fourth page yields pages 4, 3, 2, 1, each in reading order.
    assert pages == 4
    assert sorted(ids) == sorted(expected[:20])
    assert [ids[i:i + 5] for i in range(0, 20, 5)] == [expected[i:i + 5]
                                                       for i in range(15, -1, -5)]


def test_it_walks_cmocs_in_natural_code_order(world, token_client, owner):
    for n in range(2, 13):
        services.create_cmoc(review=world.review, user=owner, code=f"CMOC {n}",
                             stage="refined", statement=f"Statement {n}")
    client = token_client(owner)

    ids, _, _ = walk(client, f"/api/cmocs/?review={world.review.slug}&page_size=4&cursor=")

    codes = CMOC.objects.in_bulk(ids)
    assert [codes[pk].code for pk in ids] == [f"CMOC {n}" for n in range(1, 13)]


def test_it_combines_the_cursor_with_filters_and_search(world, other, token_client, staff):
    make_sources(world.review, 30)
    make_sources(other.review, 10, prefix="o")
    source = SourceDocument.objects.filter(review=world.review, citation_key="s1").get()
    Excerpt.objects.bulk_create(
        Excerpt(source=source, key=f"k{n}", text=("leadership " if n % 2 else "") + f"note {n}")
        for n in range(17)
    )
    client = token_client(staff)

    ids, _, _ = walk(client, f"/api/sources/?review={world.review.slug}&year=2016"
                             "&page_size=3&cursor=")
    expected = [pk for pk in expected_source_ids(world.review)
                if SourceDocument.objects.get(pk=pk).year == 2016]
    assert ids == expected
    assert len(ids) > 3

    ids, _, _ = walk(client, f"/api/excerpts/?source={source.pk}&search=leadership"
                             "&page_size=2&cursor=")
    assert ids == list(Excerpt.objects.filter(source=source, text__contains="leadership")
                       .order_by("id").values_list("id", flat=True))
    assert len(ids) == 8


def test_it_hides_rows_of_reviews_the_user_cannot_read(world, other, token_client, viewer):
    make_sources(other.review, 7, prefix="o")

    ids, _, _ = walk(token_client(viewer), "/api/sources/?page_size=2&cursor=")

    assert ids == [world.source.pk]


@pytest.mark.parametrize("cursor", [
    "nonsense",
    "%00",
    base64.urlsafe_b64encode(b'{"o": "x", "d": "n", "v": [1]}').decode(),
])
def test_it_refuses_a_malformed_cursor_naming_the_field(world, token_client, viewer, cursor):
    response = token_client(viewer).get(f"/api/sources/?cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_it_refuses_a_tampered_cursor(world, token_client, viewer):
    make_sources(world.review, 6)
    client = token_client(viewer)
    next_url = client.get("/api/sources/?page_size=2&cursor=").json()["next"]
    token = next_url.split("cursor=")[1].split("&")[0]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    response = client.get(f"/api/sources/?page_size=2&cursor={tampered}")

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_it_refuses_one_lists_cursor_on_another(world, token_client, viewer):
    sources = SourceDocument.objects.filter(review=world.review).order_by("review_id", "authors",
                                                                         "year", "id")
    cursor = encode_cursor(ordering_keys(sources), [world.review.pk, "Pearson", 2018,
                                                    world.source.pk])
    client = token_client(viewer)
    assert client.get(f"/api/sources/?cursor={cursor}").status_code == 200

    response = client.get(f"/api/excerpts/?cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_it_starts_a_page_at_a_known_row(world, token_client, viewer):
    make_sources(world.review, 11)
    sources = SourceDocument.objects.filter(review=world.review).order_by("review_id", "authors",
                                                                         "year", "id")

    body = token_client(viewer).get(
        f"/api/sources/?review={world.review.slug}&page_size=4&cursor={cursor_at(sources, 8)}"
    ).json()

    assert [row["id"] for row in body["results"]] == expected_source_ids(world.review)[8:12]


def test_it_keeps_page_numbers_with_their_count(world, token_client, viewer):
    make_sources(world.review, 5)

    body = token_client(viewer).get("/api/sources/?page_size=2&page=2").json()

    assert body["count"] == 6
    assert len(body["results"]) == 2
    assert "cursor" not in (body["next"] or "") + (body["previous"] or "")


@pytest.mark.parametrize("path", ["sources", "excerpts", "cmocs", "evidence-links", "contexts",
                                  "theories", "reviews"])
def test_it_pages_by_cursor_in_the_same_queries_for_few_and_many(world, token_client, owner,
                                                                 path):
    client = token_client(owner)

    def queries_for_second_page():
        first = client.get(f"/api/{path}/?page_size=2&cursor=")
        assert first.status_code == 200, first.content
        with CaptureQueriesContext(connection) as captured:
            response = client.get(first.json()["next"] or f"/api/{path}/?page_size=2&cursor=")
        assert response.status_code == 200
        return len(captured)

    few = queries_for_second_page()
    make_sources(world.review, 40)
    for n in range(2, 40):
        excerpt = Excerpt.objects.create(source=world.source, key=f"x{n}", text=f"Finding {n}")
        cmoc = services.create_cmoc(review=world.review, user=owner, code=f"CMOC {n}",
                                    stage="refined", statement=f"S {n}", theory=world.theory,
                                    context=world.context)
        services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=owner, stance="supports")

    assert queries_for_second_page() == few


def keyset_walk(queryset, size, direction=FORWARD):
    """Walk a queryset page by page with the pagination's own keyset condition."""
    keys = ordering_keys(queryset)
    ordered = with_ordering_keys(queryset, keys)
    reverse = direction == BACKWARD
    ordered_pages = ordered.order_by(*(key.order_by(reverse) for key in keys))
    ids, values = [], None
    while True:
        page = ordered_pages
        if values is not None:
            page = page.filter(keyset_condition(keys, values, direction))
        rows = list(page[:size])
        if not rows:
            return ids
        ids.extend(row.pk for row in rows)
        values = row_key(keys, rows[-1])


@pytest.mark.parametrize("ordering, sort_key", [
    (("year", "id"), lambda r: (r.year is None, r.year or 0, r.pk)),
    (("-year", "id"), lambda r: (r.year is None, -(r.year or 0), r.pk)),
    (("-authors", "-year", "-id"), lambda r: (_desc(r.authors), r.year is None,
                                              -(r.year or 0), -r.pk)),
])
def test_it_keeps_nulls_last_for_leading_and_descending_keys(world, ordering, sort_key):
    make_sources(world.review, 17)
    sources = SourceDocument.objects.filter(review=world.review).order_by(*ordering)
    expected = [row.pk for row in sorted(sources, key=sort_key)]

    assert keyset_walk(sources, 3) == expected
    assert keyset_walk(sources, 4, BACKWARD) == expected[::-1]


def _desc(text):
    """A key sorting strings in descending order (the authors here are ASCII)."""
    return [-ord(char) for char in text] + [1]
