"""Two people edit the same record in the browser: the second save is refused (409), not lost.

Review settings, operational definitions, frameworks, themes and sources.
"""

import re

import pytest
from django.test import Client

from evidence.models import SourceDocument
from ichub.models import OperationalDefinition
from programme_theories.models import Framework, Theme

pytestmark = pytest.mark.django_db
SLUG = "/reviews/test-review"


def _records(review):
    framework = Framework.objects.create(review=review, name="Doing Things Differently")
    theme = Theme.objects.create(framework=framework, name="Being")
    definition = OperationalDefinition.objects.create(review=review, element="context",
                                                      text="Where.")
    source = SourceDocument.objects.create(review=review, citation_key="a2020", title="Old",
                                           kind="other")
    return {
        "settings": (review, f"{SLUG}/settings/", "title",
                     {"method": "realist_review", "visibility": "private"}),
        "definition": (definition, f"{SLUG}/definitions/{definition.pk}/edit/", "text",
                       {"element": "context"}),
        "framework": (framework, f"{SLUG}/frameworks/{framework.pk}/edit/", "name",
                      {"kind": "organising"}),
        "theme": (theme, f"{SLUG}/frameworks/themes/{theme.pk}/edit/", "name", {}),
        "source": (source, f"{SLUG}/sources/{source.pk}/edit/", "title",
                   {"kind": "other", "citation_key": "a2020"}),
    }


def _version_on(page):
    return re.search(r'name="version" value="(\d+)"', page.content.decode())[1]


@pytest.mark.parametrize("kind", ["settings", "definition", "framework", "theme", "source"])
def test_the_second_of_two_edits_is_refused_and_keeps_its_typing(review, owner, editor, kind):
    record, url, field, rest = _records(review)[kind]
    first, second = Client(), Client()
    first.force_login(owner)
    second.force_login(editor if kind != "settings" else owner)
    opened = _version_on(first.get(url))
    assert second.post(url, {**rest, field: "Saved first", "version": opened}).status_code == 302

    refused = first.post(url, {**rest, field: "Typed second", "version": opened})
    body = refused.content.decode()
    assert refused.status_code == 409
    assert "Someone else saved this" in body and "Typed second" in body and "Saved first" in body
    record.refresh_from_db()
    assert getattr(record, field) == "Saved first" and record.version == 2

    again = first.post(url, {**rest, field: "Typed second", "version": _version_on(refused)})
    assert again.status_code == 302
    record.refresh_from_db()
    assert (getattr(record, field), record.version) == ("Typed second", 3)
    history = [getattr(h, field) for h in record.history.order_by("history_id")]
    assert history[-2:] == ["Saved first", "Typed second"]
    assert record.history.order_by("history_id").last().history_user == owner


def test_an_edit_without_a_version_is_refused_and_names_it(review, owner):
    client = Client()
    client.force_login(owner)
    response = client.post(f"{SLUG}/settings/", {"title": "No version", "method": "other",
                                                 "visibility": "private"})
    assert response.status_code == 400 and "Version" in response.content.decode()
    review.refresh_from_db()
    assert review.title != "No version"
