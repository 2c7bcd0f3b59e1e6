"""Every file of the corpus: its records, three of them field by field, no duplicates on a second
import, and the same records after a round trip out and back in through RIS, BibTeX and CSL-JSON.

The files are other projects' test data (tests/evidence/importers/manifest.py says whose); the tests
skip, naming the folder, where the corpus is not beside the repository.
"""

import pytest

from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from ichub.models import Review
from reports.references import to_bibtex, to_csl_json, to_ris
from tests.evidence.importers.corpus import CORPUS, corpus_path
from tests.evidence.importers.manifest import MANIFEST

pytestmark = pytest.mark.django_db

ROUND_TRIP_FIELDS = ["reference_type", "authors", "editors", "year", "title", "container",
                     "publisher", "volume", "issue", "pages", "doi", "url", "abstract"]
WRITERS = [(to_ris, "back.ris"), (to_bibtex, "back.bib"), (to_csl_json, "back.json")]


def imported(review, corpus_file):
    data = corpus_path("references", corpus_file.name).read_bytes()
    return import_sources(
        review=review, data=data, filename=corpus_file.name, encoding=corpus_file.encoding,
        skip_invalid=corpus_file.skip_invalid,
    )


def spot_checked(source, expected):
    actual = {name: getattr(source, name) for name in expected if name != "first_author"}
    actual["first_author"] = source.authors.split(" and ")[0]
    return actual


def fields(sources):
    return sorted(tuple(str(getattr(s, name)) for name in ROUND_TRIP_FIELDS) for s in sources)


def test_it_names_the_origin_and_licence_of_every_corpus_file():
    for corpus_file in MANIFEST:
        assert corpus_file.repository.count("/") == 1
        assert len(corpus_file.commit) == 40
        assert corpus_file.licence in {"MIT", "Apache-2.0", "GPL-3"}
        assert len(corpus_file.spot_checks) == min(3, corpus_file.records)
    if CORPUS.exists():  # and the folder holds no file the manifest does not name
        names = {path.name for path in (CORPUS / "references").iterdir()}
        assert names == {corpus_file.name for corpus_file in MANIFEST}


@pytest.mark.parametrize("corpus_file", MANIFEST, ids=lambda f: f.name)
def test_it_imports_the_corpus_file_whole_and_right(review, corpus_file):
    report = imported(review, corpus_file)

    assert len(report.duplicates) == corpus_file.duplicates
    assert len(report.possible_duplicates) == corpus_file.possible_duplicates
    counted = [report.created, report.rejected, report.duplicates, report.possible_duplicates]
    assert sum(map(len, counted)) == corpus_file.records
    sources = SourceDocument.objects.filter(review=review)
    for title, expected in corpus_file.spot_checks.items():
        found = [spot_checked(s, expected) for s in sources if s.title == title]
        assert expected in found, (title, found)
    for source in sources:  # no mojibake, no replacement characters
        text = " ".join((source.title, source.authors, source.container, source.abstract))
        assert "\ufffd" not in text and "Ã" not in text, source.title

    again = imported(review, corpus_file)
    assert again.created == []  # a second import adds nothing


@pytest.mark.parametrize("corpus_file", MANIFEST, ids=lambda f: f.name)
def test_it_round_trips_the_corpus_file_through_every_export(review, corpus_file):
    imported(review, corpus_file)
    original = SourceDocument.objects.filter(review=review)

    for write, filename in WRITERS:
        target = Review.objects.create(slug=f"back-{filename.replace('.', '-')}", title="Back")
        report = import_sources(review=target, data=write(original), filename=filename)
        assert report.rejected == [], (filename, report.rejected)
        assert fields(SourceDocument.objects.filter(review=target)) == fields(original), filename
