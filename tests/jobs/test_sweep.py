"""Job files are swept once nobody will read them again, a bounded number at a time."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from ichub.jobs.files import sweep
from ichub.jobs.models import Job

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def _file(folder, name, *, age_days=0):
    stored = default_storage.save(f"{folder}/{name}", ContentFile(b"x"))
    when = (timezone.now() - timedelta(days=age_days)).timestamp()
    os.utime(default_storage.path(stored), (when, when))
    return stored


def _job(review, status, *, upload="", result_file="", days_ago=0):
    then = timezone.now() - timedelta(days=days_ago)
    return Job.objects.create(
        kind="review.import", review=review, status=status, params={"upload": upload},
        result_file=result_file, attempts=1, heartbeat_at=then,
        finished_at=None if status in Job.ACTIVE else then,
    )


def test_it_sweeps_what_no_job_will_read_again_and_keeps_the_rest(review):
    old_failed = _file("job-uploads", "a.ris", age_days=9)
    recent_failed = _file("job-uploads", "b.ris", age_days=9)
    queued = _file("job-uploads", "c.ris", age_days=9)
    dead = _file("job-uploads", "d.ris", age_days=9)
    old_export = _file("job-results", "e.json", age_days=9)
    orphan_old = _file("job-results", "f.json", age_days=9)
    orphan_new = _file("job-results", "g.json")
    _job(review, Job.Status.FAILED, upload=old_failed, days_ago=8)
    _job(review, Job.Status.FAILED, upload=recent_failed, days_ago=1)  # may still be retried
    _job(review, Job.Status.QUEUED, upload=queued, days_ago=9)
    _job(review, Job.Status.RUNNING, upload=dead, days_ago=8)  # its worker died long ago
    _job(review, Job.Status.SUCCEEDED, result_file=old_export, days_ago=8)

    swept = sweep(keep_seconds=7 * DAY, limit=100)

    assert sorted(swept) == sorted([old_failed, dead, old_export, orphan_old])
    for kept in (recent_failed, queued, orphan_new):
        assert default_storage.exists(kept)
    assert not any(default_storage.exists(name) for name in swept)


def test_it_sweeps_at_most_the_limit_a_run(review, settings):
    names = [_file("job-results", f"{n}.json", age_days=9) for n in range(5)]
    assert len(sweep(keep_seconds=DAY, limit=2)) == 2
    assert sum(default_storage.exists(name) for name in names) == 3
    settings.JOB_FILE_KEEP_SECONDS = DAY
    call_command("sweep_job_files", limit=10, verbosity=0)
    assert not any(default_storage.exists(name) for name in names)


def test_it_sweeps_nothing_when_there_are_no_job_files(db):
    assert sweep(keep_seconds=0, limit=10) == []
