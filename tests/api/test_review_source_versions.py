"""Reviews and sources over the API: ETag on reads, If-Match on edits, 412 when stale."""

import pytest

from evidence.models import SourceDocument
from ichub.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_source(world):
    return SourceDocument.objects.create(review=world.review, citation_key="a2020", title="Old")


@pytest.mark.parametrize("kind", ["review", "source"])
def test_it_refuses_a_stale_edit_with_412_and_keeps_the_first(
        world, token_client, owner, editor, old_source, kind):
    path, change, user = {
        "review": ("/api/reviews/test-review/", {"title": "Renamed"}, owner),
        "source": (f"/api/sources/{old_source.pk}/", {"title": "Renamed"}, editor),
    }[kind]
    client = token_client(user)
    read = client.get(path)
    etag = read["ETag"]
    assert etag == f'"{kind}-{read.json()["id"]}-v1"'
    first = client.patch(path, change, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"].endswith('-v2"')
    second = client.patch(path, {"title": "Overwritten"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412 and second.json()["current_version"] == 2
    missing = client.patch(path, {"title": "Overwritten"}, format="json")
    assert missing.status_code == 428
    model = Review if kind == "review" else SourceDocument
    record = model.objects.get(pk=read.json()["id"])
    assert (record.title, record.version) == ("Renamed", 2)
    assert [h.title for h in record.history.order_by("history_id")][-1] == "Renamed"


def test_a_refused_edit_leaves_nothing_half_written(world, token_client, editor, old_source):
    """A 400 after a good If-Match neither bumps the version nor writes a history row."""
    source = old_source
    client = token_client(editor)
    etag = client.get(f"/api/sources/{source.pk}/")["ETag"]
    bad = client.patch(f"/api/sources/{source.pk}/", {"year": "twenty"}, format="json",
                       HTTP_IF_MATCH=etag)
    assert bad.status_code == 400 and "year" in bad.json()
    source.refresh_from_db()
    assert source.version == 1 and source.history.count() == 1
