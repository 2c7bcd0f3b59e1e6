"""Reference files built to cost a worker minutes: linear key allocation and a work budget.

Issue 17 (High): records sharing an author and year made `new_citation_key`
rescan 'smith2020, smith2020a, …' from the start for each record (O(n²)), so a
10 MB file held a worker for about 20 minutes. Allocation is counted here in
key look-ups (the suite asserts work, never wall time); `make bench` times it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.importers import parse_references
from evidence.importers.services import _Matcher, import_sources
from evidence.importers.text import ImportRefused
from evidence.models import SourceDocument
from ichub.budget import time_budget

pytestmark = pytest.mark.django_db


def same_author_and_year_ris(count):
    return "".join(
        f"TY  - JOUR\nAU  - Smith, Jane\nPY  - 2020\nTI  - Study number {n}\nER  - \n\n"
        for n in range(count)
    ).encode()


class CountingSet(set):
    """The matcher's set of taken keys, counting how often it is asked."""

    lookups = 0

    def __contains__(self, key):
        CountingSet.lookups += 1
        return super().__contains__(key)


def key_lookups_for(review, count, monkeypatch):
    _, records = parse_references(same_author_and_year_ris(count), "refs.ris")
    matcher = _Matcher(review)
    monkeypatch.setattr(matcher, "keys", CountingSet(matcher.keys))
    CountingSet.lookups = 0
    keys = [matcher.new_citation_key(record) for record in records]
    assert len(set(keys)) == count
    return CountingSet.lookups


def test_it_allocates_citation_keys_in_linear_work(review, monkeypatch):
    SourceDocument.objects.create(review=review, citation_key="smith2020b", title="Taken")

    small = key_lookups_for(review, 500, monkeypatch)
    large = key_lookups_for(review, 2000, monkeypatch)

    # Before the fix: 125,000 and 2,000,000 look-ups (16x for 4x the records).
    assert small <= 2 * 500
    assert large <= 4 * small


def test_it_keeps_the_key_sequence_readers_know(review):
    SourceDocument.objects.create(review=review, citation_key="smith2020a", title="Taken")

    report = import_sources(review=review, data=same_author_and_year_ris(30))

    keys = [entry["citation_key"] for entry in report.created]
    assert keys[:4] == ["smith2020", "smith2020b", "smith2020c", "smith2020d"]
    assert keys[-1] == "smith2020ad"  # after z: aa, ab, …


def test_it_refuses_an_import_over_its_time_budget_and_writes_nothing(review):
    with pytest.raises(ImportRefused) as refusal, time_budget(0):
        import_sources(review=review, data=same_author_and_year_ris(50))

    assert refusal.value.status == 413
    assert "split the file" in refusal.value.message
    assert not SourceDocument.objects.filter(review=review).exists()


def test_it_answers_an_api_import_over_budget_with_413(review, editor, token_client, settings):
    settings.IMPORT_TIME_BUDGET_SECONDS = 0
    upload = SimpleUploadedFile("refs.ris", same_author_and_year_ris(50))

    response = token_client(editor).post(
        "/api/sources/import/", {"file": upload, "review": review.slug, "dry_run": "true"},
        format="multipart",
    )

    assert response.status_code == 413, response.content
    assert "seconds" in response.json()["file"][0]


@pytest.mark.parametrize("opening", ["{", "\\textbf{"])
def test_it_refuses_bibtex_nested_too_deeply_with_a_reason(review, opening):
    title = opening * 300 + "x" + "}" * 300
    bibtex = f"@article{{deep, title={{{title}}}, year={{2020}}}}\n"

    with pytest.raises(ImportRefused) as refusal:
        import_sources(review=review, data=bibtex.encode(), filename="deep.bib")

    (rejected,) = refusal.value.report.rejected
    assert "nested too deeply" in rejected["reason"]


def test_it_answers_deep_bibtex_over_the_api_with_400(review, editor, token_client):
    bibtex = "@article{deep, title={" + "{" * 300 + "x" + "}" * 300 + "}, year={2020}}\n"
    upload = SimpleUploadedFile("deep.bib", bibtex.encode())

    response = token_client(editor).post(
        "/api/sources/import/", {"file": upload, "review": review.slug}, format="multipart"
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["report"]["rejected"][0]["reason"]


@pytest.mark.parametrize(("tag", "size", "field"), [
    ("TI", 20_001, "title"), ("AB", 100_001, "abstract"), ("AU", 20_001, "authors"),
])
def test_it_refuses_records_longer_than_the_api_allows(review, tag, size, field):
    title = "" if tag == "TI" else "TI  - A title\n"
    ris = f"TY  - JOUR\n{title}{tag}  - {'x' * size}\nPY  - 2020\nER  - \n".encode()

    with pytest.raises(ImportRefused) as refusal:
        import_sources(review=review, data=ris)

    (rejected,) = refusal.value.report.rejected
    assert rejected["reason"].startswith(f"The {field} is longer than")
    assert not SourceDocument.objects.filter(review=review).exists()

