"""Writes that touch a review and its membership together."""

from django.db import transaction
from django.db.models import Max

from ichub.models import Membership, OperationalDefinition


@transaction.atomic
def create_review(*, form, user):
    """A new review, owned by the person who starts it (else nobody could manage it)."""
    review = form.save()
    Membership.objects.create(review=review, user=user, role=Membership.Role.OWNER)
    return review


@transaction.atomic
def add_definition(*, form, review):
    last = review.definitions.aggregate(last=Max("order"))["last"]
    definition = form.save(commit=False)
    definition.order = 0 if last is None else last + 1
    definition.save()
    return definition


@transaction.atomic
def move_definition(*, definition, direction):
    """Swap with the neighbour above (-1) or below (+1); renumber so orders stay distinct."""
    rows = list(OperationalDefinition.objects.select_for_update()
                .filter(review_id=definition.review_id).order_by("order", "element", "pk"))
    index = next(i for i, row in enumerate(rows) if row.pk == definition.pk)
    target = index + direction
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    for order, row in enumerate(rows):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])
