"""ichub's benchmark: `make bench`, or `python bench/run.py` against $DATABASE_URL.

Builds a synthetic review (manage.py generate_synthetic_review) in the
database DATABASE_URL names, runs scenarios 1-5 and 7 of issue 7 in this
process, scenario 6 (load) against gunicorn and scenario 10 (large imports
as jobs, issue 15) through the API and a worker process, and writes
bench/results/<vendor>.json. `bench/report.py` merges the vendors' files into
bench/results/latest.json and prints the table BENCHMARKS.md shows.
It is a script, not a test: nothing here asserts a time.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

# Production-like settings: no query logging (DEBUG off), persistent database
# connections, and throttles high enough that the benchmark measures work, not 429s.
for name, value in {
    "DJANGO_SETTINGS_MODULE": "ichub.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-not-secret",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_THROTTLE_ANON": "1000000/minute",
    "DJANGO_THROTTLE_USER": "1000000/minute",
    # Persistent connections, as README's "Deploying" sets them: otherwise every request
    # in this process would open a new PostgreSQL connection (a few ms each).
    "DB_CONN_MAX_AGE": "60",
    # Scenario 8 renders the reader page; hashed static names would need collectstatic.
    "DJANGO_MANIFEST_STATIC": "0",
    # Scenario 8's uploaded full texts stay out of the working tree's media/.
    "DJANGO_MEDIA_ROOT": str(RESULTS / "media"),
    # Building the scale-10 world runs statements longer than a request's timeout.
    "DB_STATEMENT_TIMEOUT": "0",
}.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from bench import fulltexts, pages, scenarios, transfer  # noqa: E402


def machine_facts():
    facts = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
        facts["memory_gb"] = round(int(meminfo[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            facts["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            facts["database"] = f"SQLite {cursor.fetchone()[0]}"
    return facts


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=10, help="the big review's scale")
    parser.add_argument("--reps", type=int, default=30, help="timed repetitions per variant")
    parser.add_argument("--load-seconds", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-transfer", action="store_true")
    parser.add_argument("--only", nargs="+", metavar="N",
                        help="re-measure only these scenarios (e.g. 3 5) into the existing "
                        "results file; each scenario records when it was measured; 10r is "
                        "scenario 10's reference imports alone (no review built)")
    args = parser.parse_args()
    wanted = set(args.only or [*"123456789", "10"])

    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.time()
    call_command("migrate", verbosity=0)
    result = {
        "vendor": connection.vendor,
        "machine": machine_facts(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "reps": args.reps,
        "scenarios": {},
    }
    # `--only 9` (the review-wide pages) needs no scale-10 review: it builds its own two.
    world = client = None
    if wanted - {"9", "10r"}:
        world = scenarios.build_world(scale=args.scale)
        result["data"] = world.counts
        client = Client(HTTP_AUTHORIZATION=f"Token {world.token}")

    with override_settings(ROOT_URLCONF="bench.naive"):
        steps = [
            ("1_theory_detail", lambda: scenarios.theory_detail(world, client, args.reps)),
            ("2_lists", lambda: scenarios.lists(world, client, args.reps)),
            ("3_search", lambda: scenarios.search(world, client, args.reps)),
            ("4_lineage", lambda: scenarios.lineage(world, client, args.reps)),
            ("5_conditional_get", lambda: scenarios.conditional_get(world, client, args.reps)),
            ("7b_reference_import", lambda: transfer.reference_import(args.reps)),
            # 2 x 25,000 records per rep: a few reps are plenty.
            ("7c_same_author_year", lambda: transfer.same_author_year_import(min(args.reps, 5))),
            ("8_full_texts", lambda: fulltexts.run(world, args.reps)),
            # 100 against 100,000 sources; PostgreSQL only (SQLite's run is scale 1, quick).
            *([("9_review_pages", lambda: pages.run(reps=max(5, args.reps // 3)))]
              if connection.vendor == "postgresql" else []),
        ]
        for name, run in steps:
            if name[0] in wanted:
                print(f"[{connection.vendor}] {name} ...", flush=True)
                result["scenarios"][name] = {"measured_at": _now(), **run()}
    if not args.skip_load and "6" in wanted:
        from bench import load

        print(f"[{connection.vendor}] 6_load ...", flush=True)
        result["scenarios"]["6_load"] = {"measured_at": _now(),
                                         **load.run(world, seconds=args.load_seconds)}
    if not args.skip_transfer and "7" in wanted:
        print(f"[{connection.vendor}] 7_export_import ...", flush=True)
        result["scenarios"]["7_export_import"] = {"measured_at": _now(), **transfer.run(world)}
    if "10" in wanted:
        from bench import jobs

        print(f"[{connection.vendor}] 10_jobs ...", flush=True)
        result["scenarios"]["10_jobs"] = {"measured_at": _now(),
                                          "references": jobs.reference_imports(),
                                          "review": jobs.review_import(world)}
    if "10r" in wanted:
        from bench import jobs

        print(f"[{connection.vendor}] 10_jobs references ...", flush=True)
        result["scenarios"]["10_jobs_references"] = {"measured_at": _now(),
                                                     **jobs.reference_imports()}
    result["elapsed_s"] = round(time.time() - started, 1)
    out = RESULTS / f"{connection.vendor}.json"
    if args.only and out.exists():
        earlier = json.loads(out.read_text())
        earlier["scenarios"].update(result["scenarios"])
        earlier.setdefault("reruns", []).append(
            {"command": result["command"], "started_at": result["started_at"],
             "elapsed_s": result["elapsed_s"], "scenarios": sorted(result["scenarios"])}
        )
        result = earlier
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"[{connection.vendor}] wrote {out.relative_to(ROOT)} in {result['elapsed_s']} s")


if __name__ == "__main__":
    main()
