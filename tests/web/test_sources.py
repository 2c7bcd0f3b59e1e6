import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from evidence.models import Excerpt, SourceDocument
from tests.web.conftest import READ_STATUS, ROLES, WRITE_STATUS, post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_sources_only_to_readers(client, curated, review, role, user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(f"/reviews/{review.slug}/sources/")
    assert response.status_code == READ_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert "Author0 and Other (2018)" in page and "Gone (2019)" in page
        assert 'for="id_kind"' in page and 'for="id_q"' in page


def test_it_filters_by_inclusion_year_kind_and_text(client, curated, review, owner):
    client.force_login(owner)
    url = f"/reviews/{review.slug}/sources/"
    excluded = client.get(url, {"inclusion": "excluded"}).content.decode()
    assert "Gone (2019)" in excluded and "Author0" not in excluded
    by_year = client.get(url, {"year": "2018"}).content.decode()
    assert "Author0" in by_year and "Gone (2019)" not in by_year
    by_text = client.get(url, {"q": "author1 integrated"}).content.decode()
    assert "Author1" in by_text and "Author0" not in by_text
    by_kind = client.get(url, {"kind": "policy_guidance"}).content.decode()
    assert "No sources match." in by_kind
    assert client.get(url, {"year": "not-a-year", "kind": "nonsense"}).status_code == 200


def test_it_answers_htmx_with_just_the_rows(client, curated, review, owner):
    client.force_login(owner)
    response = client.get(f"/reviews/{review.slug}/sources/", {"q": "Study"},
                          HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and "Author0" in page


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_source_with_excerpts_and_the_cmocs_they_inform(client, curated, review,
                                                                   role, user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    source = curated["sources"][0]
    response = client.get(f"/reviews/{review.slug}/sources/{source.pk}/")
    assert response.status_code == READ_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert source.title in page and "Partners shared budgets 0." in page
        for cmoc in curated["cmocs"]:
            assert f"/reviews/{review.slug}/cmocs/{cmoc.pk}/" in page
        assert ("Add an excerpt" in page) == (role in ("owner", "editor", "staff"))


def test_it_reads_a_source_page_in_the_same_queries_however_many_excerpts(client, curated,
                                                                           review, owner):
    client.force_login(owner)
    source = curated["sources"][0]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reviews/{review.slug}/sources/{source.pk}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        excerpt = Excerpt.objects.create(source=source, key=f"k{i}", text=f"t{i}")
        services.link_evidence(cmoc=curated["cmocs"][1], excerpt=excerpt, user=owner)
    assert count() == before


@pytest.mark.parametrize("role", ROLES)
def test_it_adds_an_excerpt_only_for_editors(client_for, curated, review, role, user_in_role):
    source = curated["sources"][0]
    url = f"/reviews/{review.slug}/sources/{source.pk}/excerpts/new/"
    client = client_for(user_in_role(role))
    assert client.get(url).status_code == WRITE_STATUS[role]
    response = post(client, url, {"text": "A new quote about trust", "kind": "quote",
                                  "page": "12", "section": "Findings"})
    excerpt = Excerpt.objects.filter(source=source, text="A new quote about trust").first()
    if role in ("owner", "editor", "staff"):
        assert response.status_code == 302
        assert response["Location"].endswith(f"#excerpt-{excerpt.pk}")
        assert excerpt.location == "p. 12, Findings" and excerpt.key.startswith("x-")
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert excerpt is None


def test_it_keeps_the_excerpt_form_filled_when_text_is_missing(client_for, curated, review,
                                                               owner):
    source = curated["sources"][0]
    response = post(client_for(owner), f"/reviews/{review.slug}/sources/{source.pk}/excerpts/new/",
                    {"text": "", "kind": "quote", "page": "99"})
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required." in page
    assert 'value="99"' in page
    assert not Excerpt.objects.filter(page="99").exists()


def test_it_is_404_for_a_source_of_another_review(client, curated, review, other_review, owner):
    theirs = SourceDocument.objects.create(review=other_review, citation_key="t2020", title="t")
    client.force_login(owner)
    assert client.get(f"/reviews/{review.slug}/sources/{theirs.pk}/").status_code == 404


def test_it_lists_sources_in_the_same_queries_however_many(client, curated, review, owner):
    client.force_login(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reviews/{review.slug}/sources/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        source = SourceDocument.objects.create(review=review, citation_key=f"more{i}",
                                               title=f"More {i}", authors=f"M{i}, A.")
        Excerpt.objects.create(source=source, key="k", text="t")
    assert count() == before


def test_it_pages_a_long_list_keeping_the_filters(client, review, owner, monkeypatch):
    from evidence import views

    monkeypatch.setattr(views, "SOURCES_PER_PAGE", 2)
    for n in range(5):
        SourceDocument.objects.create(review=review, citation_key=f"paged{n}", year=2020,
                                      authors=f"Paged{n}, A.", title=f"Paged study {n}")
    SourceDocument.objects.create(review=review, citation_key="other2021", year=2021,
                                  authors="Other, B.", title="Not on any page")
    client.force_login(owner)
    url = f"/reviews/{review.slug}/sources/"

    first = client.get(url, {"year": "2020"}).content.decode()
    last = client.get(url, {"year": "2020", "page": "3"}).content.decode()
    beyond = client.get(url, {"year": "2020", "page": "99"})

    assert "5 sources, 1–2 shown" in first and "Page 1 of 3" in first
    assert "Paged0" in first and "Paged2" not in first and "Not on any page" not in first
    assert "?year=2020&amp;page=2" in first
    assert "Paged4" in last and "Paged0" not in last and "Page 3 of 3" in last
    assert beyond.status_code == 200 and "Paged4" in beyond.content.decode()
