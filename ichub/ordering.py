"""Rows a person orders by hand (definitions, frameworks, themes): add at the end, move one place.

Callers hold the transaction (their services are atomic); `move` locks every
sibling first, so two people moving at once apply one after the other and the
orders stay distinct.
"""

from django.db.models import Max


def save_last(form, siblings):
    """Save the form's new row after its `siblings` (0 for the first)."""
    last = siblings.aggregate(last=Max("order"))["last"]
    record = form.save(commit=False)
    record.order = 0 if last is None else last + 1
    record.save()
    return record


def move(siblings, record, direction):
    """Renumber the locked, ordered `siblings` 0..n-1 with `record` swapped with the
    neighbour above (-1) or below (+1); history notes each row whose order changed."""
    rows = list(siblings.select_for_update())
    index = next(i for i, row in enumerate(rows) if row.pk == record.pk)
    target = index + direction
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    for order, row in enumerate(rows):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])
