"""Staff edit sources in the admin without tearing them from their review's screening."""

import pytest
from django.urls import reverse

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
