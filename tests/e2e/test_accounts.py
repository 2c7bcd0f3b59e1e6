"""A new user in a real browser: signs up, starts a review, invites a colleague by email,
makes an API token and revokes it."""

import re
import urllib.error
import urllib.request

import pytest
from django.core import mail
from playwright.sync_api import expect

from ichub.models import Review
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_up(page, username, email):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def api_status(base, key):
    request = urllib.request.Request(f"{base}/api/reviews/",
                                     headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_new_user_starts_and_staffs_a_review_and_manages_a_token(page, browser, live_server):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    sign_up(page, "rita_researcher", "rita@example.org")
    expect(page.get_by_text("Signed in as")).to_be_visible()

    page.get_by_role("link", name="Start a new review").click()
    page.get_by_label("Title").fill("Peer support for carers")
    page.get_by_label("Question").fill("What works for carers, and why?")
    page.get_by_label("Method").select_option("rapid_realist_review")
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("heading", name="Peer support for carers")).to_be_visible()
    assert Review.objects.get(slug="peer-support-for-carers").role_of(
        Review.objects.get().memberships.get().user) == "owner"

    page.get_by_role("link", name="Members").click()
    page.get_by_label("Username or email").fill("sam@example.org")
    page.get_by_label("Role:", exact=True).select_option("editor")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("emailed a link to sam@example.org")).to_be_visible()
    screenshot(page, "members")

    link = re.search(r"https?://\S+/accounts/invitations/\S+/", mail.outbox[-1].body)[0]
    colleague = browser.new_context(base_url=live_server.url).new_page()
    colleague.goto(link)
    colleague.get_by_role("link", name="Create an account and accept").click()
    sign_up(colleague, "sam_colleague", "sam@example.org")
    expect(colleague.get_by_role("heading", name="Peer support for carers")).to_be_visible()
    expect(colleague.get_by_role("link", name="New CMOC")).to_be_visible()  # an editor
    colleague.context.close()

    page.goto("/accounts/")
    page.get_by_label("Name").fill("analysis notebook")
    page.get_by_role("button", name="Create token").click()
    key = page.get_by_label("Your new token").input_value()
    assert api_status(live_server.url, key) == 200
    page.get_by_role("button", name="Revoke analysis notebook").click()
    expect(page.get_by_text("Revoked by its owner")).to_be_visible()
    assert api_status(live_server.url, key) == 401
