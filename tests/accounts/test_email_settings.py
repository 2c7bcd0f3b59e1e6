"""Email goes to the console in debug and through the SMTP server the environment names."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRINT = ("from django.conf import settings as s; print(s.EMAIL_BACKEND, "
         "getattr(s, 'EMAIL_HOST', ''), getattr(s, 'EMAIL_PORT', ''), "
         "getattr(s, 'EMAIL_USE_TLS', ''), s.SIGNUP_OPEN)")


def settings_with(**env):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", "shell", "-c", PRINT], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_debug_prints_emails_to_the_console():
    result = settings_with(DJANGO_DEBUG="1")
    backend = result.stdout.splitlines()[-1].split()[0]
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_through_the_smtp_server_from_the_environment():
    result = settings_with(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50,
                           DJANGO_ALLOWED_HOSTS="ichub.example.org",
                           DJANGO_EMAIL_HOST="smtp.example.org", DJANGO_EMAIL_PORT="587",
                           DJANGO_SIGNUP="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["django.core.mail.backends.smtp.EmailBackend",
                                     "smtp.example.org", "587", "True", "False"]


def test_it_refuses_tls_and_ssl_together():
    result = settings_with(DJANGO_EMAIL_CONSOLE="0", DJANGO_EMAIL_TLS="1", DJANGO_EMAIL_SSL="1")
    assert result.returncode != 0
    assert "DJANGO_EMAIL_TLS and DJANGO_EMAIL_SSL cannot both be on" in result.stderr
