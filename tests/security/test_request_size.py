"""Oversized bodies get a clear 413 naming the limit, before any view reads them."""

import pytest

from cmocs.models import CMOC


@pytest.fixture
def small_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024


@pytest.mark.parametrize("path", ["/api/", "/accounts/login/", "/admin/login/"])
def test_it_answers_413_naming_the_limit_for_an_oversized_body(client, db, small_limit, path):
    response = client.post(path, data=b"x" * 2048, content_type="application/octet-stream")

    assert response.status_code == 413
    body = response.json()
    assert body["limit_bytes"] == 1024
    assert "2048 bytes" in body["detail"]


def test_it_refuses_an_oversized_upload_as_a_whole_and_writes_nothing(
    token_client, editor, review, small_limit
):
    before = CMOC.objects.count()
    client = token_client(editor)

    response = client.post(
        "/api/", {"file": ("big.ris", b"TY  - JOUR\n" * 500)}, format="multipart"
    )

    assert response.status_code == 413
    assert CMOC.objects.count() == before


def test_it_answers_400_for_a_content_length_that_is_not_a_number(client, db):
    response = client.post("/accounts/login/", data=b"", content_type="text/plain",
                           CONTENT_LENGTH="lots")

    assert response.status_code == 400
    assert "Content-Length" in response.json()["detail"]


def test_it_lets_a_body_under_the_limit_through(client, db, small_limit):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})

    assert response.status_code == 200  # the login form again, with its error
    assert b"correct username and password" in response.content
