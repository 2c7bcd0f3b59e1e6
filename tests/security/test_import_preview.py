"""The browser's reference-import preview: bounded session storage and the time budget.

Issue 17 (Low): each preview kept the whole upload, base64, in the database
session under a key per review, without bound (30 MB after four previews).
"""

import io

import pytest

from evidence.models import SourceDocument
from ichub.models import Membership, Review
from tests.evidence.importers import samples

pytestmark = pytest.mark.django_db


def upload(data, name="pubmed.nbib"):
    file = io.BytesIO(data.encode())
    file.name = name
    return file


def preview(client, review, data=samples.NBIB):
    return client.post(
        f"/reviews/{review.slug}/sources/import/",
        {"file": upload(data), "kind": "empirical_study"},
    )


@pytest.fixture
def second_review(review, editor):
    second = Review.objects.create(slug="second-review", title="Second")
    Membership.objects.create(review=second, user=editor, role=Membership.Role.EDITOR)
    return second


def pending_previews(client):
    return [key for key in client.session.keys() if key.startswith("source-import")]


def test_it_keeps_one_pending_preview_per_session(review, second_review, editor, client):
    client.force_login(editor)

    for target in (review, second_review, review, second_review):
        assert preview(client, target).status_code == 200

    assert len(pending_previews(client)) == 1


def test_it_imports_only_into_the_review_that_was_previewed(review, second_review, editor,
                                                          client):
    client.force_login(editor)
    preview(client, review)

    confirmed = client.post(f"/reviews/{second_review.slug}/sources/import/", {"confirm": "1"})

    assert confirmed.status_code == 302
    assert not SourceDocument.objects.exists()
    assert pending_previews(client) == []  # a confirmation elsewhere drops the preview
    preview(client, review)
    client.post(f"/reviews/{review.slug}/sources/import/", {"confirm": "1"})
    assert SourceDocument.objects.filter(review=review).count() == 2


def test_it_refuses_a_preview_over_the_time_budget(review, editor, client, settings):
    settings.IMPORT_TIME_BUDGET_SECONDS = 0
    client.force_login(editor)

    response = preview(client, review)

    assert response.status_code == 400
    assert "split the file" in response.content.decode()
    assert pending_previews(client) == []
