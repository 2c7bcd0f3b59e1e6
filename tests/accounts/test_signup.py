"""Sign-up, closed sign-up with invitations, password change and reset by email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import APIToken
from ichub.models import Membership
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a much longer new passphrase"


def sign_up(client, username="nora_new", email="nora@example.org", password=PASSWORD, url=None):
    return client.post(url or "/accounts/signup/", {
        "username": username, "email": email, "password1": password, "password2": password,
    })


def test_it_signs_up_a_new_user_and_logs_them_in(client):
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    user = get_user_model().objects.get(username="nora_new")
    assert user.email == "nora@example.org"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_keeps_the_typing_and_names_the_field_when_the_password_is_weak(client):
    response = sign_up(client, password="password")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="nora_new"' in body and 'value="nora@example.org"' in body
    assert 'id="id_password2_error"' in body and "too common" in body
    assert not get_user_model().objects.filter(username="nora_new").exists()


def test_it_refuses_a_taken_username_naming_the_field(client, owner):
    response = sign_up(client, username=owner.username)
    assert response.status_code == 200
    assert 'id="id_username_error"' in response.content.decode()


def test_it_closes_open_sign_up_when_the_operator_says_so(client, settings):
    settings.SIGNUP_OPEN = False
    assert client.get("/accounts/signup/").status_code == 403
    assert sign_up(client).status_code == 403
    assert not get_user_model().objects.filter(username="nora_new").exists()
    assert b"Sign up" not in client.get("/accounts/login/").content


def test_an_email_invitation_lets_someone_sign_up_while_sign_up_is_closed(
    client, settings, review, owner
):
    settings.SIGNUP_OPEN = False
    client.force_login(owner)
    client.post("/reviews/test-review/members/", {"invitee": "nora@example.org",
                                                  "role": "editor"})
    client.logout()
    link = re.search(r"http://testserver(/accounts/invitations/\S+/)", mail.outbox[0].body)[1]

    page = client.get(link)
    signup_url = re.search(r'href="(/accounts/signup/\?invitation=[^"]+)"',
                           page.content.decode())[1]
    response = sign_up(client, url=signup_url.replace("&amp;", "&"))

    assert response.status_code == 302 and response["Location"] == "/reviews/test-review/"
    nora = get_user_model().objects.get(username="nora_new")
    assert Membership.objects.get(review=review, user=nora).role == "editor"
    assert client.get(link).status_code == 404  # used once


def test_it_changes_the_password_and_revokes_the_users_tokens(client, editor):
    token, key = APIToken.issue(user=editor, name="notebook")
    client.force_login(editor)
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_reason == "password_changed"
    assert client.get("/api/reviews/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_a_wrong_old_password_keeps_the_form_and_names_the_field(client, editor):
    client.force_login(editor)
    response = client.post("/accounts/password_change/", {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in response.content.decode()


def test_it_resets_a_forgotten_password_by_email(client, editor):
    editor.email = "eddie@example.org"
    editor.save()
    _, key = APIToken.issue(user=editor, name="script")
    assert client.post("/accounts/password_reset/",
                       {"email": "eddie@example.org"}).status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password(NEW_PASSWORD)
    assert client.get("/api/reviews/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_the_web_login_lockout_answers_429_with_retry_after(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/accounts/login/", {"username": editor.username, "password": "guess"})
    locked = client.post("/accounts/login/", {"username": editor.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "_auth_user_id" not in client.session
