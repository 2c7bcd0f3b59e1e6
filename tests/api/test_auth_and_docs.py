"""Token auth, the browsable root, the OpenAPI schema and the docs (assets served locally)."""

import pytest

from accounts.models import APIToken, hash_key
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_issues_a_token_for_good_credentials_only(world, client, editor):
    good = client.post("/api/auth/token/", {"username": editor.username, "password": PASSWORD},
                       content_type="application/json")
    assert good.status_code == 200
    assert APIToken.objects.get(user=editor).key_hash == hash_key(good.json()["token"])
    bad = client.post("/api/auth/token/", {"username": editor.username, "password": "nope"},
                      content_type="application/json")
    assert bad.status_code == 400 and "token" not in bad.json()


def test_it_authenticates_by_token_and_by_session(world, client, editor, token_client):
    assert token_client(editor).get("/api/reviews/test-review/").status_code == 200
    client.force_login(editor)
    assert client.get("/api/reviews/test-review/").status_code == 200


def test_it_answers_401_to_an_anonymous_write_and_a_bad_token(world, token_client, client):
    response = token_client(None).post("/api/contexts/", {"review": "test-review", "text": "x"})
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    bad = client.get("/api/reviews/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.status_code == 401


def test_it_serves_the_browsable_root(db, client):
    response = client.get("/api/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    for name in ("reviews", "theories", "cmocs", "sources", "excerpts", "evidence-links"):
        assert f"/api/{name}/" in response.content.decode()


def test_it_serves_the_openapi_schema_with_the_contract_paths(db, client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/cmocs/{id}/lineage/", "/api/cmocs/merge/", "/api/cmocs/{id}/refine/",
                 "/api/cmocs/{id}/split/", "/api/cmocs/{id}/drop/", "/api/theories/{id}/",
                 "/api/reviews/{slug}/flow/", "/api/reviews/{slug}/matrix/",
                 "/api/evidence-links/", "/api/auth/token/"):
        assert path in schema["paths"], path
    patch = schema["paths"]["/api/cmocs/{id}/"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])


def test_it_serves_the_docs_without_a_cdn(db, client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
