"""`make run` loads the shipped reviews on every start: a second load must change nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from cmocs.models import CMOC
from ichub.models import Review
from tests.conftest import CASE_STUDY_SLUG, ICS_SLUG

pytestmark = pytest.mark.django_db

REVIEW_APPS = ["ichub", "evidence", "programme_theories", "cmocs"]


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in REVIEW_APPS
    }


def test_it_loads_the_three_shipped_records_into_an_empty_database():
    assert not Review.objects.exists()
    out = StringIO()
    call_command("load_shipped_reviews", stdout=out)
    assert set(Review.objects.values_list("slug", flat=True)) == {
        ICS_SLUG, CASE_STUDY_SLUG, "scie-2018-leadership-in-integrated-care-systems"
    }
    assert CMOC.objects.filter(review__slug=ICS_SLUG).count() == 15
    assert "loaded from ics_leadership_review" in out.getvalue()


def test_it_neither_duplicates_nor_fails_when_run_twice():
    call_command("load_shipped_reviews", stdout=StringIO())
    first = _row_counts()
    out = StringIO()
    call_command("load_shipped_reviews", stdout=out)
    assert _row_counts() == first
    assert out.getvalue().count("already loaded") == 3
    assert first["cmocs.CMOC"] > 0 and first["evidence.Appraisal"] > 0


def test_it_leaves_a_curated_review_alone_on_the_next_start(shipped):
    cmoc = CMOC.objects.get_by_natural_key(ICS_SLUG, "refined", "CMOC 1")
    cmoc.notes = "Curated since it was shipped."
    cmoc.save()
    call_command("load_shipped_reviews", stdout=StringIO())
    cmoc.refresh_from_db()
    assert cmoc.notes == "Curated since it was shipped."


def test_it_updates_rather_than_duplicates_when_the_fixture_is_reloaded(shipped):
    """Natural keys (and fixed pks where a model has none) make loaddata an upsert."""
    cmoc = CMOC.objects.get_by_natural_key(ICS_SLUG, "refined", "CMOC 5")
    cmoc.statement = "edited"
    cmoc.save()
    before = _row_counts()
    call_command("loaddata", "ics_leadership_review", "scie_2018_report", verbosity=0)
    call_command("loaddata", "ics_case_study_2025", verbosity=0)
    assert _row_counts() == before
    cmoc.refresh_from_db()
    assert cmoc.statement.startswith("In the context of population health management")
