"""The orjson renderer gives the same JSON DRF's own renderer gives."""

import datetime
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from ichub.renderers import ORJSONRenderer

DATA = ReturnDict(
    {
        "title": "Leadership — “relational”",
        "count": 3,
        "ratio": 0.5,
        "ok": True,
        "missing": None,
        "amount": decimal.Decimal("1.50"),
        "label": gettext_lazy("Included"),
        "when": datetime.date(2024, 5, 1),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "tags": ("a", "b"),
        "nested": [{"k": [1, 2, {"deep": "x"}]}],
        7: "non-string key",
    },
    serializer=None,
)


def test_it_renders_what_drfs_json_renderer_renders():
    ours = ORJSONRenderer().render(DATA)
    theirs = JSONRenderer().render(DATA)
    assert json.loads(ours) == json.loads(theirs)
    assert "“relational”".encode() in ours  # UTF-8, not \u-escaped, like DRF's default


def test_it_renders_nothing_for_no_data_and_indents_when_asked():
    assert ORJSONRenderer().render(None) == b""
    indented = ORJSONRenderer().render({"a": [1]}, "application/json; indent=4")
    assert indented == b'{\n  "a": [\n    1\n  ]\n}'


def test_it_is_the_apis_default_renderer(settings):
    renderers = settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    assert renderers[0] == "ichub.renderers.ORJSONRenderer"
