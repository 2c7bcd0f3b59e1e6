"""Resuming a cursor walk at a known row: the benchmark's deep page, and the cursor tests."""

from ichub.pagination import encode_cursor, ordering_keys, row_key, with_ordering_keys


def cursor_at(queryset, offset):
    """A cursor for the page starting at row `offset` of an ordered queryset.

    For resuming a walk at a known position (the benchmark's deep page);
    row 0 is the first page, whose cursor is empty."""
    if offset == 0:
        return ""
    keys = ordering_keys(queryset)
    ordered = with_ordering_keys(queryset, keys).order_by(*(key.order_by() for key in keys))
    return encode_cursor(keys, row_key(keys, ordered[offset - 1]))
