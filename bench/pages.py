"""Scenario 9: the review-wide screening pages at 100 and at 100,000 sources.

The flow, conflicts, agreement, the dashboard, the RAMESES report, the screening
overview and both screening queues must cost the same whatever the review's size
(issue 15). This builds two screened reviews of the same shape, one of
`SMALL` sources and one of `LARGE`, and times each page on both, with its
query count. The large review goes in through COPY on PostgreSQL (a few
seconds for 100,000 sources and their ~140,000 decisions); elsewhere through
executemany, which is fine for the small review.

The shape, by the source's number i (deterministic, so runs compare):
- 60% screened at title/abstract by two of three reviewers; 2% of all sources
  are conflicts (half of them resolved), 1% were revised (a superseded first
  decision), the rest agree: include when i % 10 == 0, else exclude;
- the sources included at title/abstract are screened at full text: included
  when i % 30 == 0, with a conflict when i % 70 == 0;
- the full-text inclusions are appraised on each criterion by one reviewer.
"""

import random
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import interleaved
from bench.synthetic import generate_synthetic_review
from evidence.models import (
    Appraisal,
    PrioritisationSettings,
    Ranking,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    SourceDocument,
)
from evidence.screening.states import refresh_states
from ichub.models import Membership, Review

SMALL, LARGE = 100, 100_000
TA, FT = "title_abstract", "full_text"


def _plan(i):
    """(title/abstract votes, full-text votes, resolution, inclusion) of source number i.

    Votes are (reviewer index, decision, first decision or None when not revised).
    """
    if i % 10 >= 6:
        return [], [], None, ("pending", "", "")
    pair = (0, 1) if i % 2 == 0 else (0, 2)
    first = "include" if i % 10 == 0 else "exclude"
    second = first
    if i % 50 == 1:
        second = "include"
    elif i % 50 == 2:
        first = second = "maybe"
    revised = "maybe" if i % 100 == 3 else None
    ta = [(pair[0], first, revised), (pair[1], second, None)]
    conflict = first != second or first == "maybe"
    resolution = None
    if conflict and i % 100 in (1, 2):
        resolution = (TA, "exclude")
    if conflict:
        settled = resolution[1] if resolution else None
    else:
        settled = first
    if settled == "exclude":
        return ta, [], resolution, ("excluded", TA, "Not about the question.")
    if settled != "include":
        return ta, [], resolution, ("pending", "", "")
    ft_first = "include" if i % 30 == 0 else "exclude"
    ft_second = "exclude" if i % 70 == 0 else ft_first
    ft = [(pair[0], ft_first, None), (pair[1], ft_second, None)]
    if ft_first != ft_second:
        return ta, ft, resolution, ("pending", "", "")
    if ft_first == "exclude":
        return ta, ft, resolution, ("excluded", FT, "Not about the question.")
    return ta, ft, resolution, ("included", "", "")


def _copy(table, columns, rows):
    """Write rows: COPY on PostgreSQL, executemany elsewhere."""
    rows = list(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # noqa: S608 (our names)
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows  # noqa: S608
            )


def _ids(queryset, key, value="pk"):
    return dict(queryset.values_list(key, value))


@transaction.atomic
def build_screened_review(n, slug, reviewers):
    """A small synthetic review (theories, CMOCs) plus n screened sources; returns it."""
    review, _ = generate_synthetic_review(scale=0.01, seed=1, slug=slug)
    for user in reviewers:
        Membership.objects.get_or_create(review=review, user=user,
                                         defaults={"role": Membership.Role.OWNER})
    ScreeningProtocol.objects.create(review=review, required_reviewers=2)
    now = datetime.now(UTC)
    plans = {i: _plan(i) for i in range(1, n + 1)}
    source_columns = [f.column for f in SourceDocument._meta.concrete_fields if not f.primary_key]
    # Columns the rows below do not name take the field's default (a version starts at 1).
    blank = {f.column: f.get_default() if f.has_default() else ""
             for f in SourceDocument._meta.concrete_fields}

    def source_row(i):
        status, stage, reason = plans[i][3]
        values = {**blank, "review_id": review.pk, "citation_key": f"rec{i:06d}",
                  "kind": "empirical_study", "authors": f"Author{i % 997}, A. and Other, B.",
                  "year": 1990 + i % 36, "title": f"Synthetic screening record {i}",
                  "abstract": f"Leadership and trust in integrated care, record {i}.",
                  "inclusion_status": status, "excluded_at_stage": stage,
                  "exclusion_reason": reason, "created_by_id": None,
                  "created_at": now, "updated_at": now}
        return [values[column] for column in source_columns]

    _copy(SourceDocument._meta.db_table, source_columns, (source_row(i) for i in plans))
    source_of = {
        int(key[3:]): pk
        for key, pk in _ids(SourceDocument.objects.filter(review=review,
                                                          citation_key__startswith="rec"),
                            "citation_key").items()
    }
    table = ScreeningDecision._meta.db_table
    columns = ["source_id", "stage", "reviewer_id", "decision", "exclusion_reason_id", "note",
               "is_current", "supersedes_id", "decided_at"]
    users = [user.pk for user in reviewers]
    roots = [
        [source_of[i], TA, users[who], revised, None, "", False, None, now]
        for i, (ta, _, _, _) in plans.items()
        for who, _, revised in ta
        if revised
    ]
    _copy(table, columns, roots)
    superseded = {
        (source, reviewer): pk
        for pk, source, reviewer in ScreeningDecision.objects.filter(
            source__review=review, is_current=False
        ).values_list("pk", "source_id", "reviewer_id")
    }
    current = [
        [source_of[i], stage, users[who], decision, None, "", True,
         superseded.get((source_of[i], users[who])) if stage == TA else None, now]
        for i, (ta, ft, _, _) in plans.items()
        for stage, votes in ((TA, ta), (FT, ft))
        for who, decision, _ in votes
    ]
    _copy(table, columns, current)
    _copy(
        ScreeningResolution._meta.db_table,
        ["source_id", "stage", "decision", "exclusion_reason_id", "note", "resolved_by_id",
         "resolved_at"],
        ([source_of[i], stage, decision, None, "Resolved by the third reviewer.", users[2], now]
         for i, (_, _, resolution, _) in plans.items() if resolution
         for stage, decision in [resolution]),
    )
    _copy(
        Appraisal._meta.db_table,
        ["source_id", "excerpt_id", "criterion", "judgement", "reviewer_id", "reviewer_label",
         "note", "created_at"],
        ([source_of[i], None, criterion, "meets", users[0], "", "", now]
         for i, plan in plans.items() if plan[3][0] == "included"
         for criterion in Appraisal.Criterion.values),
    )
    refresh_states(review=review)  # COPY bypasses the services, which keep the states
    return review


