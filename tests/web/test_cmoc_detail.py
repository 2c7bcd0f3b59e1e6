import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from cmocs.models import EvidenceLink
from evidence.models import Excerpt
from tests.web.conftest import READ_STATUS, ROLES

pytestmark = pytest.mark.django_db


def _url(review, cmoc, suffix=""):
    return f"/reviews/{review.slug}/cmocs/{cmoc.pk}/{suffix}"


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_cmoc_only_to_those_who_may_read(client, curated, review, role,
                                                    user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    cmoc = curated["cmocs"][1]
    response = client.get(_url(review, cmoc))
    assert response.status_code == READ_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert page.count("<h1") == 1 and "CMOC 2" in page
        assert "A history of collaboration 1" in page and "Joined-up services 1" in page
        editing = ("Refine</a>" in page, "Drop</a>" in page, "Link evidence</a>" in page)
        assert all(editing) if role in ("owner", "editor", "staff") else not any(editing)


def test_it_groups_evidence_by_element_and_stance_linking_to_sources(client, curated, review,
                                                                     owner):
    cmoc = curated["cmocs"][1]
    excerpt = curated["sources"][0].excerpts.get()
    services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=owner, element="outcome",
                           stance=EvidenceLink.Stance.CHALLENGES)
    client.force_login(owner)
    page = client.get(_url(review, cmoc)).content.decode()
    context_at = page.index('id="evidence-context"')
    outcome_at = page.index('id="evidence-outcome"')
    assert context_at < outcome_at
    assert page.index("Challenges", outcome_at) > outcome_at
    source = curated["sources"][0]
    assert f"/reviews/{review.slug}/sources/{source.pk}/#excerpt-{excerpt.pk}" in page
    assert "Author0 and Other (2018)" in page and "p. 10" in page


def test_it_draws_the_lineage_with_linked_nodes_and_the_rationale(client, curated, review,
                                                                  owner):
    original, refined = curated["cmocs"][0], curated["refined"]
    client.force_login(owner)
    page = client.get(_url(review, refined)).content.decode()
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert f'href="{_url(review, original)}"' in svg and f'href="{_url(review, refined)}"' in svg
    assert "REFINED" in svg and "Testing showed trust comes first." in svg
    assert "Testing showed trust comes first." in page[page.index("</svg>"):]
    standalone = client.get(_url(review, refined, "lineage.svg"))
    assert standalone["Content-Type"].startswith("image/svg+xml")
    assert b'xmlns="http://www.w3.org/2000/svg"' in standalone.content


def test_it_renders_a_script_in_a_statement_as_text_in_html_and_svg(client, review, owner):
    hostile = '<script>alert("pwned")</script>'
    cmoc = services.create_cmoc(review=review, user=owner, code="CMOC <b>9</b>",
                                statement=hostile, context=hostile)
    services.drop_cmoc(cmoc=cmoc, user=owner, rationale=hostile)
    client.force_login(owner)
    page = client.get(_url(review, cmoc)).content.decode()
    assert "<script>alert" not in page and "<b>9</b>" not in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in svg
    assert "&lt;b&gt;9&lt;/b&gt;" in svg


def test_it_shows_who_changed_what_and_when(client, curated, review, owner, editor):
    cmoc = curated["cmocs"][1]
    services.update_cmoc(cmoc=cmoc, user=editor, expected_version=cmoc.version,
                         statement="Rewritten by the editor.", outcome="A brand new outcome")
    client.force_login(owner)
    page = client.get(_url(review, cmoc)).content.decode()
    history = page[page.index('id="history"'):]
    assert "Changed" in history and "Created" in history
    assert "Statement:" in history and "Rewritten by the editor." in history
    assert "Joined-up services 1" in history and "A brand new outcome" in history  # texts


def test_it_runs_the_same_queries_however_much_evidence_lineage_and_history(
    client, curated, review, owner
):
    cmoc = curated["refined"]
    client.force_login(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(review, cmoc)).status_code == 200
        return len(ctx.captured_queries)

    # The history looks up element texts once per kind of element changed: change them all.
    services.update_cmoc(cmoc=cmoc, user=owner, expected_version=cmoc.version,
                         statement="First edit", outcome="New outcome A", context="New C",
                         mechanism_resource="New M-res", mechanism_reasoning="New M-rea",
                         theory=None)
    before = count()
    source = curated["sources"][0]
    for i in range(4):
        excerpt = Excerpt.objects.create(source=source, key=f"more{i}", text=f"More {i}")
        services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=owner,
                               element=["context", "outcome", "whole", "mechanism_resource"][i])
        cmoc.refresh_from_db()
        services.update_cmoc(cmoc=cmoc, user=owner, expected_version=cmoc.version,
                             statement=f"Edit {i}", outcome=f"New outcome {i}",
                             context=f"New context {i}")
    other = services.create_cmoc(review=review, user=owner, code="CMOC 30", statement="x")
    cmoc.refresh_from_db()
    services.merge_cmocs(inputs=[cmoc, other], user=owner, rationale="Same thing",
                         code="CMOC 31", statement="merged")
    assert count() == before


def test_it_is_404_for_a_cmoc_of_another_review(client, curated, review, other_review,
                                                outsider, owner):
    theirs = services.create_cmoc(review=other_review, user=outsider, code="X", statement="x")
    client.force_login(owner)
    assert client.get(f"/reviews/{review.slug}/cmocs/{theirs.pk}/").status_code == 404
    assert re.search(r"404", str(client.get(f"/reviews/{review.slug}/cmocs/999999/")))


def test_it_hides_ichubs_inferred_lineage_until_the_reader_shows_it(client, curated, review,
                                                                   owner):
    refined = curated["refined"]
    refined.lineage_as_output.filter(kind="refined").update(certainty="inferred")
    client.force_login(owner)
    page = client.get(_url(review, refined)).content.decode()
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "INFERRED" not in svg and "Show ichub's inferences" in page
    page = client.get(_url(review, refined) + "?inferred=1").content.decode()
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "REFINED · INFERRED" in svg
    assert 'stroke-dasharray="6 4" class="inferred"' in svg  # its arrows are dashed
    assert "inferred by ichub: the review does not say" in page[page.index("</svg>"):]
    standalone = client.get(_url(review, refined, "lineage.svg?inferred=1")).content.decode()
    assert "REFINED · INFERRED" in standalone
