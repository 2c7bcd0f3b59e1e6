"""A reviewer screens a ranked queue with the keyboard in headless Chromium."""

import re

import pytest

from evidence.models import ExclusionReason, Ranking
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_screens_a_ranked_queue_with_the_keyboard(
        browser, live_server, editor, ranking_corpus, prioritised, immediate_tasks):
    ExclusionReason.objects.create(review=ranking_corpus[0].review, label="Off topic", order=1)
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_load_state()
    page.goto(f"/reviews/{ranking_corpus[0].review.slug}/screening/title_abstract/")
    assert "at least one include and one exclude" in page.locator("#ranking-note").inner_text()

    # The first record (file order) is off topic: pick reason 1, then E.
    page.keyboard.press("1")
    with page.expect_navigation():
        page.keyboard.press("e")
    # Plain order still; find and include the first relevant record by the keyboard.
    first_relevant = next(s for s in ranking_corpus if s.relevant)
    page.goto(f"/reviews/{ranking_corpus[0].review.slug}/screening/title_abstract/"
              f"?source={first_relevant.pk}")
    with page.expect_navigation():
        page.keyboard.press("i")

    assert "Likely-relevant first" in page.locator("#queue-order").inner_text()
    assert page.locator("#rank-reason mark").count() > 0
    offered = int(page.locator("[data-source-id]").get_attribute("data-source-id"))
    assert offered in {s.pk for s in ranking_corpus if s.relevant} - {first_relevant.pk}
    assert Ranking.objects.filter(status=Ranking.Status.READY, reviewer=editor).exists()
    context.close()
