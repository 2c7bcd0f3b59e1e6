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
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

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


class Relay:
    """Forwards TCP to PostgreSQL until cut; while cut, drops and refuses connections."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if self.cut_off:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.cut_off = True
        for sock in self.open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.open = []

    def restore(self):
        self.cut_off = False


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


def test_it_answers_503_during_a_database_outage_and_recovers_without_a_restart(
    fresh_database, tmp_path
):
    server_url = os.environ["DATABASE_URL"]
    relay = Relay(int(os.environ.get("PGPORT") or server_url.rsplit(":", 1)[1].split("/")[0]))
    relayed = f"postgres://postgres@127.0.0.1:{relay.port}/{fresh_database}"
    direct = server_url.rsplit("/", 1)[0] + f"/{fresh_database}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=relayed, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
               GUNICORN_THREADS="2", DB_CONN_MAX_AGE="60", LOAD_SHIPPED_REVIEWS="0",
               GUNICORN_ACCESS_LOG="/dev/null", DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(["scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if call(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.5)
        setup = subprocess.run(
            [".venv/bin/python", "manage.py", "shell", "-c", SETUP], cwd=ROOT,
            env={**env, "DATABASE_URL": direct}, capture_output=True, text=True, check=True,
        )
        token = setup.stdout.split("TOKEN ", 1)[1].split()[0]

        def write(code):
            return call(f"{base}/api/cmocs/", token=token, body={
                "review": "fault-review", "code": code, "statement": f"Written as {code}."})

        assert write("CMOC 1")[0] == 201
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

    assert down == [503, 503, 503]
    assert lost_write[0] == 503 and b"unavailable" in lost_write[1]
    assert back == 200 and after[0] == 201
    assert server_still  # recovered by itself, same processes
    with psycopg.connect(direct) as check:
        codes = [row[0] for row in check.execute("SELECT code FROM cmocs_cmoc ORDER BY code")]
    assert codes == ["CMOC 1", "CMOC 3"]  # nothing partial from the outage
