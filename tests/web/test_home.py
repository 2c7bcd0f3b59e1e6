import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ichub.models import Review
from tests.web.conftest import build_curated

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_reviews_a_user_may_see_with_counts(client, review, owner, outsider,
                                                               other_review):
    build_curated(review, owner)
    Review.objects.create(slug="open", title="An open review", visibility="public")

    anonymous = client.get("/")
    assert anonymous.status_code == 200
    assert b"An open review" in anonymous.content
    assert b"A private test review" not in anonymous.content

    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert "Someone else&#x27;s review" in page and "A private test review" not in page

    client.force_login(owner)
    page = client.get("/").content.decode()
    assert "A private test review" in page
    # Two created, one refined into a third: the superseded one is history, not counted.
    assert "<strong>2</strong> active CMOCs" in page
    assert "<strong>1</strong> theory<" in page  # not "1 theories"
    assert "<strong>2</strong> included sources" in page
    assert page.count("<h1") == 1


def test_it_runs_the_same_queries_however_many_reviews(client, owner):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(owner)
    Review.objects.create(slug="r0", title="R0", visibility="public")
    before = count()
    for i in range(1, 6):
        Review.objects.create(slug=f"r{i}", title=f"R{i}", visibility="public")
    assert count() == before


def test_it_serves_a_favicon_instead_of_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()
