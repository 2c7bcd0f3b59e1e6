"""Scenario 10 (issue 15): large imports as jobs, end to end through the real job path.

Each import is POSTed to the API like a client would (the upload is stored
and the job enqueued in the database backend), then a real worker process
(`manage.py worker --burst`) runs it while this process polls the job row,
as the progress page does. Measured: from the POST to the job's finish (the
job row's created_at to finished_at), the worker process's peak memory, and
when progress first moved (the poller's view, every POLL seconds). The
10,000 : 100,000 ratio uses the running time (claimed to finished), which
leaves out the worker process's start.

- References: RIS files of 10,000 and 100,000 records (database-export-like:
  authors, journal, volume, pages, DOI, a short abstract, keywords), each into
  a fresh review, one after the other in the same run: their ratio is the
  linearity figure (issue 15: "measure 10k against 100k").
- Whole review: the benchmark's review (scale 10 on PostgreSQL) exported,
  then restored as a job into a freshly migrated second database (an import
  refuses a slug that exists). That part runs `python bench/jobs.py review
  DOC` under the second database's URL.

Run once per `make bench`: at 100,000 records it takes minutes on a loaded
machine, so these are single runs, not medians.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POLL = 0.25


def ris_export(count, *, seed="r"):
    """A database export's worth of distinct RIS records (about 500 bytes each)."""
    abstract = ("Background: integrated care programmes aim to coordinate services. "
                "Methods: we studied how context shaped mechanisms and outcomes in "
                "{n} sites. Results: trust and shared goals mattered most. ")
    lines = []
    for n in range(count):
        lines += [
            "TY  - JOUR", f"AU  - Surname{n}, Given", f"AU  - Coauthor{n % 97}, A. B.",
            f"TI  - Study {seed}{n} of integrated care and realist evaluation",
            f"PY  - {1990 + n % 35}", f"JO  - Journal of Integrated Care {n % 40}",
            f"VL  - {n % 60 + 1}", f"IS  - {n % 12 + 1}", f"SP  - {n % 900 + 1}",
            f"EP  - {n % 900 + 15}", f"DO  - 10.5555/bench.{seed}.{n}",
            f"AB  - {abstract.format(n=n % 50 + 2)}", "KW  - integrated care",
            "KW  - realist evaluation", f"KW  - topic {n % 300}", "ER  - ", "",
        ]
    return "\n".join(lines).encode()


def _peak_rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_job(client, url, data, filename, fields):
    """POST the file, run a worker process until the job ends; the job's figures."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ichub.jobs.models import Job

    posted = time.perf_counter()
    response = client.post(url, {"file": SimpleUploadedFile(filename, data), **fields})
    post_s = time.perf_counter() - posted
    if response.status_code != 202:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    job_id = response.json()["id"]
    started = time.perf_counter()
    worker = subprocess.Popen([sys.executable, "manage.py", "worker", "--burst"], cwd=ROOT,
                              env=dict(os.environ), stdout=subprocess.DEVNULL)
    peak, seen, first_move = 0.0, [], None
    while worker.poll() is None:
        peak = max(peak, _peak_rss_mb(worker.pid) or 0.0)
        progress = client.get(f"/api/jobs/{job_id}/").json()["progress"]
        moment = (round(time.perf_counter() - started, 2), progress["done"], progress["total"])
        if not seen or moment[1:] != seen[-1][1:]:
            seen.append(moment)
        if first_move is None and progress["done"]:
            first_move = moment[0]
        time.sleep(POLL)
    worker_s = time.perf_counter() - started
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.SUCCEEDED:
        raise RuntimeError(f"job {job_id} ended {job.status}: {job.error}")
    return {
        # POSTed to finished: includes waiting for the worker process to start.
        "job_seconds": round((job.finished_at - job.created_at).total_seconds(), 1),
        # Claimed by the worker to finished: the import's own time.
        "running_seconds": round((job.finished_at - job.started_at).total_seconds(), 1),
        "post_seconds": round(post_s, 2),
        "worker_process_seconds": round(worker_s, 1),
        "worker_peak_rss_mb": round(peak, 1),
        "first_progress_after_s": first_move,
        "progress_values_seen": len(seen),
        # (seconds since the worker started, done, total) each time the poller saw a change
        "progress_seen": seen if len(seen) <= 8 else [*seen[:6], "...", *seen[-2:]],
        "file_mb": round(len(data) / 1024 / 1024, 1),
        "result": (job.result or {}).get("counts") or (job.result or {}).get("summary"),
    }


def _client_for(user):
    from django.test import Client

    from accounts.models import APIToken

    _, key = APIToken.issue(user=user, name="bench jobs")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def reference_imports(sizes=(10_000, 100_000)):
    """10,000 then 100,000 references, each as a job into a review of its own."""
    from django.contrib.auth import get_user_model

    from ichub.models import Membership, Review

    user, _ = get_user_model().objects.get_or_create(username="bench-jobs")
    client = _client_for(user)
    run = uuid.uuid4().hex[:8]
    figures = {}
    for count in sizes:
        review = Review.objects.create(slug=f"bench-jobs-{run}-{count}", title="Bench jobs")
        Membership.objects.create(review=review, user=user, role=Membership.Role.EDITOR)
        print(f"  {count:,} references as a job ...", flush=True)
        figures[str(count)] = run_job(client, "/api/sources/import/", ris_export(count),
                                      f"export-{count}.ris", {"review": review.slug})
    small, large = (figures[str(n)] for n in sizes)
    return {
        "file": "RIS, database-export-like records with abstracts (bench/jobs.py ris_export)",
        "imports": figures,
        "ratio_100000_over_10000": round(large["running_seconds"] / small["running_seconds"], 2),
        "target_ratio": 10.0,
    }


def review_import(world):
    """The benchmark review exported, then restored as a job into a fresh second database."""
    from bench.transfer import _import_database_url

    document = RESULTS / "export-jobs.json"
    subprocess.run([sys.executable, "manage.py", "export_review", world.review.slug, "-o",
                    str(document)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    env = {**os.environ, "DATABASE_URL": _import_database_url()}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    print("  the whole review as a job ...", flush=True)
    done = subprocess.run([sys.executable, "bench/jobs.py", "review", str(document)], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True)
    document.unlink()
    return {"rows": world.counts, **json.loads(done.stdout.strip().splitlines()[-1])}


def _restore_as_job(document):
    """In the second database: POST the document to /api/reviews/import/, run the worker."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-jobs")
    data = Path(document).read_bytes()
    return run_job(_client_for(user), "/api/reviews/import/", data, "review.json", {})


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if sys.argv[1] == "review":
        print(json.dumps(_restore_as_job(sys.argv[2])))
