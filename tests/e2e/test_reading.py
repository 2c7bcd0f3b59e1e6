"""Reading the shipped 2024 review: the flow diagram, sources, the matrix and search."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ICS_SLUG
from tests.e2e.conftest import SCREENSHOTS, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_draws_the_screening_flow_from_5716_records_to_18(page, shipped):
    page.goto(f"/reviews/{ICS_SLUG}/")
    flow = page.locator("#flow + figure svg")
    expect(flow).to_be_visible()
    counts = flow.locator("g.flow-stage text").all_text_contents()
    numbers = [text.split("n = ")[1] for text in counts if "n = " in text]
    assert numbers[0] == "5,716" and numbers[-1] == "18"
    assert numbers == sorted(numbers, key=lambda n: -int(n.replace(",", "")))
    expect(flow.locator("g.flow-exclusions").first).to_contain_text("Excluded:")
    flow.screenshot(path=str(SCREENSHOTS / "10-flow-diagram.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the flow diagram")).click()
    assert download.value.suggested_filename == f"{ICS_SLUG}-flow.svg"


def test_it_filters_sources_matrix_and_search_in_the_browser(page, shipped):
    page.goto(f"/reviews/{ICS_SLUG}/sources/")
    page.get_by_label("Inclusion").select_option("included")
    expect(page).to_have_url(re.compile(r"inclusion=included"))  # htmx kept the URL in step
    expect(page.locator("#source-rows")).to_contain_text("Pearson and Watson (2018)")
    screenshot(page, "11-sources")

    page.goto(f"/reviews/{ICS_SLUG}/matrix/")
    matrix = page.locator("table.matrix")
    expect(matrix.get_by_role("link", name="CMOC 5")).to_be_visible()
    expect(matrix).to_contain_text("supports")
    screenshot(page, "12-matrix")

    page.goto("/search/")
    page.get_by_label("Search CMOCs, elements, excerpts and sources").fill("digital intelligence")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results")).to_contain_text("CMOC 5")
    expect(page).to_have_url(re.compile(r"q=digital"))
    screenshot(page, "13-search")
