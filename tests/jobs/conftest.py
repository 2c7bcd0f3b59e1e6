import pytest
from django.core.management import call_command


@pytest.fixture
def run_worker(monkeypatch):
    """Run the database backend's real worker in this process until the queue is empty.

    The worker closes "obsolete" connections between tasks, and a connection
    inside the test's transaction looks obsolete (autocommit is off): on
    PostgreSQL that would end the test's transaction. In-process, the test's
    connection is the worker's, so that housekeeping is left out.
    """
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )

    return run


@pytest.fixture(autouse=True)
def _report_every_step(monkeypatch):
    """Jobs here run in milliseconds: let every report write (and look for a cancel)."""
    monkeypatch.setattr("ichub.jobs.runner.PROGRESS_INTERVAL", 0)
