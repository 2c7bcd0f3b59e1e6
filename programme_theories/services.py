"""Writes to programme theories, shared by the browser and the API.

Keyword-only and one transaction each, with the same optimistic rule as
CMOCs (ichub.versioning): an edit names the version it started from and is
refused with StaleVersion if someone saved since, so no one's words are
silently overwritten.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from programme_theories.models import ProgrammeTheory

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
