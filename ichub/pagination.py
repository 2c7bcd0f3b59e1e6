"""The API's pagination: page numbers, or keyset cursors for walking big lists.

Page numbers (`?page=N`) make the database read and discard every earlier
row, so page 1,000 of the excerpts costs several times page 1 (BENCHMARKS.md,
scenario 2). `?cursor=` instead starts each page right after the last row of
the one before: the cursor holds that row's whole ordering key, ending with
its id, and the page is `WHERE (a, b, id) > (x, y, z)`, which an index on the
ordering serves directly at any depth.
"""

import datetime
import decimal
import hashlib
import uuid
from dataclasses import dataclass

from django.core import signing
from django.db.models import F, OrderBy, Q
from django.db.models.constants import LOOKUP_SEP
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR_SALT = "ichub.pagination.cursor"
FORWARD, BACKWARD = "n", "p"
BAD_CURSOR = "Invalid cursor: follow the `next` or `previous` link, or send `cursor=` to start."


@dataclass(frozen=True)
class OrderingKey:
    """One ORDER BY term, read back under `alias` so its value can be put in a cursor."""

    alias: str
    expression: object
    descending: bool
    nullable: bool

    def order_by(self, reverse=False):
        descending = self.descending != reverse
        # NULLs always sort after values in reading order (the two databases
        # disagree by default), so the condition below knows where they are.
        # Only nullable keys say so: NULLS LAST on a NOT NULL column would stop
        # SQLite from reading the order off an index.
        nulls = {"nulls_first" if reverse else "nulls_last": True} if self.nullable else {}
        return OrderBy(F(self.alias), descending=descending, **nulls)

    def after(self, value):
        """Rows strictly after `value` on this key, in reading order."""
        lookup = "lt" if self.descending else "gt"
        if not self.nullable:
            return Q(**{f"{self.alias}__{lookup}": value})
        if value is None:
            return Q(pk__in=[])
        return Q(**{f"{self.alias}__{lookup}": value}) | Q(**{f"{self.alias}__isnull": True})

    def before(self, value):
        lookup = "gt" if self.descending else "lt"
        if value is None:
            return Q(**{f"{self.alias}__isnull": False})
        return Q(**{f"{self.alias}__{lookup}": value})

    def not_before(self, value):
        """`a >= x` as one lookup, not `a > x OR a = x`, so an index scan can start at x."""
        if value is None:
            return self.equal(None)  # NULLs come last
        bound = Q(**{f"{self.alias}__{'lte' if self.descending else 'gte'}": value})
        return bound | Q(**{f"{self.alias}__isnull": True}) if self.nullable else bound

    def not_after(self, value):
        if value is None:
            return Q()
        return Q(**{f"{self.alias}__{'gte' if self.descending else 'lte'}": value})

    def equal(self, value):
        if value is None:
            return Q(**{f"{self.alias}__isnull": True})
        return Q(**{self.alias: value})


def _path_is_nullable(model, path):
    """Whether a field path (`theme__order`) can read as NULL: a nullable hop or field."""
    for name in path.split(LOOKUP_SEP):
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.null:
            return True
        if field.is_relation and field.related_model is not None:
            if not (field.many_to_one or field.one_to_one) or field.auto_created:
                return True  # a reverse or many-to-many hop can find no row at all
            model = field.related_model
    return False


def _expression_is_nullable(model, expression):
    if isinstance(expression, F):
        return _path_is_nullable(model, expression.name)
    return any(_expression_is_nullable(model, source)
               for source in expression.get_source_expressions() if source is not None)


def ordering_keys(queryset):
    """The queryset's ORDER BY as keys, made unique by ending with the pk."""
    model = queryset.model
    terms = list(queryset.query.order_by or model._meta.ordering or ())
    keys = []
    for index, term in enumerate(terms):
        descending = False
        if isinstance(term, str):
            descending = term.startswith("-")
            expression = F(term.lstrip("-"))
        elif isinstance(term, OrderBy):
            expression, descending = term.expression, term.descending
        else:
            expression = term
        keys.append(OrderingKey(f"_cursor_{index}", expression, descending,
                                _expression_is_nullable(model, expression)))
    if not keys or not _is_pk(model, keys[-1].expression):
        keys.append(OrderingKey(f"_cursor_{len(keys)}", F("pk"), False, False))
    return keys


def _is_pk(model, expression):
    return isinstance(expression, F) and expression.name in ("pk", model._meta.pk.attname,
                                                             model._meta.pk.name)


