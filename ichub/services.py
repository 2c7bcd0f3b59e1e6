"""Writes that touch a review and its membership together."""

from django.db import transaction

from ichub.models import Membership, OperationalDefinition
from ichub.ordering import move, save_last


@transaction.atomic
def create_review(*, form, user):
    """A new review, owned by the person who starts it (else nobody could manage it)."""
    review = form.save()
    Membership.objects.create(review=review, user=user, role=Membership.Role.OWNER)
    return review


@transaction.atomic
def add_definition(*, form, review):
    return save_last(form, review.definitions)


@transaction.atomic
def move_definition(*, definition, direction):
    """Swap with the neighbour above (-1) or below (+1); renumber so orders stay distinct."""
    move(OperationalDefinition.objects.filter(review_id=definition.review_id)
         .order_by("order", "element", "pk"), definition, direction)
