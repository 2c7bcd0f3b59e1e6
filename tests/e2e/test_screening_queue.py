"""Two reviewers screen a batch with the keyboard in headless Chromium, then an owner resolves."""

import re

import pytest

from evidence.models import ScreeningDecision, ScreeningResolution, SourceDocument
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(browser, live_server):
    contexts = []

    def open_page_as(user):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("log in", re.I)).click()
        page.wait_for_load_state()
        return page

    yield open_page_as
    for context in contexts:
        context.close()


def press_and_wait(page, key):
    with page.expect_navigation():
        page.keyboard.press(key)


def test_it_screens_with_i_e_m_and_resolves_the_conflicts(
    signed_in, owner, editor, editor2, review, reasons
):
    sources = [
        SourceDocument.objects.create(
            review=review, citation_key=f"batch{i}", authors=f"Writer{i}, A.", year=2020 + i,
            title=f"Imported study {i}", abstract="How ICS leaders build trust.",
        )
        for i in range(3)
    ]
    queue = f"/reviews/{review.slug}/screening/title_abstract/"

    first = signed_in(editor)
    first.goto(queue)
    progress = first.locator("#screening-progress")
    assert "3 of 3 left for you" in progress.inner_text()
    assert first.locator("#source-title").inner_text() == "Imported study 0"
    press_and_wait(first, "i")
    assert "2 of 3 left for you" in progress.inner_text()
    # E without a reason does not submit: it asks for one.
    first.keyboard.press("e")
    assert first.locator("[data-reason-hint]").is_visible()
    assert "2 of 3 left for you" in progress.inner_text()
    first.keyboard.press("1")
    press_and_wait(first, "e")
    press_and_wait(first, "m")
    assert "0 of 3 left for you" in progress.inner_text()
    assert "Nothing left for you" in first.content()

    second = signed_in(editor2)
    second.goto(queue)
    assert "3 of 3 left for you" in second.locator("#screening-progress").inner_text()
    # Blind: the first reviewer's decisions are nowhere on the page.
    assert "eddie_editor" not in second.content()
    for key in ("i", "i", "m"):
        press_and_wait(second, key)
    assert "0 of 3 left for you" in second.locator("#screening-progress").inner_text()

    current = ScreeningDecision.objects.current()
    rows = current.values_list("source__citation_key", "reviewer__username", "decision")
    assert sorted(rows) == [
        ("batch0", "eddie_editor", "include"), ("batch0", "edna_editor", "include"),
        ("batch1", "eddie_editor", "exclude"), ("batch1", "edna_editor", "include"),
        ("batch2", "eddie_editor", "maybe"), ("batch2", "edna_editor", "maybe"),
    ]
    assert current.get(source=sources[1], reviewer=editor).exclusion_reason == reasons[0]

    lead = signed_in(owner)
    lead.goto(f"/reviews/{review.slug}/screening/conflicts/")
    assert "Open (2)" in lead.content()
    conflict = lead.locator(f"#conflict-{sources[1].pk}-title_abstract")
    conflict.get_by_label("Include").check()
    conflict.get_by_label("Note (why)").fill("Reports ICS board leadership")
    with lead.expect_navigation():
        conflict.get_by_role("button", name="Resolve").click()
    assert "Open (1)" in lead.content()
    assert ScreeningResolution.objects.get().note == "Reports ICS board leadership"

    lead.goto(f"/reviews/{review.slug}/screening/")
    table = lead.locator(".screening-agreement").inner_text()
    assert "eddie_editor and edna_editor" in table
    assert "67%" in table  # agreed on 2 of 3 (include, maybe)
