"""A private review's content shown through a public one (issue 17, Medium).

An editor of a public review who could also see a private review that tests
its theories linked a private excerpt to a public CMOC; anonymous readers then
saw the excerpt's text and source in the CMOC and theory API, the CMOC page,
the evidence matrix, the export and downloads. The other direction showed the
private review's slug, CMOC codes and link notes through the public review.
Such links are now refused, and any that exist (made before, or left behind
when a review turned private) are hidden from every nested read of the other
review: a cross-review link shows in a review's reads only when the review on
its other side is public.
"""

import pytest
from django.test import Client

from cmocs import services
from cmocs.models import EvidenceLink
from ichub.models import Membership, Review
from reports.downloads import DOWNLOADS
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Private informant said the budget was cut"
SECRET_NOTE = "confidential link note"


@pytest.fixture
def public(owner, editor):
    review = Review.objects.create(slug="public-review", title="Public",
                                   visibility=Review.Visibility.PUBLIC)
    Membership.objects.create(review=review, user=owner, role=Membership.Role.OWNER)
    Membership.objects.create(review=review, user=editor, role=Membership.Role.EDITOR)
    return build_review_rows(review, owner)


@pytest.fixture
def private(public, editor):
    """A private evaluation testing the public review's theories; the editor is its owner."""
    review = Review.objects.create(slug="secret-evaluation", title="Secret")
    Membership.objects.create(review=review, user=editor, role=Membership.Role.OWNER)
    review.tests_theories_of.add(public.review)
    rows = build_review_rows(review, editor, prefix="Secret ")
    rows.excerpt.text = SECRET_TEXT
    rows.excerpt.save()
    rows.source.authors, rows.source.citation_key = "Secretive, S.", "secretive2018"
    rows.source.save()
    rows.cmoc.code = "SECRET-CMOC"
    rows.cmoc.save()
    return rows


@pytest.fixture
def leaked(public, private, editor):
    """Links made before the fix (or before the evaluation turned private): both directions."""
    public.review.tests_theories_of.add(private.review)
    inward = EvidenceLink.objects.create(cmoc=public.cmoc, excerpt=private.excerpt,
                                         note=SECRET_NOTE, created_by=editor)
    outward = EvidenceLink.objects.create(cmoc=private.cmoc, excerpt=public.excerpt,
                                          note=SECRET_NOTE, created_by=editor)
    return inward, outward


def test_it_refuses_to_link_a_private_excerpt_to_a_public_cmoc(public, private, editor,
                                                               token_client):
    response = token_client(editor).post(
        "/api/evidence-links/",
        {"cmoc": public.cmoc.pk, "excerpt": private.excerpt.pk, "stance": "supports"},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "private" in response.json()["excerpt"][0]
    assert not EvidenceLink.objects.filter(excerpt=private.excerpt, cmoc=public.cmoc).exists()


def test_it_refuses_the_link_in_the_browser_and_the_service_too(public, private, editor):
    with pytest.raises(Exception) as refusal:
        services.link_evidence(cmoc=public.cmoc, excerpt=private.excerpt, user=editor)

    assert "private" in str(refusal.value)


def test_it_still_links_a_public_excerpt_to_a_private_testing_review(public, private, editor,
                                                                     token_client):
    response = token_client(editor).post(
        "/api/evidence-links/",
        {"cmoc": private.cmoc.pk, "excerpt": public.excerpt.pk, "stance": "supports"},
        format="json",
    )

    assert response.status_code == 400  # the public review does not test the private one
    private.review.tested_by.add(public.review)
    response = token_client(editor).post(
        "/api/evidence-links/",
        {"cmoc": private.cmoc.pk, "excerpt": public.excerpt.pk, "stance": "supports"},
        format="json",
    )
    assert response.status_code == 201, response.content


def api_reads(public):
    slug = public.review.slug
    return [
        f"/api/cmocs/{public.cmoc.pk}/",
        f"/api/cmocs/?review={slug}",
        f"/api/theories/{public.theory.pk}/",
        f"/api/evidence-links/?review={slug}",
        f"/api/reviews/{slug}/",
        f"/api/reviews/{slug}/matrix/",
        f"/api/reviews/{slug}/export/",
        f"/api/sources/{public.source.pk}/",
    ]


def page_reads(public):
    slug = public.review.slug
    return [
        f"/reviews/{slug}/",
        f"/reviews/{slug}/cmocs/{public.cmoc.pk}/",
        f"/reviews/{slug}/sources/{public.source.pk}/",
        f"/reviews/{slug}/matrix/",
        f"/reviews/{slug}/matrix.csv",
        f"/reviews/{slug}/reports/export.json",
        f"/reviews/{slug}/reports/rameses/",
        "/search/?q=vision",
        "/search/?q=mattered",
    ]


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("reader", ["anonymous", "viewer"])
def test_it_shows_readers_of_the_public_review_nothing_of_the_private_one(
    public, private, leaked, token_client, reader, request
):
    user = None if reader == "anonymous" else request.getfixturevalue("viewer")
    api = token_client(user)
    browser = Client()
    if user is not None:
        browser.force_login(user)
    shown = {}
    for url in api_reads(public):
        response = api.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, url
        shown[url] = body(response)
    for url in page_reads(public):
        response = browser.get(url)
        assert response.status_code == 200, url
        shown[url] = body(response)
    for name, download in DOWNLOADS.items():
        data = download.build(public.review)
        shown[name] = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)

    for where, text in shown.items():
        for secret in (SECRET_TEXT, SECRET_NOTE, "secret-evaluation", "SECRET-CMOC",
                       "Secret Delivering", "Secretive", "secretive2018"):
            assert secret not in text, f"{secret!r} shown at {where}"


def test_its_own_members_still_see_the_links_from_the_private_side(public, private, leaked,
                                                                   editor, token_client):
    """In the private review's reads the public side is fine to show."""
    response = token_client(editor).get(f"/api/cmocs/{private.cmoc.pk}/")

    excerpts = [e["excerpt"]["id"] for e in response.json()["evidence"]]
    assert public.excerpt.pk in excerpts


def test_it_stops_showing_an_excerpt_once_its_review_turns_private(public, private, editor,
                                                                   token_client):
    private.review.visibility = Review.Visibility.PUBLIC
    private.review.save()
    services.link_evidence(cmoc=public.cmoc, excerpt=private.excerpt, user=editor)
    anonymous = token_client(None)
    url = f"/api/theories/{public.theory.pk}/"
    assert SECRET_TEXT in anonymous.get(url).content.decode()  # public then: shown, and kept

    private.review.visibility = Review.Visibility.PRIVATE
    private.review.save()

    assert SECRET_TEXT not in anonymous.get(url).content.decode()
