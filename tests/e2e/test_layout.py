"""Pages fit a 1,280-pixel-wide screen: nothing makes the page scroll sideways."""

import pytest

from tests.conftest import ICS_SLUG
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_it_fits_the_dashboard_into_1280_pixels(browser, live_server, shipped):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  base_url=live_server.url)
    page = context.new_page()
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        page.goto(f"/reviews/{ICS_SLUG}/")
        overflowing = page.evaluate(WIDEST)
        width = page.evaluate("document.documentElement.scrollWidth")
        page.locator("aside").screenshot(path=str(SCREENSHOTS / "14-dashboard-aside-1280.png"))
    finally:
        context.close()
    assert (width, overflowing) == (1280, [])
