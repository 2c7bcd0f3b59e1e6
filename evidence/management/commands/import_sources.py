"""`manage.py import_sources REVIEW_SLUG FILE`: add a file's new references to a review."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.importers import ImportRefused
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from ichub.models import Review


class Command(BaseCommand):
    help = (
        "Import sources from an RIS, BibTeX, PubMed (.nbib) or Web of Science file. "
        "Duplicates (same DOI, or same title and year) are reported, not added."
    )

    def add_arguments(self, parser):
        parser.add_argument("review_slug")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--kind",
            default=SourceDocument.Kind.EMPIRICAL_STUDY,
            choices=SourceDocument.Kind.values,
        )
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument(
            "--encoding", default="", help="The file's encoding, if not UTF-8 (e.g. gbk, cp1252)."
        )
        parser.add_argument(
            "--import-positions",
            default="",
            help="Comma-separated record numbers of possible duplicates to import as new sources, "
            "or 'all'.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the good records of a file that has bad ones (default: refuse it all).",
        )

    def handle(self, *args, review_slug, file, kind, dry_run, skip_invalid, **options):
        import_all_possible = options["import_positions"].strip() == "all"
        positions = [p.strip() for p in options["import_positions"].split(",") if p.strip()]
        if not import_all_possible and not all(p.isdigit() for p in positions):
            raise CommandError("--import-positions takes record numbers, e.g. 3,5, or 'all'.")
        review = Review.objects.filter(slug=review_slug).first()
        if review is None:
            raise CommandError(f"No review with slug {review_slug!r}.")
        try:
            stream = file.open("rb")  # read as the import goes, never whole (RIS, nbib, WoS)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            with stream:
                report = import_sources(
                    review=review,
                    data=stream,
                    filename=file.name,
                    kind=kind,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    encoding=options["encoding"],
                    import_positions=[] if import_all_possible else [int(p) for p in positions],
                    import_all_possible=import_all_possible,
                )
        except ImportRefused as refusal:
            for rejected in refusal.report.rejected if refusal.report else []:
                self.stderr.write(f"record {rejected['position']}: {rejected['reason']}")
            raise CommandError(refusal.message) from refusal
        for duplicate in report.duplicates:
            of = duplicate.get("citation_key") or f"record {duplicate.get('in_file_position')}"
            self.stdout.write(f"record {duplicate['position']}: duplicate of {of}")
        for possible in report.possible_duplicates:
            verdict = "imported" if possible["imported"] else "held back"
            of = possible.get("citation_key") or f"record {possible.get('in_file_position')}"
            self.stdout.write(
                f"record {possible['position']}: possible duplicate of {of} "
                f"(differs in {', '.join(possible['differs_in'])}): {verdict}"
            )
        for note in report.notes:
            self.stdout.write(f"record {note['position']}: {note['note']}")
        for rejected in report.rejected:
            self.stdout.write(f"record {rejected['position']}: skipped: {rejected['reason']}")
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary}"))
