"""`manage.py import_review FILE`: restore a review from an export_review document."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.transfer import TransferRefused, import_review, parse_document
from reports.transfer.archive import import_archive, is_archive


class Command(BaseCommand):
    help = ("Restore a review exported with export_review, the JSON or the --archive zip "
            "(the review must not exist yet).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            with file.open("rb") as stream:  # read as it goes: the document may be large
                if is_archive(stream.read(4)):
                    stream.seek(0)
                    report = import_archive(handle=stream)
                else:
                    stream.seek(0)
                    report = import_review(document=parse_document(stream))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except TransferRefused as refusal:
            raise CommandError(refusal.message) from refusal
        for skipped in report.skipped:
            self.stdout.write(f"skipped in {skipped['section']}: {skipped['reason']}")
        for key in report.files.get("missing", []):
            self.stdout.write(f"no file in the archive for the full text of {key}")
        for blanked in report.blanked:
            self.stdout.write(f"left blank: {blanked['section']}.{blanked['field']}")
        self.stdout.write(self.style.SUCCESS(f"{report.review.slug}: {report.summary}"))
