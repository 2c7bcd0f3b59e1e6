"""Browser forms given ids no database holds: a form error, never a 500.

Issue 17 (Low): the merge form answered 500 on SQLite for an id of 2**63 or
more (OverflowError binding the parameter).
"""

import pytest
from django.test import Client

from cmocs.models import CMOC
from tests.web.conftest import build_curated

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad", [str(2**63), str(2**64), str(-(2**63) - 1), "1.5"])
@pytest.mark.parametrize("field", ["inputs", "theory"])
def test_it_shows_a_form_error_for_an_id_out_of_range(review, owner, field, bad):
    curated = build_curated(review, owner)
    client = Client()
    client.force_login(owner)
    data = {"inputs": [c.pk for c in curated["cmocs"]], "code": "CMOC 9", "stage": "refined",
            "statement": "Both", "rationale": "r", "confirm": "yes"}
    data[field] = [*data[field], bad] if field == "inputs" else bad

    response = client.post(f"/reviews/{review.slug}/cmocs/merge/", data)

    assert response.status_code in (200, 400)
    assert 'class="errorlist"' in response.content.decode()
    assert not CMOC.objects.filter(code="CMOC 9").exists()
