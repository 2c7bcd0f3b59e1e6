"""Review slugs are unique whatever their case (issue 17, Low).

`PRIV` and `priv` could coexist, so a slug conflict on create or restore said
more than it needed to, and two reviews could be confused in every link.
SECURITY.md says what a slug conflict still reveals: that some review holds it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from ichub.models import Review
from reports.transfer import export_review_text

pytestmark = pytest.mark.django_db


def test_it_refuses_a_slug_that_differs_only_in_case_on_create(review, outsider,
                                                               token_client):
    response = token_client(outsider).post(
        "/api/reviews/", {"slug": "TEST-Review", "title": "Look-alike"}, format="json")

    assert response.status_code == 400
    assert "already" in response.json()["slug"][0]
    assert Review.objects.filter(slug__iexact="test-review").count() == 1


def test_it_refuses_a_slug_that_differs_only_in_case_on_restore(review, owner, token_client):
    text = export_review_text(review).replace('"test-review"', '"Test-REVIEW"')

    response = token_client(owner).post(
        "/api/reviews/import/", {"file": SimpleUploadedFile("r.json", text.encode())},
        format="multipart",
    )

    assert response.status_code == 409
    assert Review.objects.filter(slug__iexact="test-review").count() == 1


def test_the_database_holds_the_rule(review):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(slug="TEST-REVIEW", title="Look-alike")
