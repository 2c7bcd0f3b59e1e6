"""Load the reviews ichub ships with, once.

`make run` calls this on every start, so it must be idempotent: a review whose
slug is already in the database is left alone (it may have been curated since).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from ichub.models import Review

# (slug of the review, fixtures that hold it), in load order: the case study
# tests the 2024 review's theories, so the 2024 review must exist first. The
# SCIE 2018 report is a grey-literature source of the 2024 review, kept in its
# own file because it also brings a second framework and its own excerpts.
SHIPPED_REVIEWS = [
    ("ics-leadership-rapid-realist-review-2024", ["ics_leadership_review", "scie_2018_report"]),
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
                call_command("loaddata", *fixtures, verbosity=0)
            self.stdout.write(self.style.SUCCESS(f"{slug}: loaded from {', '.join(fixtures)}"))
