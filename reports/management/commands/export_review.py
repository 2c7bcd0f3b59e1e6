"""`manage.py export_review SLUG -o FILE`: the whole review as one JSON document."""

import sys

from django.core.management.base import BaseCommand, CommandError

from ichub.models import Review
from reports.transfer import export_review_chunks
from reports.transfer.archive import write_archive


class Command(BaseCommand):
    help = "Export a review (theories, CMOCs, sources, evidence, lineage…) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", help="File to write (default: standard output)")
        parser.add_argument("--archive", action="store_true",
                            help="Write a zip of the document and its stored full-text files "
                                 "(needs --output)")

    def handle(self, *args, slug, output, archive, **options):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review with slug {slug!r}.")
        if archive:
            if output in (None, "-"):
                raise CommandError("--archive writes a zip: give the file with -o.")
            with open(output, "wb") as handle:
                missing = write_archive(review, handle)
            for name in missing:
                self.stderr.write(f"not in the archive (missing from storage): {name}")
            self.stderr.write(f"{slug}: written to {output}")
            return
        if output in (None, "-"):
            for chunk in export_review_chunks(review):
                sys.stdout.write(chunk)
            return
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            for chunk in export_review_chunks(review):
                handle.write(chunk)
        self.stderr.write(f"{slug}: written to {output}")
