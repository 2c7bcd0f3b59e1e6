"""Every write path of issue 14 refuses viewers (403) and hides private reviews (404)."""

import pytest
from django.urls import reverse

from evidence.models import Excerpt, FullText, ImportedCode

from .conftest import upload


def _web_writes(source):
    slug, pk = source.review.slug, source.pk
    return [
        reverse("evidence:fulltext_upload", args=[slug, pk]),
        reverse("evidence:fulltext_excerpt", args=[slug, pk]),
        reverse("evidence:restate", args=[slug]),
        reverse("sources_import:qda", args=[slug]),
        reverse("sources_import:qda_codes", args=[slug]),
    ]


def _api_writes(source, pdf):
    return [(f"/api/sources/{source.pk}/full-text/", {"file": upload("s.pdf", pdf)}, "multipart"),
            (f"/api/sources/{source.pk}/full-text/excerpts/",
             {"start": 0, "end": 5, "exact": "Leade"}, "json"),
            (f"/api/reviews/{source.review.slug}/qda-import/", {"file": upload("p.qdpx", b"PK")},
             "multipart")]


@pytest.mark.parametrize("who, status", [("viewer", 403), ("outsider", 404)])
def test_browser_writes_refuse_readers_and_strangers(client, attached, who, status, request):
    ImportedCode.objects.create(review=attached.source.review, guid="g", name="Trust")
    client.force_login(request.getfixturevalue(who))
    for url in _web_writes(attached.source):
        assert client.post(url, {"exact": "pooled", "page": 2, "code-1": "context"}).status_code \
            == status, url
    assert not Excerpt.objects.exists()
    assert ImportedCode.objects.get().mapping == ""


# A private review does not exist for those outside it, signed in or not.
@pytest.mark.parametrize("who, status", [("viewer", 403), ("outsider", 404), (None, 404)])
def test_api_writes_refuse_readers_strangers_and_anonymous(token_client, attached, who, status,
                                                           request, study_pdf):
    api = token_client(request.getfixturevalue(who) if who else None)
    for url, data, form in _api_writes(attached.source, study_pdf):
        assert api.post(url, data, format=form).status_code == status, url
    assert FullText.objects.get().sha256 == attached.sha256 and not Excerpt.objects.exists()
