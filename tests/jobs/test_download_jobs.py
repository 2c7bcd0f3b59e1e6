"""A large review's table downloads are made by a job for signed-in readers (issue 15).

Above settings.DOWNLOAD_JOB_SOURCES sources, the RAMESES page's CMOC table,
evidence matrix and Markdown report, and the matrix page's CSV/Excel, are
buttons that start a job (a progress page, then the file); the sources' files
stream and PRISMA stays direct (tests/jobs/test_large_downloads.py). A small
review, and an anonymous reader of a public one, keep the direct links. Each
path is tried by each kind of reader.
"""

import pytest

from evidence.models import SourceDocument
from ichub.jobs.models import Job
from ichub.models import Review
from reports.downloads import JOB_FILES, LARGE_REVIEW_JOB_FILES

pytestmark = pytest.mark.django_db

BASE = "/reviews/test-review"


@pytest.fixture
def sources(review):
    return SourceDocument.objects.bulk_create(
        SourceDocument(review=review, citation_key=f"s{i}", authors=f"Author{i}, A.", year=2020,
                       title=f"=HYPERLINK(\"x\") study {i}",
                       inclusion_status=SourceDocument.Inclusion.INCLUDED)
        for i in range(3))


@pytest.fixture
def large(settings, sources):
    settings.DOWNLOAD_JOB_SOURCES = 2  # the review's 3 sources are above it


def _body(response):
    return b"".join(response.streaming_content)


def _job_form(name):
    return f'action="{BASE}/reports/files/{name}"'


def _link(name):
    return f'href="{BASE}/reports/downloads/{name}"'


def test_it_offers_a_large_reviews_table_downloads_as_jobs_to_signed_in_readers(
    client, large, viewer
):
    client.force_login(viewer)
    page = client.get(f"{BASE}/reports/rameses/").content.decode()

    for name in JOB_FILES | LARGE_REVIEW_JOB_FILES:
        assert _job_form(name) in page and _link(name) not in page, name
    assert _link("rameses-checklist.csv") in page  # small files stay direct
    assert _link("sources.ris") in page and _link("prisma-flow.csv") in page  # streamed, small
    matrix = client.get(f"{BASE}/matrix/?include_retired=1").content.decode()
    assert _job_form("evidence-matrix.xlsx") in matrix and "/matrix.xlsx" not in matrix
    assert '<input type="hidden" name="include_retired" value="1">' in matrix


def test_it_keeps_direct_links_on_a_small_review(client, settings, sources, viewer):
    settings.DOWNLOAD_JOB_SOURCES = 3  # not above
    client.force_login(viewer)
    page = client.get(f"{BASE}/reports/rameses/").content.decode()

    for name in LARGE_REVIEW_JOB_FILES:
        assert _link(name) in page and _job_form(name) not in page, name
    for name in JOB_FILES:
        assert _job_form(name) in page
    assert f'href="{BASE}/matrix.csv"' in client.get(f"{BASE}/matrix/").content.decode()


def test_it_keeps_direct_links_for_anonymous_readers_of_a_large_public_review(client, large,
                                                                             review):
    Review.objects.filter(pk=review.pk).update(visibility=Review.Visibility.PUBLIC)
    page = client.get(f"{BASE}/reports/rameses/").content.decode()

    for name in LARGE_REVIEW_JOB_FILES:
        assert _link(name) in page, name
    response = client.get(f"{BASE}/reports/downloads/sources.ris")  # streamed
    assert response.status_code == 200 and b"TI  - " in _body(response)
    # A file made by a job on a review this size: sign in first (a job needs an owner).
    response = client.get(f"{BASE}/matrix.csv")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # Starting a job needs an account: sent to sign in, no job.
    assert client.post(f"{BASE}/reports/files/sources.ris").status_code == 302
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", ["sources.ris", "cmoc-table.xlsx", "prisma-flow.csv",
                                  "rameses-report.md"])
def test_it_makes_the_same_file_as_the_direct_download(client, settings, sources, viewer,
                                                        run_worker, name):
    client.force_login(viewer)
    direct = client.get(f"{BASE}/reports/downloads/{name}")  # a small review's download
    settings.DOWNLOAD_JOB_SOURCES = 2

    response = client.post(f"{BASE}/reports/files/{name}")

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.owner == viewer
    download = client.get(f"/jobs/{job.pk}/file")
    assert download["Content-Disposition"] == direct["Content-Disposition"]
    if not name.endswith(".xlsx"):  # a workbook records when it was written
        assert _body(download) == direct.content


def test_it_makes_the_matrix_with_the_pages_options(client, settings, sources, editor,
                                                    run_worker):
    client.force_login(editor)
    direct = client.get(f"{BASE}/matrix.csv?include_retired=1&hide_empty=1")
    settings.DOWNLOAD_JOB_SOURCES = 2

    client.post(f"{BASE}/reports/files/evidence-matrix.csv",
                {"include_retired": "1", "hide_empty": "1"})

    job = Job.objects.get()
    assert job.params["matrix"] == {"include_retired": True, "hide_empty": True}
    run_worker()
    assert _body(client.get(f"/jobs/{job.pk}/file")) == direct.content
    assert direct.content.startswith("\ufeffSource".encode())


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 302), ("editor", 302), ("viewer", 302), ("outsider", 404), (None, 302),
])
def test_it_lets_only_readers_start_a_download_job(request, client, large, who, expected):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.post(f"{BASE}/reports/files/sources.bib")

    assert response.status_code == expected
    if who in (None, "outsider"):
        assert not Job.objects.exists()
        if who is None:
            assert response["Location"].startswith("/accounts/login/")
    else:
        assert Job.objects.get().owner.username == request.getfixturevalue(who).username
        assert client.get(f"{BASE}/reports/files/sources.bib").status_code == 405


def test_it_answers_404_for_a_file_that_does_not_exist(client, large, viewer):
    client.force_login(viewer)
    assert client.post(f"{BASE}/reports/files/nothing.exe").status_code == 404
    assert not Job.objects.exists()
