"""A GET of a large review's file never builds it in the request (issue 15).

Above settings.DOWNLOAD_JOB_SOURCES sources the sources' files (RIS, BibTeX,
CSL-JSON) stream a chunk of sources per query, byte for byte what the small
review's download holds; the other growing files (CMOC table, evidence
matrix, Markdown and Word report, REFI-QDA project, whole-review export) are
made by the reader's job: the browser goes to its progress page, the API
answers 202 with its Location; anonymous readers are asked to sign in.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evidence.models import SourceDocument
from ichub.jobs.models import Job
from ichub.models import Review

pytestmark = pytest.mark.django_db

BASE = "/reviews/test-review"
API = "/api/reviews/test-review"
STREAMED = ["sources.ris", "sources.bib", "sources.json"]
MADE_BY_JOB = ["cmoc-table.csv", "cmoc-table.xlsx", "evidence-matrix.csv", "evidence-matrix.xlsx",
               "rameses-report.md", "rameses-report.docx", "project.qdpx"]


@pytest.fixture
def sources(review):
    odd = {"title": "=cmd|' /C calc'!A0 \"quoted\" {braced} 50% & $3", "authors": "",
           "abstract": "line one\nline two", "keywords": "a\nb"}
    plain = {"year": 2020, "inclusion_status": SourceDocument.Inclusion.INCLUDED}
    return SourceDocument.objects.bulk_create(
        SourceDocument(review=review, citation_key=f"s{i}", **plain,
                       **(odd if i == 3 else {"authors": f"Author{i}, A.", "title": f"Study {i}"}))
        for i in range(5))


def _body(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", STREAMED)
def test_it_streams_a_large_reviews_sources_chunk_by_chunk_as_the_small_download(
    client, settings, sources, viewer, name
):
    client.force_login(viewer)
    small = client.get(f"{BASE}/reports/downloads/{name}").content
    settings.DOWNLOAD_JOB_SOURCES = 2
    from reports import downloads

    downloads.STREAM_SOURCES, before = 2, downloads.STREAM_SOURCES
    try:
        response = client.get(f"{BASE}/reports/downloads/{name}")
        with CaptureQueriesContext(connection) as streaming:
            body = _body(response)
    finally:
        downloads.STREAM_SOURCES = before

    assert response.streaming and body == small
    assert response["Content-Disposition"] == f'attachment; filename="test-review-{name}"'
    # 5 sources, 2 a query: 3 chunks and the empty read that ends them, each one bounded.
    reads = [q["sql"] for q in streaming.captured_queries]
    assert len(reads) == 4 and all("LIMIT 2" in sql for sql in reads), reads
    api = client.get(f"{API}/downloads/{name}")
    assert api.streaming and _body(api) == small
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", MADE_BY_JOB)
def test_it_sends_a_browser_get_of_a_large_reviews_file_to_its_job(client, settings, sources,
                                                                   editor, name):
    settings.DOWNLOAD_JOB_SOURCES = 2
    client.force_login(editor)

    first = client.get(f"{BASE}/reports/downloads/{name}")
    again = client.get(f"{BASE}/reports/downloads/{name}")  # a reload joins the same job

    job = Job.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/jobs/{job.pk}/"
    assert job.owner == editor and job.params["name"] == name and job.status == "queued"


def test_it_makes_a_large_reviews_export_by_a_job_for_browser_and_api(
    client, settings, sources, owner, token_client, run_worker
):
    small = token_client(owner).get(f"{API}/export/")
    small_text = b"".join(small.streaming_content)
    settings.DOWNLOAD_JOB_SOURCES = 2
    client.force_login(owner)

    page = client.get(f"{BASE}/reports/export.json")
    api = token_client(owner).get(f"{API}/export/")

    jobs = list(Job.objects.order_by("pk"))
    assert [job.kind for job in jobs] == ["review.export"]  # the API's GET joined it
    assert page["Location"] == f"/jobs/{jobs[0].pk}/"
    assert api.status_code == 202 and api["Location"].endswith(f"/api/jobs/{jobs[0].pk}/")
    run_worker()
    assert _body(client.get(f"/jobs/{jobs[0].pk}/file")) == small_text


def test_it_answers_an_api_get_of_a_large_reviews_matrix_with_its_job(
    settings, sources, viewer, token_client, run_worker
):
    api = token_client(viewer)
    small = api.get(f"{API}/downloads/evidence-matrix.csv?include_retired=true&hide_empty=true")
    settings.DOWNLOAD_JOB_SOURCES = 2

    response = api.get(f"{API}/downloads/evidence-matrix.csv?include_retired=true"
                       "&hide_empty=true")

    job = Job.objects.get()
    assert response.status_code == 202 and response["Location"].endswith(f"/api/jobs/{job.pk}/")
    assert job.params == {"name": "evidence-matrix.csv",
                          "matrix": {"include_retired": True, "hide_empty": True}}
    run_worker()
    file_url = api.get(f"/api/jobs/{job.pk}/").json()["file_url"]
    assert _body(api.get(file_url)) == small.content


@pytest.mark.parametrize(("who", "browser", "api"), [
    ("owner", 302, 202), ("editor", 302, 202), ("viewer", 302, 202), ("outsider", 404, 404),
    (None, 302, 401),
])
def test_it_lets_only_readers_start_a_job_by_get(request, client, settings, sources,
                                                 token_client, who, browser, api):
    settings.DOWNLOAD_JOB_SOURCES = 2
    Review.objects.filter(pk=sources[0].review_id).update(
        visibility=Review.Visibility.PUBLIC if who is None else Review.Visibility.PRIVATE)
    user = request.getfixturevalue(who) if who else None
    if user:
        client.force_login(user)

    page = client.get(f"{BASE}/reports/downloads/cmoc-table.csv")
    call = token_client(user).get(f"{API}/downloads/cmoc-table.csv")

    assert (page.status_code, call.status_code) == (browser, api)
    if who in (None, "outsider"):
        assert not Job.objects.exists()
        if who is None:
            assert page["Location"].startswith("/accounts/login/")
            assert "sign in" in call.json()["detail"]
    else:
        assert Job.objects.get().owner == user  # the API's GET joined the page's job


def test_it_keeps_prisma_direct_on_a_large_review(client, settings, sources, viewer):
    settings.DOWNLOAD_JOB_SOURCES = 2
    client.force_login(viewer)
    response = client.get(f"{BASE}/reports/downloads/prisma-flow.csv")
    assert response.status_code == 200 and response.content.startswith(b"data,node,")
    assert not Job.objects.exists()


def _post(client, name, body):
    return client.post(f"{API}/downloads/{name}", body, format="json")


@pytest.mark.parametrize(("name", "body", "refused"), [
    ("evidence-matrix.csv", {"hide_empty": "yes"}, "hide_empty"),
    ("evidence-matrix.csv", {"include_retired": 1}, "include_retired"),
    ("evidence-matrix.xlsx", {"hide-empty": True}, "hide-empty"),
    ("sources.ris", {"include_retired": True}, "include_retired"),
    ("evidence-matrix.csv", ["include_retired"], "non_field_errors"),
])
def test_it_refuses_a_bad_matrix_option_naming_it(review, owner, token_client, name, body,
                                                  refused):
    response = _post(token_client(owner), name, body)
    assert response.status_code == 400 and refused in response.json(), response.content
    assert not Job.objects.exists()


def test_it_refuses_a_bad_matrix_option_in_a_get_naming_it(review, owner, token_client):
    response = token_client(owner).get(f"{API}/downloads/evidence-matrix.csv?hide_empty=1")
    assert response.status_code == 400 and "hide_empty" in response.json()


def test_it_makes_the_api_matrix_job_with_the_options_as_the_direct_download(
    sources, viewer, token_client, run_worker
):
    api = token_client(viewer)
    direct = api.get(f"{API}/downloads/evidence-matrix.csv?include_retired=true&hide_empty=true")
    plain = api.get(f"{API}/downloads/evidence-matrix.csv")
    assert direct.content != plain.content  # the options change the file

    response = _post(api, "evidence-matrix.csv", {"include_retired": True, "hide_empty": True})

    assert response.status_code == 202
    job = Job.objects.get()
    assert job.params["matrix"] == {"include_retired": True, "hide_empty": True}
    run_worker()
    assert _body(api.get(api.get(f"/api/jobs/{job.pk}/").json()["file_url"])) == direct.content


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 202), ("editor", 202), ("viewer", 202), ("outsider", 404), (None, 401),
])
def test_it_lets_only_readers_start_a_matrix_job_with_options(request, review, token_client,
                                                              who, expected):
    user = request.getfixturevalue(who) if who else None
    response = _post(token_client(user), "evidence-matrix.xlsx", {"hide_empty": True})
    assert response.status_code == expected
    assert Job.objects.count() == (1 if expected == 202 else 0)


def test_it_starts_a_new_job_rather_than_join_one_whose_worker_died(client, settings, sources,
                                                                    editor):
    settings.DOWNLOAD_JOB_SOURCES = 2
    client.force_login(editor)
    client.get(f"{BASE}/reports/downloads/cmoc-table.csv")
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    Job.objects.update(status=Job.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago)

    response = client.get(f"{BASE}/reports/downloads/cmoc-table.csv")

    dead, new = Job.objects.order_by("pk")
    assert response["Location"] == f"/jobs/{new.pk}/" and new.status == Job.Status.QUEUED
