"""End-to-end tests in Debian's headless Chromium (`browser` is in tests/conftest.py)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    # Pages must work under the app's strict CSP: no inline script or style anywhere.
    assert csp_violations == []


def screenshot(page, name):
    """Keep a full-page picture for people to look at (a CI artefact, git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, user, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
