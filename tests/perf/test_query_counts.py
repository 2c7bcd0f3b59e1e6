"""Every read endpoint and page runs the same number of queries for a small and a 5x review.

Two synthetic reviews (the benchmark's generator, scales 0.02 and 0.1) are
read through the same URLs, as their owner; a count that grows with the data
is an N+1 somewhere. Counts only, never times.
"""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synthetic import vocabulary
from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from ichub.models import Membership

SEED = 7
# The synthetic text's most frequent word: every search finds rows at both sizes.
COMMON_WORD = vocabulary(random.Random(SEED))[0][0]

API = [
    "/api/reviews/",
    "/api/reviews/{slug}/",
    "/api/reviews/{slug}/flow/",
    "/api/reviews/{slug}/matrix/",
    "/api/reviews/{slug}/members/",
    "/api/theories/?review={slug}",
    "/api/theories/{theory}/",
    "/api/cmocs/?review={slug}&page_size=500",
    "/api/cmocs/?review={slug}&search={word}",
    "/api/cmocs/{cmoc}/",
    "/api/cmocs/{cmoc}/lineage/",
    "/api/contexts/?review={slug}",
    "/api/contexts/{context}/",
    "/api/mechanisms/?review={slug}",
    "/api/mechanisms/{mechanism}/",
    "/api/outcomes/?review={slug}",
    "/api/outcomes/{outcome}/",
    "/api/sources/?review={slug}&page_size=500",
    "/api/sources/?review={slug}&search={word}",
    "/api/sources/{source}/",
    "/api/excerpts/?review={slug}&page_size=500",
    "/api/excerpts/?review={slug}&search={word}",
    "/api/excerpts/{excerpt}/",
    "/api/evidence-links/?review={slug}&page_size=500",
    "/api/evidence-links/{link}/",
    "/api/screening-decisions/?review={slug}",
    "/api/appraisals/?review={slug}",
    "/api/reviews/{slug}/conflicts/",
    "/api/reviews/{slug}/agreement/",
]

PAGES = [
    "/",
    "/search/?q={word}",
    "/reviews/{slug}/",
    "/reviews/{slug}/flow.svg",
    "/reviews/{slug}/theories/{theory}/",
    "/reviews/{slug}/theories/{theory}/edit/",
    "/reviews/{slug}/matrix/",
    "/reviews/{slug}/matrix.csv",
    "/reviews/{slug}/cmocs/{cmoc}/",
    "/reviews/{slug}/cmocs/{cmoc}/lineage.svg",
    "/reviews/{slug}/cmocs/{cmoc}/edit/",
    "/reviews/{slug}/cmocs/{cmoc}/evidence/",
    "/reviews/{slug}/cmocs/{cmoc}/refine/",
    "/reviews/{slug}/cmocs/{cmoc}/split/",
    "/reviews/{slug}/cmocs/{cmoc}/drop/",
    "/reviews/{slug}/cmocs/new/",
    "/reviews/{slug}/cmocs/merge/",
    "/reviews/{slug}/sources/",
    "/reviews/{slug}/sources/{source}/",
    "/reviews/{slug}/sources/{source}/excerpts/new/",
    "/reviews/{slug}/sources/import/",
    "/reviews/{slug}/reports/rameses/",
    "/reviews/{slug}/screening/",
    "/reviews/{slug}/screening/conflicts/",
    "/reviews/{slug}/screening/appraisal/",
    "/reviews/{slug}/screening/appraisal/{source}/",
]


def ids(review):
    """The URL parameters for a review: its first theory and the first of each row kind."""
    theory = review.theories.order_by("pk").first()
    cmoc = CMOC.objects.filter(theory=theory).order_by("pk").first()
    source = SourceDocument.objects.filter(review=review).order_by("pk").first()
    return {
        "slug": review.slug,
        "word": COMMON_WORD,
        "theory": theory.pk,
        "cmoc": cmoc.pk,
        "context": Context.objects.filter(review=review).order_by("pk").first().pk,
        "mechanism": Mechanism.objects.filter(review=review).order_by("pk").first().pk,
        "outcome": Outcome.objects.filter(review=review).order_by("pk").first().pk,
        "source": source.pk,
        "excerpt": Excerpt.objects.filter(source=source).order_by("pk").first().pk,
        "link": EvidenceLink.objects.filter(cmoc=cmoc).order_by("pk").first().pk,
    }


@pytest.fixture
def two_sizes(make_synthetic, owner):
    small = make_synthetic(0.02, private_for={owner: Membership.Role.OWNER}, seed=SEED)
    big = make_synthetic(0.1, private_for={owner: Membership.Role.OWNER}, seed=SEED)
    assert big.cmocs.count() >= 4 * small.cmocs.count()
    return ids(small), ids(big)


def counts(client, template, sizes):
    found = []
    for params in sizes:
        url = template.format(**params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found.append(len(queries))
    return found


@pytest.mark.parametrize("template", API)
def test_it_reads_each_api_endpoint_in_the_same_queries_at_both_sizes(
    two_sizes, token_client, owner, template
):
    small, big = counts(token_client(owner), template, two_sizes)
    assert small == big, f"{template}: {small} queries for the small review, {big} for the big"


@pytest.mark.parametrize("template", PAGES)
def test_it_renders_each_page_in_the_same_queries_at_both_sizes(two_sizes, client, owner, template):
    client.force_login(owner)
    small, big = counts(client, template, two_sizes)
    assert small == big, f"{template}: {small} queries for the small review, {big} for the big"
