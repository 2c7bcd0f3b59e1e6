"""`manage.py sweep_job_files`: delete uploads and results of jobs that are done with them.

Run it daily (cron or a systemd timer, README "Deploying"); `manage.py worker`
also runs one bounded sweep when it starts.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from ichub.jobs.files import sweep


class Command(BaseCommand):
    help = "Delete stored job files kept longer than ICHUB_JOB_FILE_KEEP_SECONDS (bounded)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="Most files deleted a run.")

    def handle(self, *, limit, verbosity, **options):
        swept = sweep(keep_seconds=settings.JOB_FILE_KEEP_SECONDS, limit=limit)
        if verbosity:
            self.stdout.write(f"Deleted {len(swept)} job file(s).")
