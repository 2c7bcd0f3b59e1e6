"""The load test in CI: `make loadtest`'s script with 10 users for 10 seconds, then reconciled.

The same script `make loadtest` runs (gunicorn via scripts/serve.sh, locust
headless, loadtest/reconcile.py), on a fresh database of the suite's
PostgreSQL server. Pass: 0 server errors, 0 failed requests, and the
database holds exactly the writes the server accepted. The 60-second,
50-user run stays out of CI (`make loadtest`).
"""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="the load test runs on PostgreSQL"),
]


@pytest.fixture
def fresh_database_url():
    server = os.environ["DATABASE_URL"]
    name = f"ichub_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_serves_ten_seconds_of_mixed_load_with_no_errors_and_reconciles(
    fresh_database_url, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=fresh_database_url, LOADTEST_RESULTS=str(tmp_path),
               WEB_CONCURRENCY="2", DJANGO_STATIC_ROOT=str(tmp_path / "static"))

    result = subprocess.run(["loadtest/run.sh", "10", "10"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "reconciled: no lost or duplicated rows" in output
    assert "0 server errors" in output
    summary = (tmp_path / "summary.txt").read_text()
    assert "p95" in summary and "CMOC edits accepted" in summary
