"""The done-when walk: home → 2024 review → Delivering → refined CMOC 5 → evidence → lineage."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
EMBULDENIYA = re.compile(r"Embuldeniya .*\(2018\)")
PEARSON = re.compile(r"Pearson and Watson \(2018\)")


def test_it_walks_from_home_to_cmoc_5_evidence_and_lineage(page, shipped):
    page.goto("/")
    screenshot(page, "01-home")
    page.get_by_role("link", name=re.compile("Integrated care system leadership")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Integrated care system")
    screenshot(page, "02-dashboard")

    page.get_by_role("link", name="Delivering", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delivering")
    screenshot(page, "03-theory-delivering")

    page.get_by_role("link", name=re.compile(r"^CMOC 5 \(refined\)")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 5")
    evidence = page.locator("section.evidence-group")
    expect(evidence.get_by_role("link", name=EMBULDENIYA).first).to_be_visible()
    expect(evidence.get_by_role("link", name=PEARSON).first).to_be_visible()
    lineage = page.locator("#lineage + figure svg")
    expect(lineage).to_be_visible()
    expect(lineage.locator("a.lineage-node")).not_to_have_count(0)
    expect(lineage).to_contain_text("REFINED")
    screenshot(page, "04-cmoc-5")
    page.set_viewport_size({"width": 1024, "height": 768})  # a small laptop
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "04b-cmoc-5-at-1024px")
    page.set_viewport_size({"width": 1366, "height": 900})

    evidence.get_by_role("link", name=PEARSON).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pearson and Watson")
    screenshot(page, "05-source-pearson")
    page.go_back()

    # Follow the lineage back to the initial CMOC it came from, by its node in the graph.
    lineage = page.locator("#lineage + figure svg")
    lineage.locator("a.lineage-node", has_text="Initial").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(initial)")
    expect(page.locator("#lineage + figure svg")).to_contain_text("CMOC 5 · Refined")
