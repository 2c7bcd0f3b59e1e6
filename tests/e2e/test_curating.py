"""Researchers curating in a real browser: create, link, refine, merge, drop, stale edits."""

import re

import pytest
from playwright.sync_api import expect

from cmocs import services
from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def excerpt(review):
    source = SourceDocument.objects.create(
        review=review, citation_key="pearson2018", authors="Pearson, C. and Watson, N.",
        year=2018, title="Implementing health and social care integration",
        inclusion_status="included",
    )
    return Excerpt.objects.create(source=source, key="p1", page="7",
                                  text="Sharing data across partners built trust.")


def test_it_creates_links_and_refines_a_cmoc_then_shows_the_new_lineage_node(
    page, review, editor, excerpt
):
    log_in(page, editor, PASSWORD)
    page.goto(f"/reviews/{review.slug}/")
    page.get_by_role("link", name="New CMOC").click()
    page.get_by_label("Code").fill("CMOC 1")
    page.get_by_label("Statement").fill("When data are shared, leaders trust each other.")
    page.get_by_label("Context (C)").fill("Partners with shared records")
    page.get_by_label("Mechanism: resource (M-res)").fill("A shared dashboard")
    reasoning = page.get_by_label("Mechanism: reasoning (M-rea)")
    reasoning.fill("Leaders feel informed")
    page.get_by_label("Outcome (O)").fill("Better targeted services")
    screenshot(page, "06-cmoc-create-form")
    page.get_by_role("button", name="Create CMOC").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 1")
    expect(page.locator(".dalkin")).to_contain_text("A shared dashboard")

    page.get_by_role("link", name="Link evidence").click()
    # htmx opens the form inside the CMOC page: the address does not change.
    expect(page.get_by_role("heading", name="Link evidence to CMOC 1")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cmocs/\d+/$"))
    page.get_by_label("Excerpt").select_option(str(excerpt.pk))
    page.get_by_label("Element it bears on").select_option("mechanism_resource")
    page.get_by_label("Stance").select_option("supports")
    page.get_by_role("button", name="Link evidence").click()
    expect(page.locator("#evidence-mechanism_resource")).to_be_visible()
    expect(page.locator("section.evidence-group")).to_contain_text("Sharing data across partners")
    cmoc = CMOC.objects.get(review=review, code="CMOC 1")
    assert EvidenceLink.objects.get(cmoc=cmoc).stance == "supports"

    page.get_by_role("link", name="Refine").click()
    page.get_by_label("Statement").fill("When records are shared, leaders trust the data.")
    page.get_by_label("Rationale").fill("Pearson and Watson show trust needs shared records.")
    page.get_by_role("button", name="Preview refine").click()
    expect(page.get_by_role("heading", name="What will happen")).to_be_visible()
    screenshot(page, "07-refine-confirm")
    cmoc.refresh_from_db()
    assert cmoc.status == "active"
    page.get_by_role("button", name="Confirm refine").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 1 (refined)")
    graph = page.locator("#lineage + figure svg")
    expect(graph.locator("a.lineage-node")).to_have_count(2)
    expect(graph).to_contain_text("CMOC 1 · Initial")
    expect(graph).to_contain_text("Pearson and Watson show trust")
    screenshot(page, "08-refined-cmoc-lineage")
    cmoc.refresh_from_db()
    assert cmoc.status == "superseded"


def test_it_merges_two_cmocs_then_drops_one(page, review, owner):
    first = services.create_cmoc(review=review, user=owner, code="CMOC 2", statement="Two")
    second = services.create_cmoc(review=review, user=owner, code="CMOC 4", statement="Four")
    services.create_cmoc(review=review, user=owner, code="CMOC 3", statement="Three")
    log_in(page, owner, PASSWORD)
    page.goto(f"/reviews/{review.slug}/cmocs/merge/")
    page.get_by_label(re.compile(r"CMOC 2 \(initial\)")).check()
    page.get_by_label(re.compile(r"CMOC 4 \(initial\)")).check()
    page.get_by_label("Code").fill("CMOC 6")
    page.get_by_label("Statement").fill("Two and four together.")
    page.get_by_label("Rationale").fill("Insufficient distinct evidence.")
    page.get_by_role("button", name="Preview merge").click()
    expect(page.locator(".preview")).to_contain_text("CMOC 2")
    expect(page.locator(".preview")).to_contain_text("CMOC 4")
    page.get_by_role("button", name="Confirm merge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 6")
    expect(page.locator("#lineage + figure svg a.lineage-node")).to_have_count(3)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("merged", "merged")

    page.goto(f"/reviews/{review.slug}/")
    page.get_by_role("link", name="CMOC 3", exact=True).click()
    page.get_by_role("link", name="Drop").click()
    page.get_by_label("Rationale").fill("It lacked evidence.")
    page.get_by_role("button", name="Preview drop").click()
    page.get_by_role("button", name="Confirm drop").click()
    expect(page.locator(".pill.status-dropped")).to_have_text("Dropped")
    expect(page.locator("#lineage + figure svg")).to_contain_text("DROPPED")
    assert CMOC.objects.get(code="CMOC 3").status == "dropped"


def test_it_lets_anonymous_visitors_read_without_edit_controls(page, owner):
    public = Review.objects.create(slug="open-review", title="An open review",
                                   visibility="public")
    cmoc = services.create_cmoc(review=public, user=owner, code="CMOC 1", statement="Readable",
                                context="Open context")
    page.goto("/")
    page.keyboard.press("Tab")  # keyboard users land on the skip link first
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.get_by_role("link", name="An open review").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("An open review")
    expect(page.get_by_role("link", name="New CMOC")).to_have_count(0)
    page.get_by_role("link", name="CMOC 1", exact=True).click()
    expect(page.locator(".dalkin")).to_contain_text("Open context")
    for control in ("Edit", "Refine", "Drop", "Link evidence", "Split"):
        expect(page.get_by_role("link", name=control, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(f"/reviews/{public.slug}/cmocs/{cmoc.pk}/edit/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_it_refuses_a_stale_edit_and_keeps_the_text(browser, live_server, review, owner, editor):
    cmoc = services.create_cmoc(review=review, user=owner, code="CMOC 1", statement="Original")
    url = f"/reviews/{review.slug}/cmocs/{cmoc.pk}/edit/"
    pages = []
    for user in (owner, editor):
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 1366, "height": 900})
        page = context.new_page()
        log_in(page, user, PASSWORD)
        page.goto(url)
        pages.append(page)
    owner_page, editor_page = pages
    owner_page.get_by_label("Statement").fill("The owner saved this first.")
    owner_page.get_by_role("button", name="Save CMOC").click()
    expect(owner_page.get_by_role("heading", level=1)).to_contain_text("CMOC 1")

    mine = "The editor's long, careful rewrite that must not be lost."
    editor_page.get_by_label("Statement").fill(mine)
    editor_page.get_by_role("button", name="Save CMOC").click()
    expect(editor_page.get_by_role("alert")).to_contain_text("Someone else saved")
    expect(editor_page.locator(".saved-statement")).to_contain_text("The owner saved this first.")
    expect(editor_page.get_by_label("Statement")).to_have_value(mine)
    screenshot(editor_page, "09-stale-edit")
    cmoc.refresh_from_db()
    assert cmoc.statement == "The owner saved this first."
    for page in pages:
        page.context.close()
