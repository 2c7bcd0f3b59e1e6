"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis).

Every operation in /api/schema/ gets generated requests (valid and invalid,
every method), sent as staff so write paths run too, with data in place; then
a stateful run follows the links between operations (create, then read, edit
and delete what was made). Every check schemathesis has runs: no server error,
documented status codes, content types, headers and response schemas,
schema-valid requests accepted and schema-invalid ones refused, and the
authentication, method and resource checks. Runs are derandomised so CI is
repeatable, and nothing is skipped: an operation that cannot be generated fails.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.views import APIView
from schemathesis.checks import CHECKS, load_all_checks

from accounts.models import APIToken
from tests.api.conftest import build_review_rows

load_all_checks()
ALL_CHECKS = CHECKS.get_by_names(CHECKS.get_all_names())


def _api_schema():
    """The schema /api/schema/ serves, generated without a request (no database at import)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def _load_schema():
    loaded = schemathesis.openapi.from_dict(_api_schema())
    loaded.app = get_wsgi_application()
    # A schema-valid body may still name a record that does not exist (`"review": "0"`,
    # an id nobody has): no schema can say which ids exist, so that 400 is a right answer.
    # Nor can it say which version is current: a generated If-Match is stale (412), and
    # an edit sent without one is refused (428), as the optimistic-locking rules require.
    loaded.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx", "400", "401", "403", "404", "409", "412", "428", "429",
    ]
    return loaded


schema = _load_schema()


def flood_headers(user, *, review, owner, other_review, outsider, monkeypatch, settings):
    """Yield `user`'s token header, with both test reviews filled and no rate limit.

    The throttle would (rightly) stop one client sending thousands of requests
    a minute; the fuzzing tests are that client, so it is switched off for them only.
    """
    settings.ALLOWED_HOSTS = ["*"]
    monkeypatch.setattr(APIView, "throttle_classes", [])
    build_review_rows(review, owner)
    build_review_rows(other_review, outsider, prefix="Other ")
    _, key = APIToken.issue(user=user, name="schemathesis")
    # Requests go through the real WSGI handler, whose request signals would
    # close the test's database connection (and its open transaction) on
    # PostgreSQL; Django's own test client unhooks them the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Schemathesis's WSGI transport asks for gzip but, unlike an HTTP client, never
    # decodes it (the gzip answers have their own test, tests/perf).
    yield {"Authorization": f"Token {key}", "Accept-Encoding": "identity"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Generated data is what it is: slow, filtered or large examples are still tests.
FUZZ_HEALTH_CHECKS = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
]


@pytest.fixture
def staff_headers(db, staff, review, owner, other_review, outsider, monkeypatch, settings):
    yield from flood_headers(staff, review=review, owner=owner, other_review=other_review,
                             outsider=outsider, monkeypatch=monkeypatch, settings=settings)


@schema.parametrize()
@settings(
    max_examples=25,  # every check re-sends some requests: half of the 4-check run's 50
    derandomize=True,
    deadline=None,
    suppress_health_check=FUZZ_HEALTH_CHECKS,
)
@pytest.mark.django_db
def test_it_answers_every_operation_within_its_schema(case, staff_headers):
    case.call_and_validate(headers=staff_headers, checks=ALL_CHECKS)


@pytest.mark.django_db
def test_it_holds_every_check_along_the_links_between_operations(staff_headers):
    """The stateful phase: sequences such as create -> read -> edit -> delete."""

    # A schema of its own: the one the tests above used has learnt from their responses,
    # so the machine built from it would depend on which of them ran first.
    class Workflow(_load_schema().as_state_machine()):
        # Each scenario starts from the same data: what one created must not change which
        # links the next can follow, or Hypothesis sees the same choices behave
        # differently (FlakyStrategyDefinition, seen on a full run).
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": staff_headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=ALL_CHECKS, headers=staff_headers,
                                   transport_kwargs=kwargs)

    Workflow.run(settings=settings(
        max_examples=15, stateful_step_count=6, derandomize=True, deadline=None,
        suppress_health_check=FUZZ_HEALTH_CHECKS,
    ))
