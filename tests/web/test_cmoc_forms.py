"""Creating, editing and linking evidence to CMOCs from the browser."""

import pytest

from cmocs.models import CMOC, Context, EvidenceLink, Mechanism
from evidence.models import Excerpt, SourceDocument
from tests.web.conftest import ROLES, WRITE_STATUS, post

pytestmark = pytest.mark.django_db
WRITERS = ("owner", "editor", "staff")


def _new_cmoc_data(**extra):
    return {
        "code": "CMOC 40", "stage": "initial", "statement": "When X, leaders Y, so Z.",
        "context": "Fragmented local services",
        "mechanism_resource": "Joint appointments",
        "mechanism_reasoning": "Leaders feel accountable to the system",
        "outcome": "Fewer duplicated services",
        **extra,
    }


@pytest.mark.parametrize("role", ROLES)
def test_it_offers_the_create_form_only_to_editors(client, curated, review, role,
                                                   user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(f"/reviews/{review.slug}/cmocs/new/")
    assert response.status_code == WRITE_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert 'for="id_context"' in page and 'for="id_mechanism_resource"' in page
        assert 'data-element-picker="id_context"' in page  # copies an existing text in


@pytest.mark.parametrize("role", ROLES)
def test_it_creates_a_cmoc_with_new_elements_only_for_editors(client_for, curated, review,
                                                              role, user_in_role):
    response = post(client_for(user_in_role(role)), f"/reviews/{review.slug}/cmocs/new/",
                    _new_cmoc_data())
    created = CMOC.objects.filter(review=review, code="CMOC 40").first()
    if role in WRITERS:
        assert response.status_code == 302 and created is not None
        assert response["Location"] == f"/reviews/{review.slug}/cmocs/{created.pk}/"
        assert created.context.text == "Fragmented local services"
        assert created.mechanism_resource.kind == Mechanism.Kind.RESOURCE
        assert created.mechanism_reasoning.kind == Mechanism.Kind.REASONING
        assert created.lineage_as_output.get().kind == "created"
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert created is None


def test_it_reuses_an_existing_element_given_its_text(client_for, curated, review, owner):
    existing = curated["cmocs"][1].context
    before = Context.objects.count()
    post(client_for(owner), f"/reviews/{review.slug}/cmocs/new/",
         _new_cmoc_data(context=f"  {existing.text} "))
    assert CMOC.objects.get(review=review, code="CMOC 40").context == existing
    assert Context.objects.count() == before


def test_it_never_puts_a_reasoning_mechanism_in_the_resource_slot(client_for, curated, review,
                                                                 owner):
    reasoning = curated["cmocs"][1].mechanism_reasoning
    post(client_for(owner), f"/reviews/{review.slug}/cmocs/new/",
         _new_cmoc_data(mechanism_resource=reasoning.text))
    created = CMOC.objects.get(code="CMOC 40")
    assert created.mechanism_resource != reasoning
    assert (created.mechanism_resource.kind, created.mechanism_resource.text) == (
        Mechanism.Kind.RESOURCE, reasoning.text)


def test_it_keeps_the_form_filled_on_errors_and_writes_nothing(client_for, curated, review,
                                                               owner):
    before = Mechanism.objects.count()
    response = post(client_for(owner), f"/reviews/{review.slug}/cmocs/new/",
                    _new_cmoc_data(code="CMOC 1"))  # taken in the initial stage
    page = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in page
    assert "Joint appointments</textarea>" in page and "When X, leaders Y, so Z." in page
    assert Mechanism.objects.count() == before  # the new elements were rolled back


def test_it_makes_a_new_element_when_the_prefilled_text_is_typed_over(client_for, curated,
                                                                      review, owner):
    """The bug: typing a new element while the old one was pre-selected failed."""
    cmoc = curated["cmocs"][1]
    url = f"/reviews/{review.slug}/cmocs/{cmoc.pk}/edit/"
    form = client_for(owner).get(url).content.decode()
    assert f"{cmoc.context.text}</textarea>" in form  # the element is pre-filled as text
    response = post(client_for(owner), url, {
        "code": "CMOC 2", "statement": cmoc.statement, "version": cmoc.version,
        "context": "A brand-new context", "outcome": cmoc.outcome.text})
    assert response.status_code == 302
    old_context, old_outcome = cmoc.context, cmoc.outcome
    cmoc.refresh_from_db()
    assert cmoc.context.text == "A brand-new context" and cmoc.context != old_context
    assert cmoc.outcome == old_outcome  # unchanged text: the same element
    assert Context.objects.filter(pk=old_context.pk).exists()  # kept for its history


@pytest.mark.parametrize("role", ROLES)
def test_it_edits_a_cmoc_only_for_editors(client_for, curated, review, role, user_in_role):
    cmoc = curated["cmocs"][1]
    response = post(client_for(user_in_role(role)), f"/reviews/{review.slug}/cmocs/{cmoc.pk}/edit/",
                    {"code": "CMOC 2", "statement": "Edited statement", "version": cmoc.version,
                     "context": cmoc.context.text, "outcome": "A new outcome"})
    cmoc.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302
        assert cmoc.statement == "Edited statement" and cmoc.version == 2
        assert cmoc.outcome.text == "A new outcome"
        assert cmoc.mechanism_resource is None  # cleared: the form sent none
        assert cmoc.history.count() == 2  # created, then this edit
        assert cmoc.history.latest().history_user == user_in_role(role)
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert cmoc.statement != "Edited statement" and cmoc.version == 1


def test_it_refuses_a_stale_edit_showing_both_versions_and_keeping_the_text(client_for, curated,
                                                                            review, owner,
                                                                            editor):
    cmoc = curated["cmocs"][1]
    url = f"/reviews/{review.slug}/cmocs/{cmoc.pk}/edit/"
    post(client_for(owner), url, {"code": "CMOC 2", "statement": "The owner's version",
                                  "version": 1})
    response = post(client_for(editor), url, {"code": "CMOC 2", "version": 1,
                                              "statement": "The editor's careful rewrite"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "The owner&#x27;s version" in page
    assert "The editor&#x27;s careful rewrite</textarea>" in page
    assert 'name="version" value="2"' in page
    cmoc.refresh_from_db()
    assert cmoc.statement == "The owner's version" and cmoc.version == 2
    # Saving again, knowingly, over version 2 works.
    again = post(client_for(editor), url, {"code": "CMOC 2", "version": 2,
                                           "statement": "The editor's careful rewrite"})
    assert again.status_code == 302
    cmoc.refresh_from_db()
    assert cmoc.statement == "The editor's careful rewrite"


@pytest.mark.parametrize("role", ROLES)
def test_it_links_an_excerpt_only_for_editors(client_for, curated, review, role, user_in_role):
    cmoc = curated["cmocs"][1]
    excerpt = Excerpt.objects.create(source=curated["sources"][0], key="new", text="Fresh quote")
    response = post(client_for(user_in_role(role)),
                    f"/reviews/{review.slug}/cmocs/{cmoc.pk}/evidence/",
                    {"excerpt": excerpt.pk, "element": "outcome", "stance": "refines"})
    link = EvidenceLink.objects.filter(cmoc=cmoc, excerpt=excerpt).first()
    if role in WRITERS:
        assert response.status_code == 302
        assert (link.element, link.stance) == ("outcome", "refines")
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert link is None


def test_it_refuses_an_excerpt_from_an_unrelated_review(client_for, curated, review,
                                                        other_review, owner):
    source = SourceDocument.objects.create(review=other_review, citation_key="alien2020",
                                           title="Elsewhere")
    alien = Excerpt.objects.create(source=source, key="a", text="Not ours")
    cmoc = curated["cmocs"][1]
    response = post(client_for(owner), f"/reviews/{review.slug}/cmocs/{cmoc.pk}/evidence/",
                    {"excerpt": alien.pk, "element": "whole", "stance": "supports"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not EvidenceLink.objects.filter(excerpt=alien).exists()


def test_it_refuses_a_duplicate_link_with_a_message(client_for, curated, review, owner):
    cmoc = curated["cmocs"][1]
    excerpt = curated["sources"][0].excerpts.get()  # already linked to the context
    response = post(client_for(owner), f"/reviews/{review.slug}/cmocs/{cmoc.pk}/evidence/",
                    {"excerpt": excerpt.pk, "element": "context", "stance": "supports"})
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert EvidenceLink.objects.filter(cmoc=cmoc, excerpt=excerpt).count() == 1


def test_it_keeps_csrf_protection_on(client_for, curated, review, owner):
    client = client_for(owner)
    response = client.post(f"/reviews/{review.slug}/cmocs/new/", _new_cmoc_data())
    assert response.status_code == 403
    assert not CMOC.objects.filter(code="CMOC 40").exists()


def test_it_opens_and_submits_the_link_form_in_page_with_htmx(client_for, curated, review,
                                                             owner):
    cmoc = curated["cmocs"][1]
    excerpt = Excerpt.objects.create(source=curated["sources"][0], key="hx", text="Via htmx")
    url = f"/reviews/{review.slug}/cmocs/{cmoc.pk}/evidence/"
    client = client_for(owner)
    opened = client.get(url, HTTP_HX_REQUEST="true")
    assert opened.status_code == 200 and "<html" not in opened.content.decode()
    assert "autofocus" in opened.content.decode()  # htmx moves focus into the form
    assert 'hx-post="' + url + '"' in opened.content.decode()
    client.get("/")
    token = client.cookies["csrftoken"].value
    bad = client.post(url, {"excerpt": "", "element": "whole", "stance": "supports"},
                      HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    done = client.post(url, {"excerpt": excerpt.pk, "element": "whole", "stance": "supports"},
                       HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert done["HX-Refresh"] == "true"
    assert EvidenceLink.objects.filter(cmoc=cmoc, excerpt=excerpt).exists()


def test_it_explains_a_refusal_to_a_viewer_and_a_missing_page_to_an_outsider(
    client, curated, review, viewer, outsider
):
    url = f"/reviews/{review.slug}/cmocs/new/"
    client.force_login(viewer)
    refused = client.get(url)
    assert refused.status_code == 403
    assert "Only the review&#x27;s editors and owners may change it." in refused.content.decode()
    client.force_login(outsider)
    missing = client.get(url)
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.content.decode()
