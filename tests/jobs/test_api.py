"""GET /api/jobs/{id}/, a review's jobs, cancel and retry: who sees and who controls."""

import pytest

from ichub.jobs.models import Job
from ichub.jobs.services import start_job
from tests.conftest import make_user
from tests.jobs.tasks import define_elements

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(review, editor):
    return start_job(task=define_elements, owner=editor, review=review,
                     params={"elements": ["context"]})


@pytest.mark.parametrize("who", ["owner", "editor", "viewer", "staff"])
def test_it_shows_a_job_to_its_starter_and_the_reviews_members(job, who, request, token_client):
    response = token_client(request.getfixturevalue(who)).get(f"/api/jobs/{job.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "queued" and body["review"] == "test-review"
    assert body["owner"] == "eddie_editor" and body["kind"] == "test.define"
    assert body["progress"] == {"done": 0, "total": None, "percent": None}
    assert body["can_cancel"] is True and body["can_retry"] is False


def test_it_hides_a_job_from_everyone_else(job, outsider, token_client):
    assert token_client(outsider).get(f"/api/jobs/{job.pk}/").status_code == 404
    assert token_client(outsider).post(f"/api/jobs/{job.pk}/cancel/").status_code == 404
    assert token_client(outsider).get("/api/jobs/").json()["count"] == 0
    assert token_client(None).get(f"/api/jobs/{job.pk}/").status_code == 401


def test_it_shows_a_member_who_left_no_more_of_the_reviews_jobs(job, viewer, token_client):
    viewer.memberships.all().delete()
    assert token_client(viewer).get(f"/api/jobs/{job.pk}/").status_code == 404


def test_it_shows_a_starter_their_job_on_a_review_they_have_left(job, editor, token_client):
    editor.memberships.all().delete()
    assert token_client(editor).get(f"/api/jobs/{job.pk}/").status_code == 200


def test_it_lists_a_reviews_jobs_to_its_members_only(job, review, viewer, outsider, token_client):
    start_job(task=define_elements, owner=outsider, review=None, params={"elements": []})
    body = token_client(viewer).get("/api/reviews/test-review/jobs/").json()
    assert [row["id"] for row in body["results"]] == [job.pk]
    assert token_client(outsider).get("/api/reviews/test-review/jobs/").status_code == 404


def test_it_lets_a_viewer_watch_but_not_cancel(job, viewer, token_client):
    response = token_client(viewer).post(f"/api/jobs/{job.pk}/cancel/")
    assert response.status_code == 403
    assert Job.objects.get(pk=job.pk).status == "queued"


@pytest.mark.parametrize("who", ["owner", "editor"])
def test_it_lets_the_starter_and_the_reviews_owner_cancel(job, who, request, token_client):
    response = token_client(request.getfixturevalue(who)).post(f"/api/jobs/{job.pk}/cancel/")
    assert response.status_code == 202 and response.json()["status"] == "cancelled"
    assert Job.objects.get(pk=job.pk).status == "cancelled"


def test_it_answers_409_to_cancelling_a_finished_job_or_retrying_a_live_one(
    job, editor, token_client
):
    client = token_client(editor)
    assert client.post(f"/api/jobs/{job.pk}/retry/").status_code == 409
    assert client.post(f"/api/jobs/{job.pk}/cancel/").status_code == 202
    response = client.post(f"/api/jobs/{job.pk}/cancel/")
    assert response.status_code == 409 and "cancelled" in response.json()["detail"]


def test_it_retries_a_cancelled_job_for_an_editor_and_runs_it(
    job, editor, token_client, run_worker
):
    client = token_client(editor)
    client.post(f"/api/jobs/{job.pk}/cancel/")
    response = client.post(f"/api/jobs/{job.pk}/retry/")
    assert response.status_code == 202 and response.json()["attempts"] == 2
    run_worker()
    body = client.get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded" and body["progress"]["percent"] == 100
    assert body["result_url"] == "/reviews/test-review/"


def test_it_refuses_retry_to_a_viewer(job, editor, viewer, token_client):
    token_client(editor).post(f"/api/jobs/{job.pk}/cancel/")
    assert token_client(viewer).post(f"/api/jobs/{job.pk}/retry/").status_code == 403


def test_it_lets_an_editor_who_did_not_start_it_control_it(job, review, token_client):
    second = make_user("second_editor")
    review.memberships.create(user=second, role="editor")
    assert token_client(second).post(f"/api/jobs/{job.pk}/cancel/").status_code == 202


def test_it_answers_404_not_500_to_an_id_that_is_not_a_number(job, editor, token_client):
    assert token_client(editor).get("/api/jobs/null,null/").status_code == 404
