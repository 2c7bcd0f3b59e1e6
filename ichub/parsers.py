"""The API's JSON parser: hostile bodies get 400 naming the problem, never a 500.

Python's decoder recurses once per nesting level, so a body nested ~1,000 deep
raised RecursionError (500), even at the anonymous token endpoint; and `1e400`
decodes to infinity, which later overflowed converting to an id. No request
body this API reads nests deeper than a handful of levels.
"""

import codecs
import json
import math

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is out of range")
    return value


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json.load(
                codecs.getreader(encoding)(stream),
                parse_float=_finite_float,
                parse_constant=_no_constant,
            )
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
