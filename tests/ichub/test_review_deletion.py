"""A whole review can be deleted; an element a CMOC still uses cannot be, on its own."""

import pytest
from django.db import transaction
from django.db.models import RestrictedError

from cmocs.models import CMOC, Context, Mechanism, Outcome
from evidence.models import ScreeningDecision, SourceDocument
from ichub.models import Review
from tests.conftest import ICS_SLUG, PASSWORD


def test_it_deletes_the_shipped_review_with_everything_in_it(shipped):
    review = Review.objects.get(slug=ICS_SLUG)
    assert CMOC.objects.filter(review=review).count() == 15
    review.delete()
    assert not Review.objects.filter(slug=ICS_SLUG).exists()
    assert not CMOC.objects.filter(review__slug=ICS_SLUG).exists()
    assert not Context.objects.filter(review__slug=ICS_SLUG).exists()
    assert not SourceDocument.objects.filter(review__slug=ICS_SLUG).exists()


def test_it_refuses_to_delete_an_element_a_cmoc_uses(shipped):
    context = CMOC.objects.get(review=shipped, stage="refined", code="CMOC 5").context
    with pytest.raises(RestrictedError), transaction.atomic():
        context.delete()
    assert Context.objects.filter(pk=context.pk).exists()
    assert Mechanism.objects.filter(review=shipped).count() == 12
    assert Outcome.objects.filter(review=shipped).count() == 6


def test_it_deletes_a_review_whose_screening_decisions_were_revised(review, editor):
    source = SourceDocument.objects.create(review=review, citation_key="s2020", title="S")
    first = ScreeningDecision.objects.create(
        source=source, stage="title_abstract", reviewer=editor, decision="maybe", is_current=False
    )
    ScreeningDecision.objects.create(
        source=source, stage="title_abstract", reviewer=editor, decision="include",
        supersedes=first,
    )
    review.delete()
    assert not ScreeningDecision.objects.exists()


def test_it_deletes_a_review_from_the_admin(client, staff, shipped):
    client.login(username=staff.username, password=PASSWORD)
    response = client.post(f"/admin/ichub/review/{shipped.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Review.objects.filter(slug=ICS_SLUG).exists()
