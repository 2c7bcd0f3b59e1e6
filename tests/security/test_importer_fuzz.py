"""Random bytes into every importer: a clear refusal, never a crash, and nothing written.

Hypothesis feeds arbitrary bytes, and bytes behind each format's opening (so
the parsers, not only format detection, see garbage) to the reference
importers (RIS, BibTeX, PubMed; service and API) and the whole-review import.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.importers.services import import_sources
from evidence.importers.text import ImportRefused
from evidence.models import Excerpt, SourceDocument
from ichub.models import Review
from reports.transfer.load import TransferRefused, import_review, parse_document

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
OPENINGS = [b"", b"TY  - JOUR\n", b"@article{k,\n", b"PMID- 1\n", b"\xef\xbb\xbfTY  - ",
            b'{"format": "ichub-review", "version": 1, ', b"%PDF-1.4\n"]
hostile_files = st.builds(lambda opening, tail: opening + tail, st.sampled_from(OPENINGS),
                          st.binary(max_size=2048))


def row_counts():
    return (Review.objects.count(), SourceDocument.objects.count(), Excerpt.objects.count())


@FUZZ
@given(data=hostile_files, filename=st.sampled_from(["refs.ris", "refs.bib", "refs.nbib",
                                                     "refs.txt", ""]))
def test_it_refuses_garbage_reference_files_cleanly_in_the_service(review, owner, data,
                                                                   filename):
    before = row_counts()

    try:
        report = import_sources(review=review, data=data, filename=filename, user=owner)
    except ImportRefused as refusal:
        assert str(refusal.args[0]).strip()  # says why
        assert row_counts() == before
    else:
        # Garbage that happens to parse as references is imported whole, as the report says.
        assert row_counts()[1] - before[1] == len(report.created)
        assert not report.rejected  # any bad record would have refused the whole file


@FUZZ
@given(data=hostile_files)
def test_it_refuses_garbage_review_exports_cleanly(owner, data):
    before = row_counts()

    with pytest.raises(TransferRefused) as refusal:
        import_review(document=parse_document(data), user=owner)

    assert refusal.value.message.strip()
    assert row_counts() == before


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=hostile_files)
def test_it_answers_garbage_uploads_to_the_api_with_a_4xx_and_writes_nothing(
    review, editor, token_client, data
):
    client = token_client(editor)
    before = row_counts()

    sources = client.post("/api/sources/import/", {
        "review": review.slug, "file": SimpleUploadedFile("refs.ris", data),
    }, format="multipart")
    whole = client.post("/api/reviews/import/", {
        "file": SimpleUploadedFile("review.json", data),
    }, format="multipart")

    assert 400 <= whole.status_code < 500, whole.content[:300]
    assert whole.json()
    assert sources.status_code < 500, sources.content[:300]
    if sources.status_code >= 400:
        assert sources.json()
        assert row_counts() == before
    assert Review.objects.count() == before[0]


def test_it_names_the_problem_for_a_review_export_of_the_wrong_shape(owner):
    document = json.dumps({"format": "something-else"}).encode()

    with pytest.raises(TransferRefused) as refusal:
        import_review(document=parse_document(document), user=owner)

    assert "not an ichub review export" in refusal.value.message
