"""The job page: a progress bar that polls while the job runs and stops when it ends."""

import pytest

from ichub.jobs.models import Job
from ichub.jobs.services import start_job
from tests.conftest import PASSWORD
from tests.jobs.tasks import define_elements

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(review, editor):
    return start_job(task=define_elements, owner=editor, review=review,
                     params={"elements": ["context", "outcome"]})


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_polls_a_running_job_and_shows_its_progress(client, job, viewer):
    Job.objects.filter(pk=job.pk).update(status="running", progress_done=1, progress_total=2)
    page = _login(client, viewer).get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'hx-get="/jobs/{job.pk}/"' in html and 'hx-trigger="every 1s"' in html
    assert 'value="50"' in html and "1 of 2" in html
    assert "Cancel" not in html  # a viewer may watch, not stop


def test_it_stops_polling_and_links_the_result_when_done(client, job, editor, run_worker):
    run_worker()
    fragment = _login(client, editor).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<h1>" not in html  # htmx gets the fragment only
    assert "hx-trigger" not in html and 'data-status="succeeded"' in html
    assert 'href="/reviews/test-review/"' in html


def test_it_shows_the_error_of_a_failed_job(client, job, editor):
    Job.objects.filter(pk=job.pk).update(status="failed", error="The file has no outcome.")
    html = _login(client, editor).get(f"/jobs/{job.pk}/").content.decode()
    assert 'role="alert">The file has no outcome.' in html


def test_it_cancels_from_the_page_for_the_starter_only(client, job, editor, viewer):
    assert _login(client, viewer).post(f"/jobs/{job.pk}/cancel").status_code == 403
    client.logout()
    response = _login(client, editor).post(f"/jobs/{job.pk}/cancel")
    assert response.status_code == 302 and Job.objects.get(pk=job.pk).status == "cancelled"


def test_it_hides_the_page_from_outsiders_and_asks_strangers_to_log_in(client, job, outsider):
    assert client.get(f"/jobs/{job.pk}/").status_code == 302
    assert _login(client, outsider).get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get("/reviews/test-review/jobs/").status_code == 404


def test_it_lists_the_reviews_jobs(client, job, viewer):
    html = _login(client, viewer).get("/reviews/test-review/jobs/").content.decode()
    assert f'href="/jobs/{job.pk}/"' in html and "test.define" in html