def _signature(keys):
    """Names the ordering a cursor belongs to, so one list's cursor is refused by another."""
    text = "|".join(f"{'-' if key.descending else ''}{key.expression!r}" for key in keys)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _json_value(value):
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal | uuid.UUID):
        return str(value)  # the field's lookup parses it back
    return value


def encode_cursor(keys, values, direction=FORWARD):
    """An opaque, signed cursor for the rows after (or before) one ordering key."""
    payload = {"o": _signature(keys), "d": direction, "v": [_json_value(v) for v in values]}
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def decode_cursor(keys, token):
    """(direction, values) of a cursor this list made; a 400 naming `cursor` otherwise."""
    try:
        payload = signing.loads(token, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise ValidationError({"cursor": [BAD_CURSOR]}) from exc
    if (
        not isinstance(payload, dict)
        or payload.get("o") != _signature(keys)
        or payload.get("d") not in (FORWARD, BACKWARD)
        or not isinstance(payload.get("v"), list)
        or len(payload["v"]) != len(keys)
        or not all(isinstance(v, str | int | float | bool | None) for v in payload["v"])
    ):
        raise ValidationError({"cursor": [BAD_CURSOR]})
    return payload["d"], payload["v"]


def keyset_condition(keys, values, direction=FORWARD):
    """`(a, b, id) > (x, y, z)` as Q objects, led by `a >= x` so an index can start there."""
    forward = direction == FORWARD
    step = OrderingKey.after if forward else OrderingKey.before
    condition = Q(pk__in=[])
    for index, key in enumerate(keys):
        term = step(key, values[index])
        for earlier, value in zip(keys[:index], values[:index], strict=True):
            term &= earlier.equal(value)
        condition |= term
    bound = OrderingKey.not_before if forward else OrderingKey.not_after
    return bound(keys[0], values[0]) & condition


def with_ordering_keys(queryset, keys):
    return queryset.annotate(**{key.alias: key.expression for key in keys})


def row_key(keys, row):
    return [getattr(row, key.alias) for key in keys]


class StandardPagination(PageNumberPagination):
    """`?page=N&page_size=M` (50 rows a page by default, at most 500), or `?cursor=`.

    With `cursor` in the query (empty for the first page) the response is
    `{next, previous, results}` with no count: counting would read the whole
    list, which is what cursors avoid.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def get_page_size(self, request):
        """`page_size` is a whole number from 1 (above max_page_size reads as the maximum);
        anything else is a 400, not silently the default."""
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        if not (given.isascii() and given.isdigit()) or int(given) < 1:
            raise ValidationError({self.page_size_query_param: [
                f"A whole number from 1 (at most {self.max_page_size} rows are sent)."
            ]})
        return min(int(given), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        # `page` is a whole number from 1 in either mode: `?page=null&cursor=` used to be
        # read as a first cursor page, `?page=last` as the last page; the schema says integer.
        page = request.query_params.get(self.page_query_param)
        if page is not None and not (page.isascii() and page.isdigit() and int(page) >= 1):
            raise ValidationError({self.page_query_param: ["A whole number from 1."]})
        self.cursor_mode = self.cursor_query_param in request.query_params
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request)
        keys = ordering_keys(queryset)
        token = request.query_params[self.cursor_query_param]
        direction, values = decode_cursor(keys, token) if token else (FORWARD, None)
        queryset = with_ordering_keys(queryset, keys)
        if values is not None:
            queryset = queryset.filter(keyset_condition(keys, values, direction))
        reverse = direction == BACKWARD
        rows = list(queryset.order_by(*(key.order_by(reverse) for key in keys))[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        has_next, has_previous = (True, more) if reverse else (more, values is not None)
        self.next_cursor = self.previous_cursor = None
        if rows and has_next:
            self.next_cursor = encode_cursor(keys, row_key(keys, rows[-1]), FORWARD)
        if rows and has_previous:
            self.previous_cursor = encode_cursor(keys, row_key(keys, rows[0]), BACKWARD)
        return rows

    def _cursor_link(self, token):
        if token is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, token)

    def get_paginated_response(self, data):
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        return Response({
            "next": self._cursor_link(self.next_cursor),
            "previous": self._cursor_link(self.previous_cursor),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["next", "previous", "results"]
        paginated["properties"]["count"]["description"] = "All matching rows (page numbers only)."
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:  # page and page_size: whole numbers from 1
            if parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
        return [*parameters, {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": (
                "Keyset pagination: send it empty for the first page, then follow `next` or "
                "`previous`. The response then has no `count`, and `page` is ignored."
            ),
            "schema": {"type": "string"},
        }]
