import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review

pytestmark = pytest.mark.django_db


def test_it_groups_results_by_type(client, curated, review, owner):
    client.force_login(owner)
    response = client.get("/search/", {"q": "collaboration"})
    page = response.content.decode()
    assert response.status_code == 200 and page.count("<h1") == 1
    assert "CMOCs (3)" in page  # matched through their context (the refined one reuses it)
    client_page = client.get("/search/", {"q": "shared budgets"}).content.decode()
    assert "Excerpts (2)" in client_page and "Author0 and Other (2018)" in client_page
    sources = client.get("/search/", {"q": "integrated care"}).content.decode()
    assert "Sources (2)" in sources


def test_it_never_shows_what_the_user_may_not_see(client, curated, review, outsider,
                                                  other_review):
    client.force_login(outsider)
    page = client.get("/search/", {"q": "collaboration"}).content.decode()
    assert "CMOCs (0)" in page and "CMOC 2" not in page
    client.logout()
    assert "CMOCs (0)" in client.get("/search/", {"q": "collaboration"}).content.decode()


def test_it_finds_public_reviews_for_anonymous_visitors(client, owner):
    public = Review.objects.create(slug="pub", title="Public", visibility="public")
    services.create_cmoc(review=public, user=owner, code="CMOC 1", statement="Open trust")
    source = SourceDocument.objects.create(review=public, citation_key="p2020", title="Trust")
    Excerpt.objects.create(source=source, key="k", text="trust is earned")
    page = client.get("/search/", {"q": "trust"}).content.decode()
    assert "CMOCs (1)" in page and "Excerpts (1)" in page and "Sources (1)" in page


def test_it_answers_htmx_with_just_the_results_and_survives_nul_bytes(client, curated, owner):
    client.force_login(owner)
    partial = client.get("/search/", {"q": "collaboration"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "CMOCs (3)" in partial.content.decode()
    assert client.get("/search/", {"q": "trust\x00"}).status_code == 200
    assert client.get("/search/").status_code == 200


def test_it_runs_the_same_queries_however_many_results(client, curated, review, owner):
    client.force_login(owner)
    source = curated["sources"][0]
    Excerpt.objects.create(source=source, key="first", text="trust at first")  # one of each
    SourceDocument.objects.create(review=review, citation_key="tr2019", title="Trust at first")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/search/", {"q": "trust"}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        cmoc = services.create_cmoc(review=review, user=owner, code=f"CMOC {60 + i}",
                                    statement=f"trust {i}")
        excerpt = Excerpt.objects.create(source=source, key=f"t{i}", text=f"trust grows {i}")
        services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=owner)
        SourceDocument.objects.create(review=review, citation_key=f"tr{i}", title=f"Trust {i}")
    assert count() == before
