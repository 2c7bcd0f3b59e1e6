"""Scenario 6: gunicorn (2 workers) on PostgreSQL under a mix of reads and writes, on loopback.

The theory-detail reads come from wrk (C, one thread), so the load generator
takes little of the two cores the server and PostgreSQL need. Beside it, one
Python client in this process runs the other half of the mix in a loop: a
CMOC list read, then an edit (GET for the ETag, PATCH with If-Match) of a CMOC
in another theory; and once a second an edit of a CMOC in the theory being
read, so its ETag changes and the next read rebuilds the body (the cached
body is never stale). Every answer other than the expected status counts as
an error.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.harness import summarise
from cmocs.models import CMOC

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 4  # = workers x threads: more connections only wait in a queue
WORKERS = 2
THREADS = 2


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


class _Client:
    """The list-and-edit half of the mix: statuses and latencies per kind of request."""

    def __init__(self, base, token):
        self.base, self.headers = base, {"Authorization": f"Token {token}"}
        self.samples, self.errors = {}, []

    def call(self, name, path, *, expect, method="GET", body=None, headers=None):
        request = urllib.request.Request(
            self.base + path, method=method, headers={**self.headers, **(headers or {})},
            data=json.dumps(body).encode() if body is not None else None,
        )
        if body is not None:
            request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                status, etag = response.status, response.headers.get("ETag")
        except urllib.error.HTTPError as error:
            status, etag = error.code, None
        self.samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        if status != expect:
            self.errors.append(f"{name}: {status}")
        return etag

    def edit(self, name, cmoc_id):
        path = f"/api/cmocs/{cmoc_id}/"
        etag = self.call(f"{name} (GET)", path, expect=200)
        self.call(name, path, expect=200, method="PATCH", body={"notes": "Checked under load."},
                  headers={"If-Match": etag or ""})

    def run(self, *, until, review_slug, other_cmoc, read_theory_cmoc):
        next_invalidation = time.time()
        while time.time() < until:
            self.call("cmoc list", f"/api/cmocs/?review={review_slug}&stage=initial",
                      expect=200)
            self.edit("cmoc edit, other theory", other_cmoc)
            if time.time() >= next_invalidation:
                self.edit("cmoc edit, the theory read", read_theory_cmoc)
                next_invalidation += 1.0

    def summary(self, seconds):
        return {name: {"requests": len(values), "req_per_s": round(len(values) / seconds, 1),
                       **summarise(values)}
                for name, values in self.samples.items()}


def run(world, *, seconds):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DB_CONN_MAX_AGE": "60", "PYTHONPATH": str(ROOT)}
    theory_path = f"/api/theories/{world.theories[50]}/"
    read_theory_cmoc = CMOC.objects.filter(theory_id=world.theories[50]).values_list(
        "pk", flat=True).first()
    other_cmoc = CMOC.objects.filter(theory_id=world.theories[200]).values_list(
        "pk", flat=True).first()
    server = subprocess.Popen(
        [BIN / "gunicorn", "ichub.wsgi:application", "--workers", str(WORKERS),
         "--worker-class", "gthread", "--threads", str(THREADS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        _wait_until_up(f"{base}/healthz")
        client = _Client(base, world.token)
        started = time.time()
        writer = threading.Thread(target=client.run, kwargs={
            "until": started + seconds, "review_slug": world.review.slug,
            "other_cmoc": other_cmoc, "read_theory_cmoc": read_theory_cmoc,
        })
        writer.start()
        wrk = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
             "-s", str(ROOT / "bench" / "theory_detail.lua"), base + theory_path],
            env={**env, "BENCH_THEORY_PATH": theory_path, "BENCH_TOKEN": world.token},
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        )
        writer.join()
        elapsed = time.time() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = json.loads(wrk.stdout.strip().splitlines()[-1])
    wrk_seconds = figures["duration_us"] / 1e6
    errors = sum(figures["errors"].values())
    return {
        "server": f"gunicorn, {WORKERS} workers x {THREADS} threads (gthread), "
                  "persistent DB connections, PostgreSQL on the same 2 cores",
        "load": f"wrk, 1 thread, {CONNECTIONS} connections, {seconds} s, 127.0.0.1, on the "
                "theory detail (50 CMOCs x 10 links, Accept-Encoding: gzip); beside it one "
                "client looping CMOC list + CMOC edit, and an edit of the theory read once "
                "a second",
        "theory_detail": {
            "requests": figures["requests"],
            "req_per_s": round(figures["requests"] / wrk_seconds, 1),
            "p50_ms": figures["p50_us"] / 1000,
            "p95_ms": figures["p95_us"] / 1000,
            "p99_ms": figures["p99_us"] / 1000,
            "max_ms": figures["max_us"] / 1000,
            "mb_per_s": round(figures["bytes"] / wrk_seconds / 1e6, 1),
            "errors": figures["errors"],
        },
        "mixed_client": client.summary(elapsed),
        "errors": errors + len(client.errors),
        "error_samples": client.errors[:10],
        "wrk_report": wrk.stdout,
        "target": "theory detail >= 150 req/s, p95 <= 150 ms, 0 errors",
    }
