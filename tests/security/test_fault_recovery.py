"""A real outage under a real server: gunicorn keeps running while its database goes away.

`make serve` runs with persistent connections (the harder case) through a
small TCP relay to a fresh database on the suite's PostgreSQL. Cutting the
relay drops every connection and refuses new ones, as a database restart or
a network partition does. During the outage /healthz and the API answer 503;
nothing half-written survives; once the relay is back the same processes
answer 200 and accept writes again, with no restart.
"""

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.security.tcp_relay import Relay

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs a database server to lose"),
]

SETUP = """
from django.contrib.auth import get_user_model
from accounts.models import APIToken
from ichub.models import Membership, Review
user = get_user_model().objects.create_user("fault_editor")
review = Review.objects.create(slug="fault-review", title="Fault review")
Membership.objects.create(review=review, user=user, role="editor")
print("TOKEN", APIToken.issue(user=user, name="fault")[1])
"""


def call(url, *, token=None, body=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def fresh_database():
    server = os.environ["DATABASE_URL"]
    name = f"ichub_fault_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def started(server, log_path, timeout=600):
    """The port gunicorn listens on, once it does (migrate runs first: slow on a busy machine).

    gunicorn binds port 0 itself and logs the port it got: a port picked here and
    handed over could be taken meanwhile, or a poll of the not-yet-bound port could
    connect to itself.
    """
    deadline = time.monotonic() + timeout  # a bound on a hang, not a speed assertion
    while time.monotonic() < deadline:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
        if found:
            return int(found[1])
        assert server.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"no gunicorn after {timeout} s:\n{log_path.read_text()[-3000:]}")


def test_it_answers_503_during_a_database_outage_and_recovers_without_a_restart(
    fresh_database, tmp_path
):
    server_url = os.environ["DATABASE_URL"]
    relay = Relay(int(os.environ.get("PGPORT") or server_url.rsplit(":", 1)[1].split("/")[0]))
    relayed = f"postgres://postgres@127.0.0.1:{relay.port}/{fresh_database}"
    direct = server_url.rsplit("/", 1)[0] + f"/{fresh_database}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=relayed, BIND="127.0.0.1:0", WEB_CONCURRENCY="1",
               GUNICORN_THREADS="2", DB_CONN_MAX_AGE="60", LOAD_SHIPPED_REVIEWS="0",
               GUNICORN_ACCESS_LOG="/dev/null", DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    log_path = tmp_path / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(["scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{started(server, log_path)}"
        setup = subprocess.run(
            [".venv/bin/python", "manage.py", "shell", "-c", SETUP], cwd=ROOT,
            env={**env, "DATABASE_URL": direct}, capture_output=True, text=True, check=True,
        )
        token = setup.stdout.split("TOKEN ", 1)[1].split()[0]

        def write(code):
            return call(f"{base}/api/cmocs/", token=token, body={
                "review": "fault-review", "code": code, "statement": f"Written as {code}."})

        before = (call(f"{base}/healthz")[0], write("CMOC 1")[0])
        relay.cut()
        down = [call(f"{base}/healthz")[0] for _ in range(3)]
        lost_write = write("CMOC 2")
        relay.restore()
        back = call(f"{base}/healthz")[0]
        after = write("CMOC 3")
        server_still = server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)

    # On failure, the server's log says why (tracebacks of every 503 are logged).
    server_log = log_path.read_text()[-6000:]
    assert before == (200, 201), server_log
    assert down == [503, 503, 503], server_log
    assert lost_write[0] == 503 and b"unavailable" in lost_write[1], (lost_write, server_log)
    assert back == 200 and after[0] == 201, (back, after, server_log)
    assert server_still, server_log  # recovered by itself, same processes
    with psycopg.connect(direct) as check:
        codes = [row[0] for row in check.execute("SELECT code FROM cmocs_cmoc ORDER BY code")]
    assert codes == ["CMOC 1", "CMOC 3"]  # nothing partial from the outage
