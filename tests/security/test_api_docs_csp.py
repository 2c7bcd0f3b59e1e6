"""The interactive API docs work under the CSP: no inline script, the start-up script served."""

import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_it_serves_the_api_docs_without_inline_scripts(client, db):
    page = client.get("/api/docs/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert INLINE_SCRIPT.findall(body) == []
    [init] = [src for src in re.findall(r'<script src="([^"]+)"', body) if "swagger-ui" not in src
              or "init" in src]
    script = client.get(init)
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content
