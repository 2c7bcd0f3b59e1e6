"""JSON bodies built to crash a worker: deep nesting, 1e400, huge and fractional ids.

Issue 17: a body nested ~1,000 deep (even to the anonymous token endpoint),
`1e400` as an id and ids of 2**63 or more in filters answered 500; `1.5` as an
id was read as 1; a whole-review export nested 100,000 deep killed the worker.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cmocs.models import CMOC
from ichub.models import Review
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review, owner):
    return build_review_rows(review, owner)


def deep(levels):
    return "[" * levels + "]" * levels


def post_json(client, url, text):
    return client.generic("POST", url, text, content_type="application/json")


def test_it_refuses_a_deeply_nested_body_with_400(review, editor, token_client):
    body = f'{{"review": "{review.slug}", "code": "C1", "statement": {deep(5000)}}}'

    response = post_json(token_client(editor), "/api/cmocs/", body)

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_it_refuses_a_deeply_nested_body_to_the_anonymous_token_endpoint(token_client):
    response = post_json(token_client(None), "/api/auth/token/", deep(5000))

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_it_refuses_numbers_out_of_range_as_the_body_is_read(world, editor, token_client):
    body = '{"review": "test-review", "code": "C9", "statement": "s", "theory": 1e400}'

    response = post_json(token_client(editor), "/api/cmocs/", body)

    assert response.status_code == 400
    assert not CMOC.objects.filter(code="C9").exists()


@pytest.mark.parametrize("theory", ["1.5", "true", '"1.0"', str(2**63), str(2**64), "-1"])
def test_it_refuses_ids_that_are_not_integers_in_range(world, editor, token_client, theory):
    body = f'{{"review": "test-review", "code": "C9", "statement": "s", "theory": {theory}}}'

    response = post_json(token_client(editor), "/api/cmocs/", body)

    assert response.status_code == 400, response.content
    assert "theory" in response.json()
    assert not CMOC.objects.filter(code="C9").exists()


def test_it_accepts_an_id_as_a_digit_string(world, editor, token_client):
    body = {"review": "test-review", "code": "C9", "statement": "s",
            "theory": str(world.theory.pk)}

    response = token_client(editor).post("/api/cmocs/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["theory"] == world.theory.pk


@pytest.mark.parametrize(
    "url",
    ["/api/cmocs/?theory={}", "/api/cmocs/?source={}", "/api/evidence-links/?cmoc={}",
     "/api/theories/?theme={}", "/api/excerpts/?source={}", "/api/evidence-links/?source={}"],
)
@pytest.mark.parametrize("value", [2**63, 2**64, -(2**63) - 1])
def test_it_answers_ids_out_of_range_in_filters_with_400(world, token_client, editor, url,
                                                         value):
    response = token_client(editor).get(url.format(value))

    assert response.status_code == 400, response.content


def export_nested(levels):
    return ('{"format": "ichub-review", "version": 1, "review": {"slug": "deep", "notes": '
            + deep(levels) + "}}").encode()


@pytest.mark.parametrize("levels", [64, 100_000])
def test_it_refuses_a_review_export_nested_deeper_than_the_format(owner, token_client,
                                                                 levels):
    upload = SimpleUploadedFile("deep.json", export_nested(levels))

    response = token_client(owner).post("/api/reviews/import/", {"file": upload},
                                        format="multipart")

    assert response.status_code == 400
    assert "nested" in response.json()["file"][0]
    assert not Review.objects.filter(slug="deep").exists()


def test_it_still_reads_an_export_within_the_depth_the_format_needs(owner, shipped):
    from reports.transfer import export_review_text, import_review, parse_document

    text = export_review_text(shipped).replace(shipped.slug, "restored-copy")

    report = import_review(document=parse_document(text.encode()), user=owner)

    assert report.review.slug == "restored-copy"
    assert json.loads(text)["review"]["slug"] == "restored-copy"
