"""`manage.py check --deploy` passes with production variables, and refuses bad ones."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3!x9Qz-7fLr2@Wm8vTn#4Yp0sHj6Gd1Bc5Ne^Ua*Oi(Ke)Rl_Ty=Zq+Xw",
    "DJANGO_ALLOWED_HOSTS": "ichub.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://ichub.example.org",
}


def run_manage(*args, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )


def test_it_passes_the_deploy_check_at_warning_level_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_the_deploy_check_when_production_turns_off_secure_cookies():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        extra_env={**PRODUCTION_ENV, "DJANGO_SECURE_COOKIES": "0"},
    )

    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


def test_it_refuses_to_start_with_a_malformed_throttle_rate():
    result = run_manage("check", extra_env={**PRODUCTION_ENV, "DJANGO_THROTTLE_ANON": "lots"})

    assert result.returncode != 0
    assert "DJANGO_THROTTLE_ANON" in result.stderr
