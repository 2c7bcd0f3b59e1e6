"""/api/sources/, /api/excerpts/, /api/evidence-links/ and the element lists: filters and writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from cmocs.models import Context, EvidenceLink, Mechanism
from evidence.models import Excerpt, SourceDocument

pytestmark = pytest.mark.django_db


def ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_it_filters_sources(world, other, token_client, staff):
    excluded = SourceDocument.objects.create(
        review=world.review, citation_key="nhs2019", kind="policy_guidance", year=2019,
        title="The NHS Long Term Plan", inclusion_status="excluded",
    )
    client = token_client(staff)
    assert ids(client, "/api/sources/?review=test-review") == [excluded.pk, world.source.pk]
    assert ids(client, "/api/sources/?review=test-review&included=true") == [world.source.pk]
    assert ids(client, "/api/sources/?review=test-review&included=false") == [excluded.pk]
    assert ids(client, "/api/sources/?kind=policy_guidance") == [excluded.pk]
    assert ids(client, "/api/sources/?year=2019") == [excluded.pk]
    assert ids(client, "/api/sources/?search=long term") == [excluded.pk]
    doi_ids = ids(client, "/api/sources/?doi=https://doi.org/10.1/ABC")
    assert doi_ids == [world.source.pk, other.source.pk]
    assert client.get("/api/sources/?year=twenty").status_code == 400
    assert client.get("/api/sources/?kind=blog").status_code == 400


def test_it_creates_a_source_normalising_its_doi(world, token_client, editor):
    response = token_client(editor).post(
        "/api/sources/",
        {"review": "test-review", "citation_key": "aunger2022b", "title": "Integration",
         "authors": "Aunger, J.", "year": 2022, "doi": "https://doi.org/10.5/XYZ"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    source = SourceDocument.objects.get(citation_key="aunger2022b")
    assert source.doi == "10.5/xyz" and source.created_by == editor


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"citation_key": "pearson2018", "title": "Again"}, "citation_key"),
        ({"citation_key": "dup2020", "title": "Same DOI", "doi": "10.1/ABC"},
         "non_field_errors"),
        ({"citation_key": "bad key!", "title": "T"}, "citation_key"),
        ({"citation_key": "y2020", "title": "T", "year": "recent"}, "year"),
        ({"citation_key": "y2020", "title": "T", "year": 10**9}, "year"),
        ({"citation_key": "y2020", "title": "T\x00"}, "title"),
        ({"citation_key": "y2020", "title": "T", "excluded_at_stage": "rigour"},
         "excluded_at_stage"),
        ({"citation_key": "y2020", "title": "T", "review": "no-such-review"}, "review"),
    ],
)
def test_it_refuses_bad_sources_naming_the_field(world, token_client, editor, payload, field):
    payload = {"review": "test-review", **payload}
    response = token_client(editor).post("/api/sources/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert SourceDocument.objects.count() == 1


def test_it_filters_and_creates_excerpts(world, other, token_client, staff, editor):
    client = token_client(staff)
    assert ids(client, f"/api/excerpts/?source={world.source.pk}") == [world.excerpt.pk]
    assert ids(client, "/api/excerpts/?review=other-review") == [other.excerpt.pk]
    assert ids(client, "/api/excerpts/?search=vision mattered&review=test-review") == [
        world.excerpt.pk
    ]
    response = token_client(editor).post(
        "/api/excerpts/", {"source": world.source.pk, "text": "Trust was built.", "page": "7"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    excerpt = Excerpt.objects.get(text="Trust was built.")
    assert excerpt.key and excerpt.created_by == editor and response.json()["location"] == "p. 7"


def test_it_refuses_to_move_an_excerpt_to_another_source(world, token_client, editor):
    second = SourceDocument.objects.create(review=world.review, citation_key="b2020", title="B")
    response = token_client(editor).patch(f"/api/excerpts/{world.excerpt.pk}/",
                                          {"source": second.pk}, format="json")
    assert response.status_code == 400 and "source" in response.json()
    world.excerpt.refresh_from_db()
    assert world.excerpt.source == world.source


def test_it_filters_evidence_links(world, token_client, viewer, owner):
    challenge = services.link_evidence(cmoc=world.cmoc, excerpt=world.excerpt, user=owner,
                                       element="outcome", stance="challenges")
    client = token_client(viewer)
    assert ids(client, f"/api/evidence-links/?cmoc={world.cmoc.pk}") == [world.link.pk,
                                                                         challenge.pk]
    assert ids(client, "/api/evidence-links/?stance=challenges") == [challenge.pk]
    assert ids(client, "/api/evidence-links/?element=whole") == [world.link.pk]
    assert ids(client, f"/api/evidence-links/?source={world.source.pk}&stance=supports") == [
        world.link.pk
    ]


def test_it_refuses_evidence_from_a_review_that_does_not_test_this_one(world, other,
                                                                       token_client, staff):
    response = token_client(staff).post(
        "/api/evidence-links/", {"cmoc": world.cmoc.pk, "excerpt": other.excerpt.pk},
        format="json",
    )
    assert response.status_code == 400 and "excerpt" in response.json()
    assert not EvidenceLink.objects.filter(excerpt=other.excerpt, cmoc=world.cmoc).exists()


def test_it_accepts_evidence_from_a_review_that_tests_this_one(world, other, token_client,
                                                               staff):
    other.review.tests_theories_of.add(world.review)
    response = token_client(staff).post(
        "/api/evidence-links/",
        {"cmoc": world.cmoc.pk, "excerpt": other.excerpt.pk, "stance": "refines"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    link = EvidenceLink.objects.get(excerpt=other.excerpt, cmoc=world.cmoc)
    assert link.stance == "refines" and link.created_by.username == "stella_staff"


def test_it_refuses_a_duplicate_evidence_link(world, token_client, editor):
    response = token_client(editor).post(
        "/api/evidence-links/", {"cmoc": world.cmoc.pk, "excerpt": world.excerpt.pk},
        format="json",
    )
    assert response.status_code == 400 and "element" in response.json()
    assert EvidenceLink.objects.count() == 1


def test_it_filters_and_writes_elements(world, other, token_client, staff, editor):
    client = token_client(staff)
    assert ids(client, "/api/mechanisms/?review=test-review&kind=reasoning") == [
        world.reasoning.pk
    ]
    assert ids(client, "/api/contexts/?review=other-review") == [other.context.pk]
    created = token_client(editor).post(
        "/api/mechanisms/", {"review": "test-review", "kind": "resource", "text": "Coaching"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    mechanism = Mechanism.objects.get(text="Coaching")
    assert mechanism.key and mechanism.created_by == editor
    duplicate = token_client(editor).post(
        "/api/contexts/", {"review": "test-review", "key": "c1", "text": "Again"}, format="json"
    )
    assert duplicate.status_code == 400 and "key" in duplicate.json()
    assert Context.objects.filter(review=world.review).count() == 1


def test_it_refuses_to_flip_a_used_mechanisms_kind(world, token_client, editor):
    response = token_client(editor).patch(f"/api/mechanisms/{world.resource.pk}/",
                                          {"kind": "reasoning"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    world.resource.refresh_from_db()
    assert world.resource.kind == "resource"


def test_it_answers_409_when_deleting_an_element_a_cmoc_uses(world, token_client, editor):
    response = token_client(editor).delete(f"/api/contexts/{world.context.pk}/")
    assert response.status_code == 409 and "CMOC" in response.json()["detail"]
    assert Context.objects.filter(pk=world.context.pk).exists()


def test_it_lists_evidence_rows_in_the_same_queries_for_few_and_many(world, token_client, staff):
    client = token_client(staff)
    paths = ["/api/sources/", "/api/excerpts/", "/api/evidence-links/", "/api/contexts/",
             "/api/mechanisms/", "/api/outcomes/", "/api/reviews/"]

    def counts():
        result = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"{path}?page_size=500").status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    for n in range(40):
        source = SourceDocument.objects.create(review=world.review, citation_key=f"s{n}",
                                               title=f"Study {n}")
        excerpt = Excerpt.objects.create(source=source, key="e1", text=f"Finding {n}")
        EvidenceLink.objects.create(cmoc=world.cmoc, excerpt=excerpt)
        Context.objects.create(review=world.review, key=f"c-{n}", text=f"Context {n}")
    assert counts() == few
