"""Scenario 7: whole-review export and import, each in its own process: time and peak memory.

The import goes into a second, freshly migrated database (an import refuses a
slug that exists), so the review's size is the only thing that varies.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from bench.harness import interleaved, recorded_sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _peak_rss_mb(pid):
    """The process's resident-set high-water mark so far (VmHWM), in MB, or None once gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _measured(args, env):
    """Run manage.py with args; return (seconds, peak RSS in MB) of that process alone.

    The peak is polled from /proc, not taken from wait4()'s ru_maxrss: Linux
    carries a forked child's maximum across exec, so ru_maxrss would report
    this (large) benchmark process's size instead of the command's.
    """
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_rss_mb(process.pid) or 0.0)
        time.sleep(0.02)
    if process.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({process.returncode})")
    return round(time.perf_counter() - started, 1), round(peak, 1)


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


def reference_import(reps):
    """Issue 5: importing 1,000 references costs at most about twice the parser alone.

    Interleaved like the other scenarios: each round parses the file, then
    imports it into a review of its own (so every import creates 1,000 sources
    with their history rows rather than finding duplicates).
    """
    from evidence.importers import parse_references
    from evidence.importers.services import import_sources
    from ichub.models import Review
    from tests.evidence.importers.samples import bibtex_entries

    data = bibtex_entries(1000).encode()
    run = uuid.uuid4().hex[:8]  # a rerun against the same database makes new reviews
    rounds = iter(range(10**6))

    def import_into_new_review():
        target = Review.objects.create(slug=f"bench-import-{run}-{next(rounds)}",
                                       title="Bench")
        report = import_sources(review=target, data=data)
        assert len(report.created) == 1000, report

    with recorded_sql() as statements:
        import_into_new_review()
    times = interleaved({"parse": lambda: parse_references(data),
                         "import": import_into_new_review}, reps=reps)
    ratio = round(times["import"]["median_ms"] / times["parse"]["median_ms"], 2)
    Review.objects.filter(slug__startswith=f"bench-import-{run}-").delete()
    return {
        "file": "1,000 BibTeX entries (tests/evidence/importers/samples.bibtex_entries)",
        "times": times,
        "import_over_parse": ratio,
        "target": 2.0,
        "queries_per_import": len(statements),
    }


def same_author_year_import(reps):
    """Issue 17: 20,000 references sharing an author and year cost at most ~4x 5,000.

    Citation keys for such records (smith2020, smith2020a, ...) used to be found
    by rescanning the sequence for every record, O(n²): 5,000 took 3.1 s and
    20,000 took 44.8 s (14x). Each rep dry-runs both files into one review
    (a dry run allocates every key; it is what an attacker would send),
    interleaved like the other scenarios.
    """
    from evidence.importers import parse_references
    from evidence.importers.services import import_sources
    from ichub.models import Review
    from tests.security.test_import_work import same_author_and_year_ris

    files = {count: same_author_and_year_ris(count) for count in (5000, 20000)}
    target = Review.objects.create(slug=f"bench-same-key-{uuid.uuid4().hex[:8]}", title="Bench")

    def dry_run(count):
        report = import_sources(review=target, data=files[count], filename="refs.ris",
                                dry_run=True)
        assert len(report.created) == count, report

    # The parser alone on the same files: how much of the growth is reading, not keys.
    times = interleaved({
        "5000": lambda: dry_run(5000), "20000": lambda: dry_run(20000),
        "parse 5000": lambda: parse_references(files[5000], "refs.ris"),
        "parse 20000": lambda: parse_references(files[20000], "refs.ris"),
    }, reps=reps, warmup=1)
    target.delete()

    def ratio(large, small):
        return round(times[large]["median_ms"] / times[small]["median_ms"], 2)

    return {
        "file": "RIS, every record 'Smith, Jane' 2020 (tests/security/test_import_work.py)",
        "times": times,
        "ratio_20000_over_5000": ratio("20000", "5000"),
        "parse_ratio_20000_over_5000": ratio("parse 20000", "parse 5000"),
        "target": 4.0,
    }
