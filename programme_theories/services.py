"""Writes to programme theories, shared by the browser and the API.

Keyword-only and one transaction each, with the same optimistic rule as
CMOCs (ichub.versioning): an edit names the version it started from and is
refused with StaleVersion if someone saved since, so no one's words are
silently overwritten.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ichub.ordering import move, save_last
from programme_theories.models import Framework, ProgrammeTheory, Theme

EDITABLE_FIELDS = ("name", "statement", "stage", "theme", "revises", "notes")


@transaction.atomic
def create_theory(*, review, user, **fields):
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in unknown})
    theory = ProgrammeTheory(review=review, created_by=user, updated_by=user, **fields)
    theory.full_clean()
    theory.save()
    return theory


@transaction.atomic
def update_theory(*, theory, user, expected_version, **fields):
    """Edit a theory if nobody changed it since `expected_version`; history keeps each edit."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited." for name in unknown})
    theory.claim_version(expected_version, user=user)
    theory.refresh_from_db()
    for name, value in fields.items():
        setattr(theory, name, value)
    theory.updated_by = user
    theory.full_clean()
    theory.save()
    return theory


@transaction.atomic
def delete_theory(*, theory, user, expected_version):
    """Delete a theory nobody changed since `expected_version`; its CMOCs stay, unassigned."""
    theory.claim_version(expected_version, user=user)
    theory.refresh_from_db()
    theory._history_user = user
    theory.delete()


@transaction.atomic
def revise_theory(*, theory, user, **fields):
    """A new theory that records which one it revises; the earlier one stays as it was."""
    return create_theory(review=theory.review, user=user, revises=theory, **fields)


@transaction.atomic
def delete_empty_theory(*, theory, user, expected_version):
    """Only a theory without CMOCs goes; one with CMOCs would leave them unassigned."""
    if theory.cmocs.exists():
        raise ValidationError("This theory still has CMOCs: move them to another theory first.")
    delete_theory(theory=theory, user=user, expected_version=expected_version)


@transaction.atomic
def delete_theme(*, theme, move_to=None):
    """Delete a theme, moving its theories to `move_to` or leaving them without a theme."""
    moved = ProgrammeTheory.objects.filter(theme=theme).update(theme=move_to)
    theme.delete()
    return moved


@transaction.atomic
def add_theme(*, form, framework):
    return save_last(form, framework.themes)


@transaction.atomic
def add_framework(*, form, review):
    return save_last(form, review.frameworks)


@transaction.atomic
def move_theme(*, theme, direction):
    """Swap with the neighbour above (-1) or below (+1) in its framework."""
    move(Theme.objects.filter(framework_id=theme.framework_id).order_by("order", "name", "pk"),
         theme, direction)


@transaction.atomic
def move_framework(*, framework, direction):
    """Swap with the neighbour above (-1) or below (+1) on the review's frameworks page."""
    move(Framework.objects.filter(review_id=framework.review_id)
         .order_by("order", "kind", "name", "pk"), framework, direction)
