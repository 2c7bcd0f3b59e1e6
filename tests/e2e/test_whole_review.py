"""Issue 13's end-to-end test: a whole review in the browser, from sign-up to lineage.

A brand-new user signs up, starts a review, writes its definitions, framework,
themes and programme theory, adds sources by form and by RIS import, curates
CMOCs (create, link evidence, refine carrying it, split into three, merge,
drop), reads the review-wide lineage, invites a colleague by email who
accepts and curates as an editor, and revokes an API token that then stops
working. No step touches the admin or the API (the token check at the end
only proves the revocation).
"""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from cmocs.models import CMOC, EvidenceLink, LineageEvent
from evidence.models import SourceDocument
from ichub.models import Membership, Review
from tests.e2e.conftest import screenshot
from tests.evidence.importers.samples import ENDNOTE_RIS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase 42"
SLUG = "leading-integrated-care"


def choose(select, text):
    """Select the option whose label contains `text`."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def sign_up(page, username, email, url="/accounts/signup/"):
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def start_review(page):
    page.goto("/accounts/")
    page.get_by_role("link", name="Start a new review").click()
    page.get_by_label("Title").fill("Leading integrated care")
    page.get_by_label("Question").fill("What works for system leaders, for whom, and why?")
    page.get_by_label("Method").select_option("rapid_realist_review")
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Leading integrated care")


def add_definitions_framework_and_theory(page):
    page.goto(f"/reviews/{SLUG}/definitions/")
    for element, text in (("context", "Conditions that shape whether a mechanism fires."),
                          ("outcome", "An intended or unintended result.")):
        page.get_by_label("Element").select_option(element)
        page.get_by_label("Text").fill(text)
        page.get_by_role("button", name="Add definition").click()
        expect(page.locator("main")).to_contain_text(text)

    page.goto(f"/reviews/{SLUG}/frameworks/")
    page.get_by_label("Name").fill("Doing Things Differently")
    page.get_by_role("button", name="Add framework").click()
    for theme in ("Being", "Delivering"):
        page.get_by_label("New theme in Doing Things Differently").fill(theme)
        page.get_by_role("button", name="Add theme").click()
        expect(page.locator("main ol")).to_contain_text(theme)

    page.goto(f"/reviews/{SLUG}/theories/new/")
    page.get_by_label("Name").fill("Shared purpose")
    page.get_by_label("Stage").select_option("initial")
    choose(page.get_by_label("Theme"), "Delivering")
    page.get_by_label("Statement").fill("Leaders who share a purpose deliver together.")
    page.get_by_role("button", name=re.compile("Create|Add|Save")).click()
    assert page.locator(".errorlist").count() == 0, page.locator(".field-error").all_inner_texts()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shared purpose")


def add_sources(page, tmp_path):
    for n, (authors, title) in enumerate((
        ("Pearson, C. and Watson, N.", "Implementing health and social care integration"),
        ("Evans, J.", "Shared leadership in practice"),
        ("Khan, R.", "Trust across organisations"),
    )):
        page.goto(f"/reviews/{SLUG}/sources/new/")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Authors").fill(authors)
        page.get_by_label("Year").fill(str(2018 + n))
        page.get_by_role("button", name=re.compile("Add|Save|Create")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    ris = tmp_path / "endnote.ris"
    ris.write_text(ENDNOTE_RIS.split("ER  -")[0] + "ER  -\n", encoding="utf-8")
    page.goto(f"/reviews/{SLUG}/sources/import/")
    page.get_by_label("Reference file").set_input_files(str(ris))
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name="Import 1 new source").click()
    assert SourceDocument.objects.filter(review__slug=SLUG).count() == 4


def add_excerpt(page, title, text):
    source = SourceDocument.objects.get(review__slug=SLUG, title=title)
    page.goto(f"/reviews/{SLUG}/sources/{source.pk}/")
    page.get_by_role("link", name="Add an excerpt").click()
    page.get_by_label("Excerpt text").fill(text)
    page.get_by_label("Page").fill("7")
    page.get_by_role("button", name="Add excerpt").click()


def create_cmoc(page, code, statement, context, outcome):
    page.goto(f"/reviews/{SLUG}/")
    page.get_by_role("link", name="New CMOC").click()
    page.get_by_label("Code").fill(code)
    page.get_by_label("Statement").fill(statement)
    page.get_by_label("Context (C)").fill(context)
    page.get_by_label("Mechanism: resource (M-res)").fill("Joint forums")
    page.get_by_label("Mechanism: reasoning (M-rea)").fill("Leaders feel safe")
    page.get_by_label("Outcome (O)").fill(outcome)
    choose(page.get_by_label("Programme theory"), "Shared purpose")
    page.get_by_role("button", name="Create CMOC").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def open_cmoc(page, code, stage="initial"):
    cmoc = CMOC.objects.get(review__slug=SLUG, code=code, stage=stage)
    page.goto(f"/reviews/{SLUG}/cmocs/{cmoc.pk}/")
    return cmoc


def decide(page, action, rationale):
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name=f"Preview {action}").click()
    expect(page.get_by_role("heading", name="What will happen")).to_be_visible()
    page.get_by_role("button", name=f"Confirm {action}").click()


def curate(page):
    create_cmoc(page, "CMOC 1", "When records are shared, leaders trust the data.",
                "Partners with shared records", "Better targeted services")
    create_cmoc(page, "CMOC 2", "When leaders meet often, they plan together.",
                "Regular system meetings", "Joined-up plans")

    # Link an excerpt as evidence, in the CMOC page (htmx), focus moved into the form.
    first = open_cmoc(page, "CMOC 1")
    page.get_by_role("link", name="Link evidence").click()
    expect(page.get_by_label("Excerpt")).to_be_focused()
    choose(page.get_by_label("Excerpt"), "Sharing data built trust")
    page.get_by_label("Element it bears on").select_option("context")
    page.get_by_role("button", name="Link evidence").click()
    expect(page.locator("section.evidence-group")).to_contain_text("Sharing data built trust")

    # Refine it: the evidence is listed ticked and carried; the excerpt drove the change.
    page.get_by_role("link", name="Refine").click()
    expect(page.get_by_role("checkbox", name=re.compile("Sharing data built trust")).first
           ).to_be_checked()
    page.get_by_label("Statement").fill("When records are shared, leaders trust each other.")
    page.get_by_role("group", name="Evidence that drove this decision").get_by_role(
        "checkbox").first.check()
    decide(page, "refine", "Pearson and Watson show trust needs shared records.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 1 (refined)")
    expect(page.locator("section.evidence-group")).to_contain_text("Sharing data built trust")
    refined = CMOC.objects.get(review__slug=SLUG, code="CMOC 1", stage="refined")
    assert refined.evidence_links.count() == 1 and first.evidence_links.count() == 1
    assert refined.lineage_as_output.get(kind="refined").evidence.count() == 1

    # Split CMOC 2 into three, each output its own code and context.
    open_cmoc(page, "CMOC 2")
    page.get_by_role("link", name="Split").click()
    page.get_by_role("button", name="Add another output").click()
    for n, group in enumerate(("senior leaders", "clinicians", "managers")):
        output = page.locator("section.split-output").nth(n)
        output.get_by_label("Code").fill(f"CMOC 2.{n + 1}")
        output.get_by_label("Context (C)").fill(f"Regular meetings of {group}")
    decide(page, "split", "Three groups reasoned differently.")
    outputs = CMOC.objects.filter(review__slug=SLUG, code__startswith="CMOC 2.")
    assert sorted(o.context.text for o in outputs) == [
        "Regular meetings of clinicians", "Regular meetings of managers",
        "Regular meetings of senior leaders"]

    # Merge two of the outputs, then drop the third.
    merged_inputs = list(outputs.order_by("code")[:2])
    page.goto(f"/reviews/{SLUG}/cmocs/merge/")
    for cmoc in merged_inputs:
        page.get_by_label(re.compile(rf"{re.escape(cmoc.code)} \(refined\)")).check()
    page.get_by_label("Code").fill("CMOC 3")
    page.get_by_label("Statement").fill("Regular meetings let leaders and clinicians plan.")
    decide(page, "merge", "Insufficient distinct evidence to keep them apart.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 3")
    open_cmoc(page, "CMOC 2.3", stage="refined")
    page.get_by_role("link", name="Drop").click()
    decide(page, "drop", "No source supported it.")
    expect(page.locator(".pill.status-dropped")).to_have_text("Dropped")

    # The whole review's lineage, one graph.
    page.goto(f"/reviews/{SLUG}/")
    page.get_by_role("link", name="Lineage of every CMOC").click()
    graph = page.locator(".lineage-diagram svg")
    expect(graph.locator("a.lineage-node")).to_have_count(
        CMOC.objects.filter(review__slug=SLUG).count())
    for kind in ("REFINED", "SPLIT", "MERGED", "DROPPED"):
        expect(graph).to_contain_text(kind)
    screenshot(page, "20-whole-review-lineage")
    assert set(LineageEvent.objects.filter(review__slug=SLUG).values_list("kind", flat=True)) \
        == {"created", "refined", "split", "merged", "dropped"}


def invite_and_curate_as_editor(browser, live_server, page, mailoutbox):
    page.goto(f"/reviews/{SLUG}/members/")
    page.get_by_label("Username or email").fill("colleague@example.org")
    page.get_by_label(re.compile(r"^Role:?$")).select_option("editor")
    page.get_by_role("button", name="Invite").click()
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", mailoutbox[-1].body).group(0)

    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    try:
        other.goto(link)
        other.get_by_role("link", name="Create an account and accept").click()
        sign_up(other, "colleague", "colleague@example.org", url=other.url)
        review = Review.objects.get(slug=SLUG)
        assert review.memberships.get(user__username="colleague").role == (
            Membership.Role.EDITOR)
        other.goto(f"/reviews/{SLUG}/")
        other.get_by_role("link", name="CMOC 3", exact=True).click()
        other.get_by_role("link", name="Edit").click()
        other.get_by_label("Outcome (O)").fill("Plans that services follow")
        other.get_by_role("button", name="Save CMOC").click()
        expect(other.locator(".dalkin")).to_contain_text("Plans that services follow")
    finally:
        context.close()


def revoke_a_token(page):
    page.goto("/accounts/")
    page.get_by_label("Name").fill("notebook")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-value").input_value()
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    assert api.get(f"/api/reviews/{SLUG}/", **headers).status_code == 200
    page.get_by_role("button", name="Revoke notebook").click()
    expect(page.get_by_role("button", name="Revoke notebook")).to_have_count(0)
    assert api.get(f"/api/reviews/{SLUG}/", **headers).status_code == 401


def test_it_runs_a_whole_review_in_the_browser(browser, live_server, page, tmp_path,
                                               mailoutbox):
    sign_up(page, "rita_researcher", "rita@example.org")
    start_review(page)
    assert Review.objects.get(slug=SLUG).memberships.get().role == Membership.Role.OWNER
    add_definitions_framework_and_theory(page)
    add_sources(page, tmp_path)
    add_excerpt(page, "Implementing health and social care integration",
                "Sharing data built trust between partners.")
    curate(page)
    invite_and_curate_as_editor(browser, live_server, page, mailoutbox)
    revoke_a_token(page)
    assert EvidenceLink.objects.filter(cmoc__review__slug=SLUG).count() >= 2
