"""JSON rendering with orjson: the API's default renderer.

orjson encodes the nested dicts and lists a theory detail is made of several
times faster than the standard library, and encoding is a large share of a
big read (see BENCHMARKS.md). Output matches DRF's JSONRenderer defaults:
compact, UTF-8, not ASCII-escaped; types orjson does not know (Decimal, lazy
translation strings, querysets, ...) go through DRF's own encoder.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_NON_STR_KEYS
_drf_default = JSONEncoder().default


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        options = _OPTIONS
        if self.get_indent(accepted_media_type, renderer_context or {}):
            options |= orjson.OPT_INDENT_2  # orjson indents by two spaces only
        return orjson.dumps(data, default=_drf_default, option=options)
