"""axe-core (4.12, bundled by axe-playwright-python) on the main pages: nothing serious or critical.

One test walks the pages a researcher uses, reading and curating, in Debian's
Chromium, so the browser starts once. Minor and moderate findings are left to
people; serious and critical ones fail the suite with axe's own explanation.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db.models import F

from accounts.models import APIToken
from cmocs.models import CMOC
from evidence.fulltexts.services import attach_full_text, run_extraction
from evidence.models import ScreeningDecision
from evidence.screening.services import record_decision
from ichub.jobs.services import start_job
from ichub.models import OperationalDefinition
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.evidence.fulltexts.pdfs import STUDY_PAGES, text_pdf
from tests.jobs.tasks import define_elements
from tests.web.conftest import build_curated

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}


def blocking_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str)
                    else str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"] if v["impact"] in BLOCKING
    ]


def test_it_finds_no_serious_or_critical_violation_on_the_main_pages(page, review, owner):
    curated = build_curated(review, owner)
    source = curated["sources"][0]
    cmoc, theory = curated["cmocs"][1], curated["theory"]
    record_decision(user=owner, source=source, stage=ScreeningDecision.Stage.TITLE_ABSTRACT,
                    decision="include")
    base = f"/reviews/{review.slug}"
    reading = ["/", f"{base}/", f"{base}/cmocs/{cmoc.pk}/", f"{base}/cmocs/lineage/",
               f"{base}/sources/", f"{base}/sources/{source.pk}/", f"{base}/theories/{theory.pk}/",
               f"{base}/matrix/", "/search/?q=trust", f"{base}/screening/",
               f"{base}/screening/title_abstract/", f"{base}/reports/rameses/"]
    curating = [f"{base}/cmocs/new/", f"{base}/cmocs/{cmoc.pk}/edit/",
                f"{base}/cmocs/{cmoc.pk}/refine/", f"{base}/cmocs/{cmoc.pk}/split/",
                f"{base}/cmocs/{cmoc.pk}/drop/", f"{base}/cmocs/{cmoc.pk}/delete/",
                f"{base}/cmocs/merge/?inputs={cmoc.pk}", f"{base}/cmocs/{cmoc.pk}/evidence/",
                # Starting and staffing a review (issue 13a's pages).
                "/accounts/", "/reviews/new/", f"{base}/settings/", f"{base}/definitions/",
                f"{base}/frameworks/", f"{base}/theories/new/", f"{base}/members/",
                f"{base}/sources/new/", f"{base}/sources/import/"]
    found = {}
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"):
        page.goto(url)
        found[url] = blocking_violations(page)
    log_in(page, owner, PASSWORD)
    for url in reading + curating:
        response = page.goto(url)
        assert response.status == 200, url
        found[url] = blocking_violations(page)
    # The link form opened inside the CMOC page (htmx) and a confirmation step.
    page.goto(f"{base}/cmocs/{cmoc.pk}/")
    page.get_by_role("link", name="Link evidence").click()
    page.get_by_role("heading", name=f"Link evidence to {cmoc.code}").wait_for()
    found["link form in page"] = blocking_violations(page)
    page.goto(f"{base}/cmocs/{cmoc.pk}/drop/")
    page.get_by_label("Rationale").fill("No evidence")
    page.get_by_role("button", name="Preview drop").click()
    found["drop confirmation"] = blocking_violations(page)
    assert {url: v for url, v in found.items() if v} == {}
    assert CMOC.objects.get(pk=cmoc.pk).status == "active"  # previewed, not done


def test_it_finds_none_on_screening_appraisal_reader_job_and_edit_pages(page, review, owner,
                                                                        editor):
    """The pages the first walk leaves out: conflicts, appraisal, the full-text reader,
    jobs, every edit form, and an edit refused because someone saved first."""
    curated = build_curated(review, owner)
    source, theory = curated["sources"][0], curated["theory"]
    theme = theory.theme
    definition = OperationalDefinition.objects.create(review=review, element="context",
                                                      text="Where it happens.")
    for user, decision in ((owner, "include"), (editor, "maybe")):
        record_decision(user=user, source=source, decision=decision,
                        stage=ScreeningDecision.Stage.TITLE_ABSTRACT)
    full_text = attach_full_text(source=source, data=text_pdf(STUDY_PAGES), name="study.pdf",
                                 user=owner)
    run_extraction(full_text.pk)
    job = start_job(task=define_elements, owner=owner, review=review,
                    params={"elements": ["context"]})
    base = f"/reviews/{review.slug}"
    urls = [f"{base}/screening/conflicts/", f"{base}/screening/settings/",
            f"{base}/screening/appraisal/", f"{base}/screening/appraisal/{source.pk}/",
            f"{base}/screening/prioritisation/",
            f"{base}/sources/{source.pk}/full-text/", f"{base}/sources/{source.pk}/excerpts/new/",
            f"/jobs/{job.pk}/", f"{base}/jobs/",
            f"{base}/sources/{source.pk}/edit/", f"{base}/theories/{theory.pk}/edit/",
            f"{base}/theories/{theory.pk}/revise/", f"{base}/definitions/{definition.pk}/edit/",
            f"{base}/frameworks/{theme.framework_id}/edit/",
            f"{base}/frameworks/{theme.framework_id}/delete/",
            f"{base}/frameworks/themes/{theme.pk}/edit/",
            f"{base}/frameworks/themes/{theme.pk}/delete/"]
    log_in(page, owner, PASSWORD)
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        found[url] = blocking_violations(page)
    # A settings edit refused because someone else saved first (the 409 page).
    page.goto(f"{base}/settings/")
    type(review).objects.filter(pk=review.pk).update(version=F("version") + 1)
    page.get_by_label("Title").fill("Mine")
    with page.expect_response(lambda r: r.url.endswith("/settings/")) as refused:
        page.get_by_role("button", name="Save settings").click()
    assert refused.value.status == 409
    found["stale settings edit"] = blocking_violations(page)
    # On a phone the tables scroll sideways: each scrolling box must take keyboard focus,
    # even when (all tokens revoked) nothing inside it can.
    for name in ("laptop", "old phone"):
        APIToken.issue(user=owner, name=f"Token for my {name} with a long name")
    APIToken.objects.revoke(APIToken.Reason.REVOKED)
    page.set_viewport_size({"width": 360, "height": 800})
    for url in ("/accounts/", f"{base}/definitions/", f"{base}/members/"):
        page.goto(url)
        found[f"{url} at 360 px"] = blocking_violations(page)
    assert {url: v for url, v in found.items() if v} == {}
