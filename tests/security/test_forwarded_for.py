"""Throttle identity: X-Forwarded-For counts only as far as DJANGO_PROXY_COUNT says.

DRF's default trusted the whole client-written header, so changing it bought a
fresh allowance, and a long one overflowed the throttle key (a 500 on PostgreSQL).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from ichub.models import ThrottleWindow

ANON_LIMIT = 3
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": f"{ANON_LIMIT}/minute", "user": None}
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_it_ignores_a_forged_forwarded_for_without_a_proxy(token_client, db, small_rates):
    client = token_client(None)

    statuses = [
        client.get("/api/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(ANON_LIMIT + 1)
    ]

    assert statuses == [200] * ANON_LIMIT + [429]
    assert list(ThrottleWindow.objects.values_list("key", flat=True)) == [
        "throttle_anon_127.0.0.1"
    ]


def test_it_answers_a_long_forged_forwarded_for_without_a_500(token_client, db, small_rates):
    client = token_client(None)
    forged = ", ".join(f"198.51.100.{n}" for n in range(14))  # 190+ characters
    assert len(forged) >= 190

    response = client.get("/api/", HTTP_X_FORWARDED_FOR=forged)

    assert response.status_code == 200
    assert ThrottleWindow.objects.get().key == "throttle_anon_127.0.0.1"


def test_it_counts_the_address_the_proxy_appended_behind_one_proxy(
    token_client, db, small_rates, behind_one_proxy
):
    client = token_client(None)

    # The client writes what it likes on the left; our proxy appends the address it saw.
    statuses = [
        client.get("/api/", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 192.0.2.7").status_code
        for n in range(ANON_LIMIT + 1)
    ]
    someone_else = client.get("/api/", HTTP_X_FORWARDED_FOR="10.9.9.1, 192.0.2.8")

    assert statuses == [200] * ANON_LIMIT + [429]
    assert someone_else.status_code == 200
    assert set(ThrottleWindow.objects.values_list("key", flat=True)) == {
        "throttle_anon_192.0.2.7", "throttle_anon_192.0.2.8"
    }


def test_it_falls_back_to_the_connection_address_when_the_proxy_entry_is_no_address(
    token_client, db, small_rates, behind_one_proxy
):
    client = token_client(None)

    # A proxy count set higher than the proxies really there hands over client text.
    response = client.get("/api/", HTTP_X_FORWARDED_FOR="x" * 250)

    assert response.status_code == 200
    assert ThrottleWindow.objects.get().key == "throttle_anon_127.0.0.1"


def _settings_value(expression, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="ichub.settings")
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print({expression})"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "0"), ({"DJANGO_BEHIND_TLS_PROXY": "1"}, "1"), ({"DJANGO_PROXY_COUNT": "2"}, "2")],
)
def test_it_takes_drf_num_proxies_from_django_proxy_count(env, expected):
    result = _settings_value('settings.REST_FRAMEWORK["NUM_PROXIES"]', **env)
    assert result.stdout.strip() == expected, result.stderr


def test_it_refuses_a_proxy_count_that_is_not_a_count():
    result = _settings_value("settings.PROXY_COUNT", DJANGO_PROXY_COUNT="-1")
    assert result.returncode != 0 and "DJANGO_PROXY_COUNT must be 0 or more" in result.stderr
