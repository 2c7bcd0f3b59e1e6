"""Pages fit a 1,280-pixel-wide screen: nothing makes the page scroll sideways."""

import re

import pytest
from playwright.sync_api import expect

from cmocs import services
from ichub.models import Review
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


SVG_SCALE = """svg => ({
  scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
  smallest: Math.min(...[...svg.querySelectorAll('text')].map(
    t => parseFloat(getComputedStyle(t).fontSize))),
  scrolls: svg.parentElement.scrollWidth > svg.parentElement.clientWidth,
})"""


def test_it_keeps_a_wide_lineage_readable_and_scrolls_it(page, owner):
    """Five generations of refinement: drawn at 100%, text >= 12 px, the box scrolls sideways."""
    review = Review.objects.create(slug="deep", title="A deep lineage", visibility="public")
    cmoc = services.create_cmoc(review=review, user=owner, code="CMOC 1", statement="s")
    for generation in range(4):
        cmoc = services.refine_cmoc(cmoc=cmoc, user=owner, rationale=f"Round {generation}",
                                    code=f"CMOC 1.{generation}", statement="s")
    page.goto(f"/reviews/{review.slug}/cmocs/lineage/")
    svg = page.locator(".lineage-diagram svg")
    drawn = svg.evaluate(SVG_SCALE)
    assert drawn["scale"] == pytest.approx(1) and drawn["smallest"] >= 12
    assert drawn["scrolls"]  # wider than the page: it scrolls instead of shrinking
    page.locator(".lineage-diagram").focus()
    page.keyboard.press("ArrowRight")  # keyboard users scroll the focused box
    box = page.locator(".lineage-diagram")
    for _ in range(50):  # the scroll may be animated: give it a moment
        if box.evaluate("box => box.scrollLeft") > 0:
            break
        page.wait_for_timeout(50)
    assert box.evaluate("box => box.scrollLeft") > 0
    _zoom_and_pan(page, box, svg)
    page.locator("a.lineage-node").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 1.3")
    assert page.locator("svg a[aria-current=page]").count() == 1  # the CMOC marks itself


def _zoom_and_pan(page, box, svg):
    """Buttons and keys zoom (never below 100%: text stays >= 12 px) and pan; so does dragging."""
    zoom_out, zoom_in = (page.get_by_role("button", name=f"Zoom {d}") for d in ("out", "in"))
    level = page.get_by_label("Zoom level")
    expect(zoom_out).to_be_disabled()  # already at 100%: smaller text would not be readable
    zoom_in.click()
    expect(level).to_have_text("125%")
    assert svg.evaluate(SVG_SCALE)["scale"] == pytest.approx(1.25, abs=0.01)
    box.focus()
    page.keyboard.press("+")
    expect(level).to_have_text("150%")
    rendered = svg.evaluate(SVG_SCALE)
    assert rendered["scale"] == pytest.approx(1.5, abs=0.01) and rendered["smallest"] >= 12
    scroll = "box => [box.scrollLeft, box.scrollTop]"
    box.evaluate("box => box.scrollTo(0, 0)")
    page.get_by_role("button", name="Pan right").click()  # one row of CMOCs: no vertical pan
    expect(box).to_have_js_property("scrollLeft", 120)
    box.focus()
    page.keyboard.press("ArrowLeft")
    expect(box).to_have_js_property("scrollLeft", 0)
    at = box.bounding_box()  # drag from the middle of the box towards its top left
    start = box.evaluate(scroll)
    page.mouse.move(at["x"] + at["width"] / 2, at["y"] + at["height"] / 2)
    page.mouse.down()
    page.mouse.move(at["x"] + at["width"] / 2 - 200, at["y"] + at["height"] / 2 - 50, steps=5)
    page.mouse.up()
    assert box.evaluate(scroll)[0] == start[0] + 200
    expect(page).to_have_url(re.compile(r"/cmocs/lineage/$"))  # a drag is not a click
    page.keyboard.press("0")
    expect(level).to_have_text("100%")
    assert svg.evaluate(SVG_SCALE)["scale"] == pytest.approx(1)
