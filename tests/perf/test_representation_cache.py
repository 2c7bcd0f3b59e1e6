"""The theory detail's rendered JSON is reused while its content ETag stands, and only then."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from programme_theories.models import Framework, Theme
from tests.perf.test_conditional_get import BODY_COLUMNS


def url(theory):
    return f"/api/theories/{theory.pk}/"


def test_it_serves_the_second_reader_the_kept_body_without_reading_the_cmocs(
    theory, token_client, viewer, editor
):
    first = token_client(viewer).get(url(theory))
    with CaptureQueriesContext(connection) as queries:
        second = token_client(editor).get(url(theory))

    assert second.status_code == 200 and second["ETag"] == first["ETag"]
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    assert second.json()["cmocs"] and second.json()["id"] == theory.pk
    assert not any(column in q["sql"] for q in queries.captured_queries
                   for column in BODY_COLUMNS)


def test_it_builds_a_new_body_when_a_shown_but_unversioned_name_changes(
    theory, token_client, viewer
):
    framework = Framework.objects.create(review=theory.review, name="Doing things differently")
    theme = Theme.objects.create(framework=framework, name="Shared purpose")
    theory.theme = theme
    theory.save()
    client = token_client(viewer)
    before = client.get(url(theory))

    Theme.objects.filter(pk=theme.pk).update(name="Renamed theme")
    after = client.get(url(theory))

    assert after["ETag"] != before["ETag"]
    assert after.json()["theme_name"] == "Renamed theme"


def test_it_never_serves_the_kept_body_to_someone_who_cannot_see_the_theory(
    theory, token_client, viewer, outsider
):
    assert token_client(viewer).get(url(theory)).status_code == 200

    response = token_client(outsider).get(url(theory))

    assert response.status_code == 404 and b"cmocs" not in response.content


def test_it_builds_the_browsable_api_page_rather_than_serving_kept_json(
    theory, token_client, viewer
):
    client = token_client(viewer)
    client.get(url(theory))

    page = client.get(url(theory), HTTP_ACCEPT="text/html")

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert theory.name.encode() in page.content


def test_it_keeps_nothing_when_switched_off(theory, token_client, viewer, settings):
    from django.core.cache import caches

    settings.CACHE_REPRESENTATIONS = False
    etag = token_client(viewer).get(url(theory))["ETag"]

    assert caches["representations"].get(etag) is None


def test_it_sends_the_kept_body_gzipped_to_clients_that_accept_it(theory, token_client, viewer):
    import gzip

    client = token_client(viewer)
    plain = client.get(url(theory))

    zipped = client.get(url(theory), HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3
    assert zipped["ETag"] == f"W/{plain['ETag']}"
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    revalidated = client.get(url(theory), HTTP_ACCEPT_ENCODING="gzip",
                             HTTP_IF_NONE_MATCH=zipped["ETag"])
    assert revalidated.status_code == 304
