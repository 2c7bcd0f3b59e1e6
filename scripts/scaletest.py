"""`make scaletest`: two app servers, one RQ worker, PostgreSQL and Redis, a bounded mixed load.

Run by scripts/scaletest.sh inside scripts/with_redis.sh and scripts/with_postgres.sh,
after migrate and load_shipped_reviews. It starts two gunicorn servers on different
ports and one `manage.py worker` (RQ, since REDIS_URL is set), then sends a bounded
load that alternates between the servers: CMOC list and detail reads, If-Match
edits (read on one server, written on the other), and one whole-review import
started on one server and polled on the other. Then it checks that the database
holds exactly the accepted writes (each CMOC's version and history = start +
accepted edits, no 5xx) and that the import job ran once and restored the review
whole. Prints the figures (BENCHMARKS.md) and exits non-zero on any mismatch.
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ichub.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from accounts.models import APIToken  # noqa: E402
from cmocs.models import CMOC  # noqa: E402
from ichub.jobs.models import Job  # noqa: E402
from ichub.models import Membership, Review  # noqa: E402
from reports.transfer import export_review_text  # noqa: E402

SLUG = "ics-leadership-rapid-realist-review-2024"
COPY = "scaletest-restored-copy"
CLIENTS = int(os.environ.get("SCALETEST_CLIENTS", "8"))
ROUNDS = int(os.environ.get("SCALETEST_ROUNDS", "25"))  # per client: 3 reads + 1 edit each
BOUND_SECONDS = 600  # every wait is bounded by this


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, log):
    return subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def call(method, url, token, body=None, headers=None, files=None):
    """(status, headers, parsed JSON or None, milliseconds)."""
    data, all_headers = None, {"Authorization": f"Token {token}", **(headers or {})}
    if files is not None:
        boundary = uuid.uuid4().hex
        name, content = files
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: application/json\r\n\r\n").encode()
        data += content + f"\r\n--{boundary}--\r\n".encode()
        all_headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, answer_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, error.headers, error.read()
    elapsed = (time.perf_counter() - began) * 1000
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, answer_headers, parsed, elapsed


def wait_healthy(base, process):
    deadline = time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"scaletest: {base} exited before it was healthy")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"scaletest: {base} never became healthy")


def set_up():
    review = Review.objects.get(slug=SLUG)
    tokens = []
    for number in range(CLIENTS):
        user, _ = get_user_model().objects.get_or_create(username=f"scaletest_{number:02d}")
        Membership.objects.get_or_create(review=review, user=user,
                                         defaults={"role": Membership.Role.EDITOR})
        tokens.append(APIToken.issue(user=user, name="scaletest")[1])
    cmocs = dict(CMOC.objects.filter(review=review, stage="refined").values_list("id", "version"))
    history = {pk: CMOC.history.filter(id=pk).count() for pk in cmocs}
    document = export_review_text(review).replace(f'"slug": "{SLUG}"', f'"slug": "{COPY}"', 1)
    return review, tokens, cmocs, history, document.encode()


def client_load(number, token, servers, cmoc_ids, tally):
    for round_ in range(ROUNDS):
        here, there = servers[(number + round_) % 2], servers[(number + round_ + 1) % 2]
        cmoc = cmoc_ids[(number * 7 + round_) % len(cmoc_ids)]
        status, _, _, ms = call("GET", f"{here}/api/cmocs/?review={SLUG}", token)
        tally.read(status, ms)
        status, headers, _, ms = call("GET", f"{there}/api/cmocs/{cmoc}/lineage/", token)
        tally.read(status, ms)
        status, headers, _, ms = call("GET", f"{here}/api/cmocs/{cmoc}/", token)
        tally.read(status, ms)
        status, _, _, ms = call(
            "PATCH", f"{there}/api/cmocs/{cmoc}/", token,
            body={"notes": f"scaletest edit {number}.{round_}"},
            headers={"If-Match": headers.get("ETag", "")},
        )
        tally.edit(cmoc, status, ms)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.times, self.statuses = [], Counter()
        self.accepted, self.refused = Counter(), Counter()

    def read(self, status, ms):
        with self.lock:
            self.times.append(ms)
            self.statuses[status] += 1

    def edit(self, cmoc, status, ms):
        with self.lock:
            self.read_locked(status, ms)
            if status == 200:
                self.accepted[cmoc] += 1
            elif status == 412:
                self.refused[cmoc] += 1

    def read_locked(self, status, ms):
        self.times.append(ms)
        self.statuses[status] += 1


def import_job(servers, token, document, outcome):
    began = time.perf_counter()
    status, headers, job, _ = call("POST", f"{servers[0]}/api/reviews/import/", token,
                                   files=("copy.json", document))
    if status != 202:
        outcome["error"] = f"import answered {status}: {job}"
        return
    polls, deadline = 0, time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        status, _, job, _ = call("GET", f"{servers[1]}{headers['Location']}", token)
        polls += 1
        if status == 200 and job["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    outcome.update(job=job, polls=polls, seconds=round(time.perf_counter() - began, 1))


def reconcile(cmocs, history, tally, outcome, review):
    problems = []
    if any(status >= 500 for status in tally.statuses):
        problems.append(f"server errors: {dict(tally.statuses)}")
    unexpected = set(tally.statuses) - {200, 412}
    if unexpected:
        problems.append(f"unexpected answers: {dict(tally.statuses)}")
    for pk, start_version in cmocs.items():
        version = CMOC.objects.values_list("version", flat=True).get(pk=pk)
        if version != start_version + tally.accepted[pk]:
            problems.append(f"CMOC {pk}: version {version}, expected "
                            f"{start_version + tally.accepted[pk]}")
        if CMOC.history.filter(id=pk).count() != history[pk] + tally.accepted[pk]:
            problems.append(f"CMOC {pk}: history does not match {tally.accepted[pk]} edits")
    job = outcome.get("job")
    if outcome.get("error") or not job or job["status"] != "succeeded":
        problems.append(f"import job: {outcome}")
    jobs = Job.objects.filter(kind="review.import")
    if jobs.count() != 1 or jobs.get().attempts != 1:
        problems.append("the import job did not run exactly once")
    from django_rq import get_queue
    from rq.registry import FinishedJobRegistry

    finished = FinishedJobRegistry(queue=get_queue("default")).count
    if finished != 1:
        problems.append(f"RQ finished {finished} tasks, expected the import once")
    copy = Review.objects.filter(slug=COPY).first()
    if copy is None or CMOC.objects.filter(review=copy).count() != CMOC.objects.filter(
        review=review
    ).count():
        problems.append("the restored review does not hold the original's CMOCs")
    return problems


def main():
    review, tokens, cmocs, history, document = set_up()
    logs = Path(tempfile.mkdtemp(prefix="ichub-scaletest-"))
    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    processes = []
    try:
        for port in ports:
            processes.append(start(
                [str(ROOT / ".venv/bin/gunicorn"), "ichub.wsgi:application",
                 "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
                 "--timeout", "60", "--access-logfile", "/dev/null"],
                open(logs / f"server-{port}.log", "w"),
            ))
        processes.append(start([sys.executable, "manage.py", "worker"],
                               open(logs / "worker.log", "w")))
        for base, process in zip(servers, processes, strict=False):
            wait_healthy(base, process)
        tally, outcome = Tally(), {}
        began = time.perf_counter()
        threads = [threading.Thread(target=import_job, args=(servers, tokens[0], document,
                                                             outcome))]
        threads += [
            threading.Thread(target=client_load,
                             args=(n, tokens[n], servers, list(cmocs), tally))
            for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BOUND_SECONDS)
        elapsed = time.perf_counter() - began
        if any(thread.is_alive() for thread in threads):
            sys.exit("scaletest: the load did not finish within its bound")
    finally:
        for process in processes:
            stop(process)
    problems = reconcile(cmocs, history, tally, outcome, review)
    times = sorted(tally.times)
    figures = {
        "app_servers": 2, "rq_workers": 1, "clients": CLIENTS, "requests": len(times),
        "seconds": round(elapsed, 1), "req_per_s": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times)), "p95_ms": round(times[int(len(times) * .95)]),
        "edits_accepted": sum(tally.accepted.values()),
        "edits_refused_412": sum(tally.refused.values()),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "import_job_seconds": outcome.get("seconds"), "import_polls": outcome.get("polls"),
    }
    print("scaletest: " + json.dumps(figures))
    for problem in problems:
        print(f"scaletest: MISMATCH {problem}")
    if problems:
        print(f"scaletest: FAILED (logs in {logs})")
        sys.exit(1)
    print("scaletest: reconciled: every accepted edit once, no 5xx, the import job ran once")


if __name__ == "__main__":
    main()
