"""Schemathesis against the whole API as an ordinary editor: writes run, nothing breaks.

tests/api/test_schemathesis.py drives every operation as staff; this one is
the editor of one private review who is a stranger to another, so the
generated writes meet the role rules (403/404 for the other review) as well
as the happy paths. Checks: no server error, and every response matches the
schema, including the refusals.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from tests.api.conftest import build_review_rows
from tests.api.test_schemathesis import CHECKS, schema


@pytest.fixture
def editor_headers(db, editor, review, owner, other_review, outsider, monkeypatch, settings):
    """The editor's token, both reviews filled with rows, and no rate limit (this is a flood)."""
    settings.ALLOWED_HOSTS = ["*"]
    monkeypatch.setattr(APIView, "throttle_classes", [])
    build_review_rows(review, owner)
    build_review_rows(other_review, outsider, prefix="Other ")
    token, _ = Token.objects.get_or_create(user=editor)
    # Schemathesis calls the WSGI app itself, whose request signals would close the
    # test's connection mid-transaction (Django's test client unhooks them the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Token {token.key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=5,  # the staff run in tests/api does 50; this adds the role rules
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@pytest.mark.django_db
def test_it_answers_every_operation_within_its_schema_for_an_editor(case, editor_headers):
    case.call_and_validate(headers=editor_headers, checks=CHECKS)
