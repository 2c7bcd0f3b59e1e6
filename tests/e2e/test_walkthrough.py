"""The done-when walk: home → 2024 review → Delivering → refined CMOC 5 → evidence → lineage."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ICS_SLUG
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
    evidence = page.locator("#evidence ~ section.evidence-group")
    expect(evidence.get_by_role("link", name=re.compile("Embuldeniya .*\\(2018\\)")).first).to_be_visible()
    expect(evidence.get_by_role("link", name=re.compile("Pearson and Watson \\(2018\\)")).first).to_be_visible()
    lineage = page.locator("#lineage + figure svg")
    expect(lineage).to_be_visible()
    expect(lineage.locator("a.lineage-node")).not_to_have_count(0)
    screenshot(page, "04-cmoc-5")

    page.get_by_role("link", name=re.compile("Embuldeniya .*\\(2018\\)")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Embuldeniya")
    screenshot(page, "05-source-embuldeniya")
