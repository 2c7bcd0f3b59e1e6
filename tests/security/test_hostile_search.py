"""SQL-ish, NUL-byte and full-text-operator search strings: a 4xx or results, never a 500."""

import pytest

from cmocs.models import CMOC
from evidence.models import SourceDocument
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db

HOSTILE = [
    "' OR 1=1 --",
    "'; DROP TABLE cmocs_cmoc; --",
    '" OR ""="',
    "\x00",
    "vision\x00' OR 1=1",
    "%", "_", "\\", "%_\\%",
    "a & | ! : * ( ) <-> <2>",
    "!!!", "(", "')", ":*", "vision:*",
    "\u202e\ufeff\ud7ff",
    "union select password from auth_user",
    "x" * 5000,
]


@pytest.fixture
def world(review, owner):
    return build_review_rows(review, owner)


def assert_survived(world, response):
    assert response.status_code < 500, response.content[:500]
    assert response.status_code in (200, 400)
    assert CMOC.objects.filter(pk=world.cmoc.pk).exists()
    assert SourceDocument.objects.filter(pk=world.source.pk).exists()


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("endpoint", ["/api/cmocs/", "/api/sources/", "/api/excerpts/"])
def test_it_answers_hostile_api_search_with_results_or_a_4xx(
    world, viewer, token_client, endpoint, text
):
    response = token_client(viewer).get(endpoint, {"search": text})

    assert_survived(world, response)


@pytest.mark.parametrize("text", HOSTILE)
def test_it_answers_hostile_search_page_queries_with_a_page_or_a_4xx(world, viewer, client, text):
    client.force_login(viewer)

    response = client.get("/search/", {"q": text})

    assert_survived(world, response)


def test_it_still_finds_real_matches_so_the_hostile_cases_searched_for_real(
    world, viewer, token_client
):
    response = token_client(viewer).get("/api/cmocs/", {"search": "vision"})

    assert response.status_code == 200
    assert [c["code"] for c in response.json()["results"]] == ["CMOC 1"]


def test_it_does_not_treat_a_quote_as_sql(world, viewer, token_client):
    response = token_client(viewer).get("/api/cmocs/", {"search": "' OR '1'='1"})

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["results"] == []  # not every row, as an injection would give
