"""The review-wide screening pages run the same queries for 60 sources as for 400 (issue 15).

Two reviews of the benchmark's screened shape (bench/pages.py: decisions by
two of three reviewers, conflicts, resolutions, revisions, full-text
screening and appraisal) are read through the same URLs by the same
reviewer; a count that grows with the review is work per source. Counts
only, never times: the times are scenario 9 of `make bench`.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.pages import PAGES, build_screened_review
from evidence.models import ScreeningStage, SourceDocument
from evidence.screening import tallies
from evidence.screening.queue import review_conflicts
from evidence.screening.states import restate_review
from tests.perf.conftest import analyze_on_postgresql

SMALL, LARGE = 60, 400


@pytest.fixture
def reviewers(db):
    return [get_user_model().objects.create_user(f"screener{n}") for n in (1, 2, 3)]


@pytest.fixture
def screened(reviewers):
    reviews = {n: build_screened_review(n, f"screened-{n}", reviewers) for n in (SMALL, LARGE)}
    analyze_on_postgresql()  # planner statistics that count the test's rows (see there)
    return reviews


def test_it_reads_each_review_wide_page_in_queries_that_do_not_grow(
    screened, reviewers, client
):
    """One test for all pages: the two reviews are built once (CI stays lean)."""
    client.force_login(reviewers[1])
    counts = {}
    for page, pattern in PAGES.items():
        for n, review in screened.items():
            url = pattern.format(slug=review.slug)
            assert client.get(url).status_code == 200  # sessions and caches warm alike
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            counts.setdefault(page, {})[n] = len(queries)
    grown = {page: by_size for page, by_size in counts.items() if by_size[SMALL] != by_size[LARGE]}
    assert grown == {}


def _python_states(review, required):
    """The per-source rule (ScreeningStatus), counted the way stage_states counts."""
    counts = {}
    sources = SourceDocument.objects.filter(review=review).prefetch_related(
        "screening_decisions", "screening_resolutions")
    for source in sources:
        for stage in ScreeningStage.values:
            status = source.screening_status(stage, required)
            if not status.decisions and status.resolution is None:
                continue
            state = status.decision if status.is_final else status.state
            counts[stage, state] = counts.get((stage, state), 0) + 1
    return counts


def test_it_settles_sources_in_sql_exactly_as_the_per_source_rule_does(screened):
    review = screened[LARGE]
    for required in (1, 3, 2):
        restate_review(review=review, required=required)
        assert tallies.stage_states(review) == _python_states(review, required)


def test_it_pages_conflicts_and_counts_them_over_all_pages(screened):
    review = screened[LARGE]
    everything = review_conflicts(review, include_resolved=True)
    first = review_conflicts(review, include_resolved=True, limit=7)
    second = review_conflicts(review, include_resolved=True, limit=7, offset=7)
    assert first.total == second.total == len(everything) > 14
    assert [(s.source.pk, s.stage) for s in first + second] == [
        (s.source.pk, s.stage) for s in everything[:14]
    ]
    assert {s.state for s in everything} == {"conflict", "resolved"}


def test_it_counts_a_resolution_whose_votes_were_all_undone(review, batch, owner, editor, editor2):
    from evidence.screening.services import record_decision, resolve_conflict, undo_last_decision

    record_decision(user=editor, source=batch[0], stage="title_abstract", decision="include")
    record_decision(user=editor2, source=batch[0], stage="title_abstract", decision="exclude")
    resolve_conflict(user=owner, source=batch[0], stage="title_abstract", decision="include",
                     note="Both halves of the question.")
    undo_last_decision(user=editor, review=review, stage="title_abstract")
    undo_last_decision(user=editor2, review=review, stage="title_abstract")
    expected = {("title_abstract", "include"): 1}
    assert _python_states(review, 2) == expected
    assert tallies.stage_states(review) == expected


def test_it_pages_the_conflicts_api_and_refuses_a_bad_page_size(screened, reviewers, client):
    client.force_login(reviewers[1])
    url = f"/api/reviews/{screened[LARGE].slug}/conflicts/?resolved=true"
    body = client.get(f"{url}&limit=5").json()
    assert body["count"] == review_conflicts(screened[LARGE], include_resolved=True).total
    assert len(body["conflicts"]) == 5 and "offset=5" in body["next"]
    last = client.get(f"{url}&limit=5&offset={body['count'] - 1}").json()
    assert len(last["conflicts"]) == 1 and last["next"] is None
    for bad in ("0", "501", "abc", "-1"):
        response = client.get(f"{url}&limit={bad}")
        assert response.status_code == 400 and "limit" in response.json()
    page = f"/reviews/{screened[LARGE].slug}/screening/conflicts/"
    assert client.get(f"{page}?page=2").status_code == 200
    assert client.get(f"{page}?page=x").status_code == 404
