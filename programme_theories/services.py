"""Writes to programme theories, shared by the browser and the API.

Keyword-only and one transaction each, with the same optimistic rule as
CMOCs: an edit names the version it started from and is refused if someone
saved since, so no one's words are silently overwritten.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from cmocs.services import StaleVersion
from programme_theories.models import ProgrammeTheory

EDITABLE_FIELDS = ("name", "statement", "stage", "theme", "revises", "notes")


@transaction.atomic
def update_theory(*, theory, user, expected_version, **fields):
    """Edit a theory in place if nobody changed it since `expected_version`.

    The conditional UPDATE claims the row first, so of two simultaneous
    editors exactly one wins; the full save then records one history entry.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited." for name in unknown})
    claimed = ProgrammeTheory.objects.filter(pk=theory.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        current = (
            ProgrammeTheory.objects.filter(pk=theory.pk).values_list("version", flat=True).first()
        )
        raise StaleVersion(current)
    theory.refresh_from_db()
    for name, value in fields.items():
        setattr(theory, name, value)
    theory.updated_by = user
    theory.full_clean()
    theory.save()
    return theory
