"""If-Match follows RFC 9110's comparison rules (issue 17, Low).

`If-Match: *` and lists of ETags were refused with 412 even when they held
the current one. Per RFC 9110 13.1.1, `*` matches any current representation,
a list matches if any member does, and the comparison is strong: a weak ETag
(W/"...") never satisfies If-Match.
"""

import pytest

from cmocs.models import CMOC
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review, owner):
    return build_review_rows(review, owner)


def patch_cmoc(client, cmoc, if_match, statement="Edited"):
    return client.patch(f"/api/cmocs/{cmoc.pk}/", {"statement": statement}, format="json",
                        HTTP_IF_MATCH=if_match)


@pytest.mark.parametrize("header", [
    "*",
    '"cmoc-{pk}-v{v}"',
    '"cmoc-{pk}-v{stale}", "cmoc-{pk}-v{v}"',
    '"theory-1-v1", "cmoc-{pk}-v{v}"',
])
def test_it_accepts_if_match_that_holds_the_current_etag(world, editor, token_client, header):
    cmoc = world.cmoc
    header = header.format(pk=cmoc.pk, v=cmoc.version, stale=cmoc.version + 7)

    response = patch_cmoc(token_client(editor), cmoc, header)

    assert response.status_code == 200, (header, response.content)
    assert CMOC.objects.get(pk=cmoc.pk).statement == "Edited"


@pytest.mark.parametrize("header", [
    'W/"cmoc-{pk}-v{v}"',
    '"cmoc-{pk}-v{stale}"',
    '"cmoc-{pk}-v{stale}", W/"cmoc-{pk}-v{v}"',
    '"cmoc-{other}-v{v}"',
])
def test_it_refuses_if_match_without_a_strong_current_etag(world, editor, token_client, header):
    cmoc = world.cmoc
    header = header.format(pk=cmoc.pk, v=cmoc.version, stale=cmoc.version + 7,
                           other=cmoc.pk + 1000)

    response = patch_cmoc(token_client(editor), cmoc, header)

    assert response.status_code == 412, (header, response.content)
    assert CMOC.objects.get(pk=cmoc.pk).statement != "Edited"


def test_it_accepts_a_star_for_a_theory_edit_and_delete(world, editor, token_client):
    client = token_client(editor)
    url = f"/api/theories/{world.theory.pk}/"

    assert client.patch(url, {"notes": "n"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    world.cmoc.delete()
    assert client.delete(url, HTTP_IF_MATCH="*").status_code == 204
