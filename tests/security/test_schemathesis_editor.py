"""Schemathesis against the whole API as an ordinary editor: writes run, nothing breaks.

tests/api/test_schemathesis.py drives every operation as staff; this one is
the editor of one private review who is a stranger to another, so the
generated writes meet the role rules (403/404 for the other review) as well
as the happy paths. Every check runs, as in tests/api: the refusals too must be
documented and match the schema.
"""

import pytest
from hypothesis import settings

from tests.api.test_schemathesis import ALL_CHECKS, FUZZ_HEALTH_CHECKS, flood_headers, schema


@pytest.fixture
def editor_headers(db, editor, review, owner, other_review, outsider, monkeypatch, settings):
    yield from flood_headers(editor, review=review, owner=owner, other_review=other_review,
                             outsider=outsider, monkeypatch=monkeypatch, settings=settings)


@schema.parametrize()
@settings(
    max_examples=5,  # the staff run in tests/api does 25; this adds the role rules
    derandomize=True,
    deadline=None,
    suppress_health_check=FUZZ_HEALTH_CHECKS,
)
@pytest.mark.django_db
def test_it_answers_every_operation_within_its_schema_for_an_editor(case, editor_headers):
    case.call_and_validate(headers=editor_headers, checks=ALL_CHECKS)
