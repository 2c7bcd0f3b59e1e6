"""Scenario 7: whole-review export and import, each in its own process: time and peak memory.

The import goes into a second, freshly migrated database (an import refuses a
slug that exists), so the review's size is the only thing that varies.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _measured(args, env):
    """Run manage.py with args; return (seconds, peak RSS in MB) of that process alone."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({process.returncode})")
    return round(time.perf_counter() - started, 1), round(usage.ru_maxrss / 1024, 1)


def _import_database_url():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS bench_import")
            cursor.execute("CREATE DATABASE bench_import")
        parts = urlsplit(os.environ["DATABASE_URL"])
        return urlunsplit(parts._replace(path="/bench_import"))
    target = RESULTS / "bench-import.sqlite3"
    target.unlink(missing_ok=True)
    return f"sqlite:///{target}"


def run(world):
    document = RESULTS / f"export-{connection.vendor}.json"
    export_s, export_mb = _measured(
        ["export_review", world.review.slug, "-o", str(document)], dict(os.environ)
    )
    import_env = {**os.environ, "DATABASE_URL": _import_database_url()}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=import_env,
                   check=True)
    import_s, import_mb = _measured(["import_review", str(document)], import_env)
    size_mb = round(document.stat().st_size / 1024 / 1024, 1)
    document.unlink()
    summary = (f"export {export_s} s, peak {export_mb} MB; import {import_s} s, peak "
               f"{import_mb} MB; document {size_mb} MB")
    return {
        "rows": world.counts,
        "export_seconds": export_s,
        "export_peak_rss_mb": export_mb,
        "import_seconds": import_s,
        "import_peak_rss_mb": import_mb,
        "document_mb": size_mb,
        "summary": summary,
    }