def _reviewers():
    return [get_user_model().objects.get_or_create(username=f"bench-screener-{n}")[0]
            for n in (1, 2, 3)]


def _review(n, reviewers):
    slug = f"bench-pages-{n}"
    review = Review.objects.filter(slug=slug).first()
    if review is None:
        print(f"  building the {n:,}-source screened review ...", flush=True)
        review = build_screened_review(n, slug, reviewers)
    return review


PAGES = {
    "flow_api": "/api/reviews/{slug}/flow/",
    "conflicts_api": "/api/reviews/{slug}/conflicts/?resolved=true",
    "agreement_api": "/api/reviews/{slug}/agreement/",
    "dashboard": "/reviews/{slug}/",
    "rameses_page": "/reviews/{slug}/reports/rameses/",
    "screening_overview": "/reviews/{slug}/screening/",
    "conflicts_page": "/reviews/{slug}/screening/conflicts/",
    "queue_title_abstract": "/reviews/{slug}/screening/title_abstract/",
    "queue_full_text": "/reviews/{slug}/screening/full_text/",
}
# Measured last: it turns prioritisation on, which changes the plain queue above.
RANKED_QUEUE = ("queue_title_abstract_ranked", "/reviews/{slug}/screening/title_abstract/")


def _rank(review, reviewer):
    """Prioritisation on, and a ready ranking of every source for `reviewer` (order seeded).

    The page is timed, not the model: the ranking is stored as a trained one
    would be (an order over all the review's sources, reasons for its top).
    """
    ids = list(SourceDocument.objects.filter(review=review).values_list("pk", flat=True))
    random.Random(9).shuffle(ids)
    PrioritisationSettings.objects.update_or_create(review=review, defaults={"enabled": True})
    Ranking.objects.create(
        review=review, reviewer=reviewer, status=Ranking.Status.READY, model="bench",
        order=ids, reasons={str(pk): [["leadership", 0.5]] for pk in ids[:200]},
        n_included=1, n_excluded=1, trained_at=datetime.now(UTC),
    )


def _page(client, url):
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def run(reps=10):
    """Each page's median time and query count at SMALL and LARGE sources, from one run."""
    reviewers = _reviewers()
    reviews = {n: _review(n, reviewers) for n in (SMALL, LARGE)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(reviewers[1])
    figures = {}
    pages = list(PAGES.items())
    for step, (name, pattern) in enumerate([*pages, RANKED_QUEUE]):
        if step == len(pages):
            for review in reviews.values():
                _rank(review, reviewers[1])
        urls = {n: pattern.format(slug=review.slug) for n, review in reviews.items()}
        queries = {}
        for n, url in urls.items():
            with CaptureQueriesContext(connection) as captured:
                _page(client, url)()
            queries[n] = len(captured)
        times = interleaved({n: _page(client, url) for n, url in urls.items()}, reps=reps,
                            warmup=1)
        small, large = times[SMALL]["median_ms"], times[LARGE]["median_ms"]
        figures[name] = {
            "median_ms": {f"{n}_sources": times[n]["median_ms"] for n in urls},
            "p95_ms": {f"{n}_sources": times[n]["p95_ms"] for n in urls},
            "queries": {f"{n}_sources": queries[n] for n in urls},
            "large_over_small": round(large / small, 2),
        }
        print(f"    {name}: {small} ms / {large} ms, queries {queries}", flush=True)
    counts = {
        n: {
            "sources": SourceDocument.objects.filter(review=review).count(),
            "decisions": ScreeningDecision.objects.filter(source__review=review).count(),
            "resolutions": ScreeningResolution.objects.filter(source__review=review).count(),
        }
        for n, review in reviews.items()
    }
    return {"target_ms": 300, "reviews": counts, "pages": figures}
