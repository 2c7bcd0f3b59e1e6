"""Settings fail loudly on bad environment values instead of guessing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be one of"),
        ({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "x"}, "DJANGO_SECRET_KEY is required"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must be a sqlite:// or postgres://"),
        ({"DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE must be an integer"),
        ({"ICHUB_TASK_BACKEND": "celery"}, "ICHUB_TASK_BACKEND must be one of"),
        ({"ICHUB_TASK_BACKEND": "rq"}, "ICHUB_TASK_BACKEND=rq needs REDIS_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must be a redis:// URL"),
        ({"DJANGO_PROXY_COUNT": "two"}, "DJANGO_PROXY_COUNT must be an integer"),
        ({"DATABASE_URL": "postgres://ichub@127.0.0.1:1/ichub", "DB_STATEMENT_TIMEOUT": "soon"},
         "DB_STATEMENT_TIMEOUT must be an integer"),
    ],
)
def test_it_refuses_a_bad_value_naming_the_variable(env, message):
    result = run_check(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_starts_with_the_defaults():
    result = run_check()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
