"""Stored XSS: markup typed into a CMOC, an element or a source is shown as text everywhere.

Everything the review stores is someone's input, so every page that shows it,
the lineage graph (SVG, served as its own document) and the reports, must
escape it. Each check also proves the text is there, escaped, so a page that
simply left it out cannot pass.
"""

import re

import pytest

from cmocs import services
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG = '<img src=x onerror="alert(2)">'


@pytest.fixture
def hostile(review, owner):
    world = build_review_rows(review, owner)
    world.cmoc.statement = f"Vision helps. {SCRIPT}"
    world.cmoc.save()
    world.context.text = f"ICS formation {IMG}"
    world.context.save()
    world.source.title = f"Integration {SCRIPT}"
    world.source.save()
    world.theory.statement = f"Leaders deliver. {SCRIPT}"
    world.theory.save()
    services.refine_cmoc(cmoc=world.cmoc, user=owner, rationale=f"Because {SCRIPT}",
                         code="CMOC 1b", statement=f"Refined {SCRIPT}")
    return world


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_escaped(response):
    """No stored markup came through raw, and no inline script at all (the CSP forbids it)."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert SCRIPT not in body and "<img src=x" not in body
    assert [tag for tag in INLINE_SCRIPT.findall(body)
            if 'type="application/json"' not in tag] == []
    return body


def test_it_escapes_stored_markup_on_the_cmoc_page(client, owner, hostile):
    client.force_login(owner)

    body = assert_escaped(client.get(f"/reviews/{hostile.review.slug}/cmocs/{hostile.cmoc.pk}/"))

    assert ESCAPED in body
    assert "&lt;img src=x" in body


def test_it_escapes_stored_markup_in_the_lineage_svg(client, owner, hostile):
    client.force_login(owner)

    response = client.get(f"/reviews/{hostile.review.slug}/cmocs/{hostile.cmoc.pk}/lineage.svg")

    body = assert_escaped(response)
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "&lt;script&gt;" in body or "CMOC 1b" in body
    assert "<script" not in body


@pytest.mark.parametrize(("page", "shown"), [
    ("matrix/", "Integration &lt;script&gt;"),
    ("sources/", "Integration &lt;script&gt;"),
    ("reports/rameses/", "Leaders deliver. &lt;script&gt;"),
])
def test_it_escapes_stored_markup_on_review_pages_and_reports(
    client, owner, hostile, page, shown
):
    client.force_login(owner)

    body = assert_escaped(client.get(f"/reviews/{hostile.review.slug}/{page}"))

    assert shown in body


def test_it_escapes_stored_markup_on_the_dashboard(client, owner, hostile):
    client.force_login(owner)

    assert_escaped(client.get(f"/reviews/{hostile.review.slug}/"))


def test_it_escapes_stored_markup_on_the_theory_page(client, owner, hostile):
    client.force_login(owner)

    body = assert_escaped(
        client.get(f"/reviews/{hostile.review.slug}/theories/{hostile.theory.pk}/")
    )

    assert ESCAPED in body


def test_it_escapes_stored_markup_in_search_results_and_the_echoed_query(
    client, owner, hostile
):
    client.force_login(owner)

    body = assert_escaped(client.get("/search/", {"q": f"Vision {SCRIPT}"}))

    assert "&lt;script&gt;" in body
