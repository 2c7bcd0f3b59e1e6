"""Security headers on a page, the API and the admin: every surface, one policy."""

import pytest

SURFACES = ["/", "/api/", "/admin/login/"]


@pytest.fixture
def production_transport(settings):
    """HSTS as production sends it (it is only ever sent over HTTPS)."""
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = False


@pytest.mark.parametrize("path", SURFACES)
def test_it_sends_the_security_headers(client, db, production_transport, path):
    response = client.get(path, secure=True)

    assert response.status_code == 200, response.content[:300]
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def test_it_redirects_plain_http_to_https_in_production_but_not_the_health_check(
    client, db, settings
):
    settings.SECURE_SSL_REDIRECT = True

    page = client.get("/")
    health = client.get("/healthz")

    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert health.status_code == 200
