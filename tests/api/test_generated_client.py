"""A client generated from our OpenAPI schema by openapi-python-client works.

Generated code is only as good as the schema: when every JSON write declared
JSON, form and multipart bodies (DRF's default parsers) the generator could not
express the union and every write module failed to import. This test generates
a client with the real generator (its CLI, as a user would run it), imports
every operation module, and drives a small review through a live server: create
a review and two CMOCs, an If-Match edit (a stale ETag is refused with 412),
and a merge.
"""

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import APIToken
from cmocs.models import CMOC
from tests.api.test_schemathesis import _api_schema
from tests.conftest import make_user

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "ichub_generated_client"


@pytest.fixture
def generated_client(tmp_path, monkeypatch):
    """The generated package, importable as PACKAGE (and forgotten afterwards)."""
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(_api_schema()))
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))  # no formatter run: the code as generated
    subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema_path), "--meta", "none",
         "--output-path", str(tmp_path / PACKAGE), "--config", str(config), "--fail-on-warning"],
        check=True, capture_output=True, text=True,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


UPLOADS = {("post", "/api/reviews/import/"), ("post", "/api/sources/import/"),
           ("post", "/api/sources/{id}/full-text/"), ("post", "/api/reviews/{slug}/qda-import/")}


def test_it_declares_one_request_body_type_json_but_for_uploads():
    bodies = {(method, path): list(operation["requestBody"]["content"])
              for path, item in _api_schema()["paths"].items()
              for method, operation in item.items() if "requestBody" in operation}
    assert {key for key, types in bodies.items() if types == ["multipart/form-data"]} == UPLOADS
    assert all(types == ["application/json"] for key, types in bodies.items()
               if key not in UPLOADS)


def test_it_refuses_a_form_body_to_a_json_write_with_415(client, editor, token_client, review):
    form = client.post("/api/auth/token/", {"username": editor.username, "password": "x"})
    assert form.status_code == 415
    multipart = token_client(editor).post(
        "/api/cmocs/", {"review": review.slug, "code": "CMOC 1", "statement": "s"},
        format="multipart",
    )
    assert multipart.status_code == 415 and not CMOC.objects.exists()


def _import_every_operation(package):
    api = importlib.import_module(f"{package.__name__}.api")
    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}.")
               if not info.ispkg]
    return {module.__name__.rsplit(".", 1)[1]: module for module in modules}


def test_it_generates_a_client_whose_every_operation_imports_and_works(generated_client,
                                                                        live_server):
    operations = _import_every_operation(generated_client)
    schema = _api_schema()
    declared = sum(1 for path in schema["paths"].values() for method in path
                   if method in {"get", "post", "put", "patch", "delete"})
    assert len(operations) == declared  # one module per operation, and each imported
    for module in operations.values():
        assert callable(module.sync_detailed)

    models = importlib.import_module(f"{PACKAGE}.models")
    editor = make_user("gen_client_editor")
    _, key = APIToken.issue(user=editor, name="generated client")
    client = generated_client.AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
    )

    made = operations["reviews_create"].sync_detailed(
        client=client, body=models.ReviewRequest(slug="generated", title="Via a generated client")
    )
    assert made.status_code == 201 and made.parsed.slug == "generated"
    first, second = (
        operations["cmocs_create"].sync_detailed(client=client, body=models.CMOCRequest(
            review="generated", code=code, statement=f"{code}: when trust, then uptake."
        )).parsed
        for code in ("CMOC 1", "CMOC 2")
    )

    read = operations["cmocs_retrieve"].sync_detailed(client=client, id=str(first.id))
    assert read.status_code == 200 and read.parsed.code == "CMOC 1"
    etag = read.headers["ETag"]
    edit = operations["cmocs_partial_update"]
    edited = edit.sync_detailed(client=client, id=str(first.id), if_match=etag,
                                body=models.PatchedCMOCRequest(statement="Sharper."))
    assert edited.status_code == 200 and edited.parsed.statement == "Sharper."
    stale = edit.sync_detailed(client=client, id=str(first.id), if_match=etag,
                               body=models.PatchedCMOCRequest(statement="Lost update."))
    assert stale.status_code == 412
    assert CMOC.objects.get(pk=first.id).statement == "Sharper."

    merged = operations["cmocs_merge_create"].sync_detailed(client=client, body=models.MergeRequest(
        rationale="Same mechanism.", code="CMOC 3", statement="Trust drives uptake.",
        inputs=[first.id, second.id],
    ))
    assert merged.status_code == 201
    assert [output.code for output in merged.parsed.outputs] == ["CMOC 3"]
    assert set(CMOC.objects.filter(review__slug="generated").values_list("code", flat=True)) == {
        "CMOC 1", "CMOC 2", "CMOC 3"
    }
