"""The admin shows, searches and filters the shipped review, and dumps it back reloadably."""

import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from cmocs.models import CMOC
from tests.conftest import ICS_SLUG, PASSWORD

pytestmark = pytest.mark.django_db

REVIEW_APPS = ["ichub", "evidence", "programme_theories", "cmocs"]


@pytest.fixture
def shipped(shipped_module):
    """The module's read-only tests share one load of the shipped reviews."""
    return shipped_module


@pytest.fixture
def staff_client(client, staff, shipped):
    client.login(username=staff.username, password=PASSWORD)
    return client


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in REVIEW_APPS
    }


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda model: model._meta.label
)
def test_it_renders_every_registered_models_changelist_and_a_change_page(
    staff_client, staff, rf, model
):
    changelist = staff_client.get(_admin_url(model, "changelist"))
    assert changelist.status_code == 200
    row = model._default_manager.order_by("pk").first()
    if row is None:
        # Only models the shipped data leaves empty (groups, memberships, tokens, login
        # audit logs, team screening, which the published review did outside ichub) get
        # here: render their add page instead, where the admin allows adding.
        assert model._meta.app_label not in REVIEW_APPS or model._meta.model_name in (
            "membership", "screeningprotocol", "exclusionreason", "searchrecord",
            "screeningdecision", "screeningresolution", "screeningstate", "screeningpair",
            "prioritisationsettings", "ranking",
            "fulltext", "fulltextpage", "excerptanchor", "importedcode", "notapplicableitem",
        )
        request = rf.get("/")
        request.user = staff
        if admin.site._registry[model].has_add_permission(request):
            assert staff_client.get(_admin_url(model, "add")).status_code == 200
        return
    change = staff_client.get(_admin_url(model, "change", row.pk))
    assert change.status_code == 200
    # The breadcrumbs name the object (truncated to 18 words).
    assert escape(" ".join(str(row).split()[:5])) in change.content.decode()


def test_it_lists_every_shipped_cmoc_on_the_changelist(staff_client):
    response = staff_client.get(_admin_url(CMOC, "changelist"))
    assert response.context["cl"].result_count == CMOC.objects.count() >= 15


def test_it_searches_the_cmoc_changelist_by_element_text(staff_client):
    response = staff_client.get(_admin_url(CMOC, "changelist"), {"q": "shared digital"})
    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert [(c.stage, c.code) for c in found] == [("refined", "CMOC 5")]


def test_it_filters_the_cmoc_changelist_by_stage_and_status(staff_client):
    url = _admin_url(CMOC, "changelist")
    initial = staff_client.get(url, {"stage__exact": "initial"})
    assert initial.context["cl"].result_count == 9
    merged = staff_client.get(url, {"stage__exact": "initial", "status__exact": "merged"})
    assert sorted(c.code for c in merged.context["cl"].result_list) == [
        "CMOC 2", "CMOC 4", "CMOC 5", "CMOC 9"
    ]


def test_it_dumps_the_review_apps_into_a_fixture_that_reloads_identically(shipped):
    before = _row_counts()
    assert before["cmocs.EvidenceLink"] > 0
    with tempfile.TemporaryDirectory() as directory:
        dump = Path(directory) / "dump.json"
        call_command(
            "dumpdata", *REVIEW_APPS, natural_foreign=True, natural_primary=True,
            indent=2, output=str(dump), stdout=StringIO(),
        )
        try:
            call_command("flush", interactive=False, verbosity=0)
            assert _row_counts()["cmocs.CMOC"] == 0
            call_command("loaddata", str(dump), verbosity=0)
        finally:
            # flush recreated the content types under new ids, which the rollback undoes.
            ContentType.objects.clear_cache()
    assert _row_counts() == before
    cmoc = CMOC.objects.get_by_natural_key(ICS_SLUG, "refined", "CMOC 6")
    assert cmoc.evidence_links.filter(stance="challenges").exists()
    reported = cmoc.lineage_as_output.reported()
    assert sorted(event.inputs.count() for event in reported) == [4, 4]  # the refine and merge sets
