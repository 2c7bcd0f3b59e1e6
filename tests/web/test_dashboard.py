import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from evidence.models import SourceDocument
from ichub.models import Review
from tests.web.conftest import READ_STATUS, ROLES, build_curated

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_dashboard_only_to_those_who_may_read(client, curated, review, role,
                                                           user_in_role, other_review):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(f"/reviews/{review.slug}/")
    assert response.status_code == READ_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert page.count("<h1") == 1
        assert review.question in page
        assert "Delivering" in page and f"/reviews/{review.slug}/theories/" in page
        assert "n = 5,716" in page and "n = 18" in page  # the flow, drawn inline
        assert "Excluded: 5,416" in page
        curate_link = f"/reviews/{review.slug}/cmocs/new/"
        assert (curate_link in page) == (role in ("owner", "editor", "staff"))
        import_link = f"/reviews/{review.slug}/sources/import/"
        assert (import_link in page) == (role in ("owner", "editor", "staff"))
        assert f"/reviews/{review.slug}/reports/rameses/" in page


def test_it_downloads_the_flow_as_a_standalone_svg(client, curated, review, viewer):
    client.force_login(viewer)
    response = client.get(f"/reviews/{review.slug}/flow.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in body
    assert "n = 5,716" in body and "Gone (2019): Not about ICSs" in body


def test_it_hides_the_flow_download_of_a_private_review(client, curated, review, outsider):
    client.force_login(outsider)
    assert client.get(f"/reviews/{review.slug}/flow.svg").status_code == 404
    client.logout()
    assert client.get(f"/reviews/{review.slug}/flow.svg").status_code == 404


def test_it_draws_hostile_text_in_the_flow_as_text(client, curated, review, owner):
    SourceDocument.objects.filter(citation_key="excluded2019").update(
        exclusion_reason='<script>alert("x")</script>'
    )
    client.force_login(owner)
    for url in (f"/reviews/{review.slug}/", f"/reviews/{review.slug}/flow.svg"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body


def test_it_runs_the_same_queries_however_big_the_review(client, review, owner):
    build_curated(review, owner, n_cmocs=2, n_sources=2)
    client.force_login(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reviews/{review.slug}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        services.create_cmoc(review=review, user=owner, code=f"CMOC {10 + i}",
                             statement="More", context=f"Another context {i}")
        SourceDocument.objects.create(
            review=review, citation_key=f"extra{i}", title="x", authors="Late, L.", year=2020,
            inclusion_status="excluded", excluded_at_stage="relevance", exclusion_reason="off",
        )
    assert count() == before


def test_it_links_related_reviews_but_never_names_a_private_one(client, review, owner,
                                                                 outsider, other_review):
    public = Review.objects.create(slug="tested", title="The tested review",
                                   visibility="public")
    other_review.tests_theories_of.add(public)  # private, owned by the outsider
    review.tests_theories_of.add(public)
    client.force_login(owner)
    page = client.get("/reviews/tested/").content.decode()
    assert "A private test review" in page and "Someone else" not in page
    client.force_login(outsider)
    page = client.get("/reviews/tested/").content.decode()
    assert "Someone else" in page and "A private test review" not in page
    tester_page = client.get("/reviews/other-review/").content.decode()
    # "Bears on", not "tests": the shipped 2025 case study is no test of the 2024 theories.
    assert "Its evidence bears on the programme theories of" in tester_page
    assert "Tests the programme theories" not in tester_page
