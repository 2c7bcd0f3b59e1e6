"""Staff edit sources in the admin without tearing them from their review's screening."""

import pytest
from django.contrib import admin
from django.urls import reverse

from evidence.admin import SourceDocumentAdmin
from evidence.models import SourceDocument
from ichub.models import Review

pytestmark = pytest.mark.django_db


def test_it_keeps_a_saved_source_in_its_review(client, staff, review, batch):
    client.force_login(staff)

    page = client.get(reverse("admin:evidence_sourcedocument_change", args=[batch[0].pk]))

    assert page.status_code == 200
    assert 'name="review"' not in page.content.decode()
    assert review.title in page.content.decode()


def test_it_lets_staff_choose_the_review_of_a_new_source(client, staff, review):
    client.force_login(staff)

    page = client.get(reverse("admin:evidence_sourcedocument_add"))

    assert page.status_code == 200
    assert 'name="review"' in page.content.decode()


def test_it_keeps_the_review_when_staff_revert_to_a_version_from_another_one(
    rf, staff, review, batch
):
    source = batch[0]
    elsewhere = Review.objects.create(slug="elsewhere", title="Elsewhere")
    source.review = elsewhere  # a move made before the field became read-only
    source.save()
    source.review = review
    source.title = "Moved back"
    source.save()
    before_the_move = source.history.order_by("history_date")[1].instance  # in `elsewhere`
    request = rf.post("/admin/")
    request.user = staff

    SourceDocumentAdmin(SourceDocument, admin.site).save_model(
        request, before_the_move, form=None, change=True)

    source.refresh_from_db()
    assert source.review == review
    assert source.title == before_the_move.title != "Moved back"
