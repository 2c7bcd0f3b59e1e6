"""Optimistic concurrency for records people edit by hand.

CMOCs and programme theories are VersionedRecords; reviews, operational
definitions, frameworks, themes and sources carry just the version (Versioned).

Two researchers may open the same CMOC, edit it, and save. Whoever saves
second started from a version that no longer exists; saving anyway would
silently overwrite the first person's words. So every such record carries a
version number, an edit names the version it started from, and the save is
refused (StaleVersion; 412 over the API) if someone saved in between.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from simple_history.models import HistoricalRecords


class StaleVersion(Exception):
    """The caller edited a version of the record that someone else has since changed."""

    def __init__(self, current_version):
        super().__init__(f"The record is now at version {current_version}.")
        self.current_version = current_version


class Versioned(models.Model):
    """A version number that every hand edit claims (see claim_version)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def claim_version(self, expected_version, *, user):
        """Take the next version if the stored one is still `expected_version`, else StaleVersion.

        The check and the bump are one conditional UPDATE, so of two editors who
        started from the same version exactly one wins, whatever the timing; the
        caller then writes its change (and its history entry) inside the same
        transaction. This copy's version follows, so a plain save() after the
        claim keeps the new number.
        """
        has_editor = any(f.name == "updated_by" for f in self._meta.concrete_fields)
        claim_next_version(self, expected_version, **({"updated_by": user} if has_editor else {}))
        self.version = expected_version + 1


class VersionedRecord(Versioned):
    """A hand-curated record: its version, who made and last changed it, when, and its history.

    Each concrete model keeps its own `<name>_version_positive` check constraint
    (constraint names are per table).
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


def claim_next_version(record, expected_version, **updates):
    """Bump `record`'s version if it is still `expected_version` (one conditional UPDATE).

    Also for small records with a `version` column but no VersionedRecord base
    (method statements, quality ratings): `updates` are written in the same
    UPDATE. Raises StaleVersion with the stored version (None if the row is gone).
    """
    manager = type(record)._base_manager
    claimed = manager.filter(pk=record.pk, version=expected_version).update(
        version=F("version") + 1, **updates
    )
    if not claimed:
        raise StaleVersion(manager.filter(pk=record.pk).values_list("version", flat=True).first())
