"""A PostgreSQL server of one test's own, to stall with SIGSTOP and resume with SIGCONT.

The suite's tests share one server (two xdist workers in CI): stopping it
would hang every other test's connections (tcp_relay.py says what that did).
A throwaway cluster, made as scripts/with_postgres.sh makes the suite's,
lets a test stop a real postmaster and its backends and leaves everyone
else's alone.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _server_binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                   key=lambda path: int(path.split("/")[-2]))
    return Path(found[-1]) if found else None


def _as_postgres(command):
    """PostgreSQL refuses to run as root; as root it runs as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(parent):
    """Process ids whose parent is `parent`, read from /proc (no procps needed)."""
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == parent:
            yield int(stat.split("/")[2])


def _resume(pids):
    """kill -CONT each; one that ended meanwhile needs nothing.

    A backend already exiting when it was stopped is a zombie until the
    postmaster, resumed first, reaps it: its pid is gone by its turn (ESRCH).
    """
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


class OwnPostgres:
    def __init__(self, datadir, port):
        self.datadir, self.port = datadir, port

    def pids(self):
        """The postmaster and every process it started (backends, checkpointer, ...)."""
        postmaster = int((self.datadir / "postmaster.pid").read_text().split()[0])
        return [postmaster, *_children(postmaster)]

    @contextmanager
    def stopped(self):
        """kill -STOP on the server's processes for the block, then kill -CONT."""
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            _resume(pids)


@contextmanager
def own_postgres():
    """Start a throwaway cluster on a free loopback port; stop and remove it afterwards.

    Yields None when this machine has no PostgreSQL server binaries.
    """
    bindir = _server_binaries()
    if bindir is None:
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="ichub-own-pg-"))
    datadir, port = root / "data", _free_port()
    if os.geteuid() == 0:
        subprocess.run(["chown", "postgres", str(root)], check=True)
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
                                 "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True)
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=20"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(datadir), "-l",
                                 str(root / "server.log"), "-w", "-o", options, "start"]),
                   check=True, capture_output=True)
    server = OwnPostgres(datadir, port)
    try:
        yield server
    finally:
        _resume(server.pids())  # never leave a stopped server behind
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(datadir), "-m",
                                     "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
