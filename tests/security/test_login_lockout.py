"""Login brute force: django-axes locks a username out after repeated failures; unlock works."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.conftest import PASSWORD, make_user

# The admin's login form: always present, and the one most worth guessing at.
LOGIN = "/admin/login/"


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


@pytest.fixture
def second_staff(db):
    return make_user("sam_staff", is_staff=True)


def attempt(client, user, password):
    return client.post(LOGIN, {"username": user.username, "password": password})


def test_it_locks_the_username_out_after_the_failure_limit_even_with_the_right_password(
    client, staff, limit
):
    failures = [attempt(client, staff, "guess").status_code for _ in range(limit - 1)]
    locking = attempt(client, staff, "guess")
    right_password = attempt(client, staff, PASSWORD)

    assert failures == [200] * (limit - 1)  # the form again, with an error
    assert locking.status_code == 429
    assert right_password.status_code == 429
    assert b"too many login attempts" in right_password.content.lower()
    assert "_auth_user_id" not in client.session
    # The refused attempt with the right password counts too: a lock-out is not an oracle.
    assert AccessAttempt.objects.get(username=staff.username).failures_since_start == limit + 1


def test_it_unlocks_with_the_admin_command_and_lets_the_right_password_in(client, staff, limit):
    for _ in range(limit):
        attempt(client, staff, "guess")
    assert attempt(client, staff, PASSWORD).status_code == 429

    call_command("axes_reset_username", staff.username, verbosity=0)
    after = attempt(client, staff, PASSWORD)

    assert after.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert not AccessAttempt.objects.filter(username=staff.username).exists()


def test_it_does_not_lock_out_another_user_from_the_same_address(
    client, staff, second_staff, limit
):
    for _ in range(limit):
        attempt(client, staff, "guess")

    other = attempt(client, second_staff, PASSWORD)

    assert other.status_code == 302
    assert client.session["_auth_user_id"] == str(second_staff.pk)


def test_it_forgets_earlier_failures_after_a_successful_login(client, staff, limit):
    for _ in range(limit - 1):
        attempt(client, staff, "guess")
    assert attempt(client, staff, PASSWORD).status_code == 302
    client.logout()

    for _ in range(limit - 1):
        attempt(client, staff, "guess")
    again = attempt(client, staff, PASSWORD)

    assert again.status_code == 302
