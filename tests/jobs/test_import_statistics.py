"""Import jobs refresh PostgreSQL's planner statistics of the tables they filled.

A fresh database otherwise plans the restored review's pages on the statistics
of empty tables until autoanalyze runs (tests/perf/conftest.py tells what that
cost). Read from pg_stat_user_tables.last_analyze, which only an ANALYZE sets.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ichub.jobs.models import Job
from reports.transfer import export_review_text
from tests.evidence.importers import samples
from tests.web.conftest import build_curated

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL statistics"),
]

FILLED = ("ichub_review", "evidence_sourcedocument", "cmocs_cmoc")
NOT_FILLED = "evidence_fulltextpage"  # the test review has no full texts


def _last_analyzed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the transaction's first read
        cursor.execute("SELECT relname, last_analyze FROM pg_stat_user_tables "
                       "WHERE relname = ANY(%s)", [[*FILLED, NOT_FILLED]])
        return dict(cursor.fetchall())


def test_it_analyzes_the_tables_a_restore_job_filled(review, owner, outsider, token_client,
                                                     run_worker):
    build_curated(review, owner)
    text = export_review_text(review).replace('"slug": "test-review"', '"slug": "copy"')
    before = _last_analyzed()

    response = token_client(outsider).post(
        "/api/reviews/import/", {"file": SimpleUploadedFile("r.json", text.encode())},
        format="multipart")
    run_worker()

    assert Job.objects.get(pk=response.json()["id"]).status == Job.Status.SUCCEEDED
    after = _last_analyzed()
    for table in FILLED:
        assert after[table] is not None and after[table] != before.get(table), table
    assert after[NOT_FILLED] == before[NOT_FILLED]


def test_it_analyzes_the_sources_table_after_a_reference_import_job(review, editor, settings,
                                                                   token_client, run_worker):
    settings.REFERENCE_IMPORT_JOB_BYTES = 100  # samples.NBIB is larger
    before = _last_analyzed()

    response = token_client(editor).post(
        "/api/sources/import/",
        {"file": SimpleUploadedFile("pubmed.nbib", samples.NBIB.encode()), "review": review.slug},
        format="multipart")
    run_worker()

    assert Job.objects.get(pk=response.json()["id"]).status == Job.Status.SUCCEEDED
    after = _last_analyzed()
    assert after["evidence_sourcedocument"] not in (None, before["evidence_sourcedocument"])
    assert after["cmocs_cmoc"] == before["cmocs_cmoc"]  # not filled, not analysed
