"""Load the reviews ichub ships with, once.

`make run` calls this on every start, so it must be idempotent: a review whose
slug is already in the database is left alone (it may have been curated since).

loaddata saves rows raw, which django-simple-history does not record, so a
shipped CMOC would have no history until its first edit and that edit would
show no "before". Each load therefore writes one baseline '+' record for every
row that has none, in one INSERT ... SELECT per model.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from evidence.screening.states import refresh_states
from ichub.bulk.history import insert_creation_history
from ichub.models import Review

BASELINE_REASON = "Loaded from the shipped fixtures"

# (slug of the review, fixtures that hold it), in load order: the case study's
# evidence bears on the 2024 review's theories, so the 2024 review must exist
# first. The SCIE 2018 report is a grey-literature source of the 2024 review and
# a record of its own, holding its framework and excerpts (the 2024 review never
# uses that framework).
SHIPPED_REVIEWS = [
    ("ics-leadership-rapid-realist-review-2024", ["ics_leadership_review"]),
    ("scie-2018-leadership-in-integrated-care-systems", ["scie_2018_report"]),
    ("ics-leadership-case-study-2025", ["ics_case_study_2025"]),
]


class Command(BaseCommand):
    help = "Load the shipped reviews into the database unless they are already there."

    def handle(self, *args, **options):
        for slug, fixtures in SHIPPED_REVIEWS:
            if Review.objects.filter(slug=slug).exists():
                self.stdout.write(f"{slug}: already loaded, left as it is")
                continue
            with transaction.atomic():
                before = set(Review.objects.values_list("pk", flat=True))
                call_command("loaddata", *fixtures, verbosity=0)
                write_baseline_history()
                # loaddata writes decisions raw: settle the new reviews' screening states.
                for review in Review.objects.exclude(pk__in=before):
                    refresh_states(review=review)
            self.stdout.write(self.style.SUCCESS(f"{slug}: loaded from {', '.join(fixtures)}"))


def write_baseline_history():
    """A '+' history record for every history-tracked row that has none yet."""
    written = 0
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name is None:
            continue
        history = getattr(model, manager_name).model
        recorded = history.objects.values(model._meta.pk.attname)
        pks = model._default_manager.exclude(pk__in=recorded).values_list("pk", flat=True)
        written += insert_creation_history(model, list(pks), change_reason=BASELINE_REASON)
    # Check the new rows' deferred foreign keys now, as loaddata does for its own rows, so no
    # trigger events stay pending in the transaction (PostgreSQL refuses to TRUNCATE then).
    connection.check_constraints()
    return written
