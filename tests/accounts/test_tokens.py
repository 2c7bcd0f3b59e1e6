"""API tokens: named, listed by prefix only, revoked, rotated, expiring; the token endpoint."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APIToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def api_get(key):
    return APIClient().get("/api/reviews/", HTTP_AUTHORIZATION=f"Token {key}")


def test_it_makes_a_named_token_shown_once_and_listed_by_prefix_only(client, editor):
    client.force_login(editor)
    made = client.post("/accounts/tokens/", {"name": "analysis notebook"})
    key = made.context["new_key"]
    assert key in made.content.decode()
    token = APIToken.objects.get(user=editor)
    assert token.name == "analysis notebook" and key.startswith(token.prefix)
    assert key not in token.key_hash
    later = client.get("/accounts/").content.decode()
    assert "analysis notebook" in later and token.prefix in later and key not in later
    assert api_get(key).status_code == 200


def test_a_token_without_a_name_keeps_the_form_and_names_the_field(client, editor):
    client.force_login(editor)
    response = client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    assert not APIToken.objects.exists()


def test_a_revoked_token_stops_working(client, editor):
    token, key = APIToken.issue(user=editor, name="script")
    client.force_login(editor)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    response = api_get(key)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_rotating_gives_a_new_secret_and_ends_the_old_one(client, editor):
    token, old_key = APIToken.issue(user=editor, name="script")
    client.force_login(editor)
    response = client.post(f"/accounts/tokens/{token.pk}/rotate/")
    new_key = response.context["new_key"]
    assert api_get(old_key).status_code == 401
    assert api_get(new_key).status_code == 200
    assert APIToken.objects.get(rotated_from=token).name == "script"


def test_nobody_revokes_or_rotates_someone_elses_token(client, editor, outsider):
    token, key = APIToken.issue(user=editor, name="script")
    client.force_login(outsider)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.pk}/rotate/").status_code == 404
    assert api_get(key).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/accounts/")["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/tokens/", {"name": "x"})["Location"].startswith(
        "/accounts/login/")
    assert not APIToken.objects.exists()


def test_a_token_expires_after_the_configured_lifetime(editor, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    token, key = APIToken.issue(user=editor, name="script")
    assert token.expires_at - timezone.now() > timedelta(days=29)
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_get(key)
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_lifetime_of_zero_means_tokens_never_expire(editor, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 0
    token, _ = APIToken.issue(user=editor, name="script")
    assert token.expires_at is None


def test_the_token_endpoint_makes_a_new_named_token_each_time(editor):
    client = APIClient()
    first = client.post("/api/auth/token/", {"username": editor.username, "password": PASSWORD,
                                             "name": "ci"}, format="json")
    second = client.post("/api/auth/token/", {"username": editor.username, "password": PASSWORD})
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert set(APIToken.objects.values_list("name", flat=True)) == {
        "ci", "From POST /api/auth/token/"}


def test_the_token_endpoint_locks_out_with_429_and_retry_after(editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    wrong = [client.post("/api/auth/token/", {"username": editor.username, "password": "guess"})
             for _ in range(3)]
    right = client.post("/api/auth/token/", {"username": editor.username, "password": PASSWORD})
    assert [r.status_code for r in wrong] == [400, 400, 429]
    assert right.status_code == 429
    assert int(right["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "too many login attempts" in right.json()["detail"].lower()
    assert not APIToken.objects.exists()


def test_an_operator_revokes_a_token_in_the_admin_without_seeing_its_secret(client, staff,
                                                                             editor):
    token, key = APIToken.issue(user=editor, name="script")
    client.force_login(staff)
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in page and token.key_hash not in page
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert api_get(key).status_code == 401
