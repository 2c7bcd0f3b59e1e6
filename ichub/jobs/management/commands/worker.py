"""`manage.py worker`: run the task worker of whichever backend the settings chose.

One command for `make run`, a process supervisor or a container, whether the
queue is the database (django-tasks-db's db_worker) or Redis (django-rq's
rqworker with django-tasks-rq's job class).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ichub.jobs.files import sweep


class Command(BaseCommand):
    help = "Run background tasks: the database worker by default, an RQ worker with REDIS_URL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst", action="store_true", help="Run the queued tasks, then exit."
        )

    def handle(self, *, burst, verbosity, **options):
        # One bounded sweep of job files nobody will read again (a daily run does the rest).
        sweep(keep_seconds=settings.JOB_FILE_KEEP_SECONDS, limit=1000)
        backend = settings.TASK_BACKEND
        if backend == "database":
            call_command(
                "db_worker", queue_name="default", batch=burst, reload=False, verbosity=verbosity
            )
        elif backend == "rq":
            call_command(
                "rqworker", "default", job_class="django_tasks_rq.Job", burst=burst,
                with_scheduler=not burst, verbosity=verbosity,
            )
        else:
            raise CommandError(f"The {backend} task backend runs tasks itself; no worker needed.")
