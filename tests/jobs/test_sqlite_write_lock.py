"""On SQLite a job's transaction takes the write lock first, so another writer cannot break it.

A job reads before it writes. With SQLite's default BEGIN (no lock until the
first write), any other connection committing in between (a request, a poll's
throttle count) made the job's first write fail at once with "database is
locked": a reference import died because someone saved a CMOC meanwhile. The
test needs a database file with WAL, as deployed (the suite's SQLite database
lives in memory), so it runs in a `manage.py shell` of its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")

SCRIPT = """
import json, sqlite3
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from ichub.jobs.models import Job
from ichub.jobs.runner import JobRun
from ichub.models import OperationalDefinition, Review

call_command("migrate", verbosity=0)
owner = get_user_model().objects.create_user("owner")
review = Review.objects.create(slug="lock", title="Lock")
job = Job.objects.create(kind="test.define", review=review, owner=owner, attempts=1,
                         status=Job.Status.RUNNING)
# Another process's connection; it gives up after 0.1 s of waiting for the lock.
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.1, isolation_level=None)
seen = {}
try:
    with JobRun(job, 1).atomic():
        list(Review.objects.all())  # the job reads first (an import matches against sources)
        try:
            other.execute("UPDATE ichub_review SET title = 'Renamed meanwhile'")
            seen["other"] = "committed"
        except sqlite3.OperationalError as refused:
            seen["other"] = str(refused)
        OperationalDefinition.objects.create(review=review, element="context", text="x")
    seen["job"] = "committed"
except Exception as failed:
    seen["job"] = repr(failed)
seen["definitions"] = OperationalDefinition.objects.count()
seen["title"] = Review.objects.get().title
print("SEEN", json.dumps(seen))
"""


def test_it_keeps_other_writers_waiting_instead_of_failing_the_job(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               DJANGO_MEDIA_ROOT=str(tmp_path / "media"))
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", SCRIPT], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert "SEEN " in done.stdout, done.stderr[-3000:]
    seen = json.loads(done.stdout.split("SEEN ", 1)[1])

    assert seen["job"] == "committed" and seen["definitions"] == 1
    assert seen["other"] == "database is locked"  # it waited for the job, then gave up
    assert seen["title"] == "Lock"
