"""Scenario 6: gunicorn (2 workers) under load from locust in a second process, on loopback."""

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cmocs.models import CMOC

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERS = 24


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


def _stats(csv_path):
    rows = {}
    with open(csv_path, newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "req_per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
            }
    return rows


def run(world, *, seconds):
    port = _free_port()
    env = {**os.environ, "DB_CONN_MAX_AGE": "60", "PYTHONPATH": str(ROOT)}
    cmocs = CMOC.objects.filter(theory_id=world.theories[200]).values_list("pk", flat=True)
    server = subprocess.Popen(
        [BIN / "gunicorn", "ichub.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz")
        prefix = ROOT / "bench" / "results" / "locust"
        load_env = {
            **env,
            "BENCH_THEORY_ID": str(world.theories[50]),
            "BENCH_REVIEW_SLUG": world.review.slug,
            "BENCH_CMOC_IDS": ",".join(str(pk) for pk in cmocs[:USERS]),
            "BENCH_TOKEN": world.token,
        }
        subprocess.run(
            [BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless",
             "--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{seconds}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", prefix, "--only-summary",
             "--stop-timeout", "5", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT, env=load_env, check=True, timeout=seconds + 60,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = _stats(f"{prefix}_stats.csv")
    return {
        "server": "gunicorn, 2 sync workers, persistent DB connections",
        "load": f"locust headless, {USERS} users, no think time, {seconds} s, 127.0.0.1",
        "mix": "16 theory detail : 2 CMOC list : 1 (CMOC GET + PATCH with If-Match)",
        "stats": stats,
        "target": "theory detail >= 150 req/s, p95 <= 150 ms, 0 errors",
    }
