"""Evidence linked between two private reviews: their members see it, nobody else does.

Issue 17 asks that every nested read be filtered to what the reader may see.
The first fix showed a cross-review link only when the other review was
public, so a link between two private reviews was hidden even from people
who belong to both. Now a link shows to a reader who may read both sides;
the theory's ETag includes the reader's memberships, so joining the other
review is never answered with a stale 304.
"""

import pytest
from django.test import Client

from cmocs import services
from ichub.models import Membership, Review
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db

SECRET = "Only the evaluation team read this passage"


@pytest.fixture
def theirs(review, owner):
    return build_review_rows(review, owner)


@pytest.fixture
def evaluation(review, editor):
    """A second private review testing `review`'s theories, owned by its editor."""
    second = Review.objects.create(slug="private-evaluation", title="Evaluation")
    Membership.objects.create(review=second, user=editor, role=Membership.Role.OWNER)
    second.tests_theories_of.add(review)
    rows = build_review_rows(second, editor, prefix="Eval ")
    rows.excerpt.text = SECRET
    rows.excerpt.save()
    return rows


@pytest.fixture
def link(theirs, evaluation, editor):
    return services.link_evidence(cmoc=theirs.cmoc, excerpt=evaluation.excerpt, user=editor)


def _reads(token_client, user, theirs, evaluation):
    api = token_client(user)
    browser = Client()
    browser.force_login(user)
    slug = theirs.review.slug
    return {
        "cmoc api": api.get(f"/api/cmocs/{theirs.cmoc.pk}/").content.decode(),
        "theory api": api.get(f"/api/theories/{theirs.theory.pk}/").content.decode(),
        "cmoc page": browser.get(f"/reviews/{slug}/cmocs/{theirs.cmoc.pk}/").content.decode(),
    }


def test_it_shows_the_link_to_a_member_of_both_reviews(theirs, evaluation, link, editor,
                                                        token_client):
    for where, text in _reads(token_client, editor, theirs, evaluation).items():
        assert SECRET in text, where
    source_page = Client()
    source_page.force_login(editor)
    page = source_page.get(
        f"/reviews/{evaluation.review.slug}/sources/{evaluation.source.pk}/"
    ).content.decode()
    assert theirs.cmoc.code in page  # the other direction: the CMOC it supports


def test_it_hides_the_link_from_a_member_of_one_review_only(theirs, evaluation, link, owner,
                                                            viewer, token_client):
    for user in (owner, viewer):  # members of the first review, strangers to the evaluation
        for where, text in _reads(token_client, user, theirs, evaluation).items():
            assert SECRET not in text, (user.username, where)


def test_it_shows_the_link_once_the_reader_joins_the_other_review(theirs, evaluation, link,
                                                                  owner, token_client):
    api = token_client(owner)
    url = f"/api/theories/{theirs.theory.pk}/"
    before = api.get(url)
    assert SECRET not in before.content.decode()

    Membership.objects.create(review=evaluation.review, user=owner,
                              role=Membership.Role.VIEWER)

    after = api.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert SECRET in after.content.decode()


def test_it_never_serves_a_member_of_both_reviews_kept_body_to_anyone_else(
    theirs, evaluation, link, editor, owner, staff, token_client
):
    url = f"/api/theories/{theirs.theory.pk}/"
    shown = token_client(editor).get(url)  # renders and keeps the body with the excerpt
    assert SECRET in shown.content.decode()

    hidden = token_client(owner).get(url)

    assert hidden.status_code == 200 and hidden["ETag"] != shown["ETag"]
    assert SECRET not in hidden.content.decode()
    assert SECRET in token_client(staff).get(url).content.decode()  # staff read every review
