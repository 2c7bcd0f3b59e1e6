"""The import_sources service and command: formats, dedupe, refusals, dry run, query count."""


import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.importers import ImportRefused
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from tests.evidence.importers import samples


def windows(text):
    """As a Windows reference manager saves it: BOM and CRLF line endings."""
    return ("\ufeff" + text).replace("\n", "\r\n").encode("utf-8")


def existing_source(review, **fields):
    defaults = {"citation_key": "existing2018", "title": "An existing source", "year": 2018}
    return SourceDocument.objects.create(review=review, **{**defaults, **fields})


def test_it_imports_an_endnote_ris_file_with_bom_and_windows_line_endings(review, editor):
    report = import_sources(review=review, data=windows(samples.ENDNOTE_RIS), user=editor)

    assert report.format == "ris"
    assert report.summary == "created: 2, duplicates: 0, rejected: 0"
    embuldeniya = SourceDocument.objects.get(review=review, citation_key="embuldeniya2018")
    assert embuldeniya.title.endswith("Bundled Care in Ontario, Canada")  # multi-line TI
    assert embuldeniya.authors.startswith("Embuldeniya, Gayathri and Kirst, Maritt")
    assert (embuldeniya.container, embuldeniya.volume, embuldeniya.issue) == (
        "The Milbank Quarterly",
        "96",
        "4",
    )
    assert embuldeniya.pages == "782-813"
    assert embuldeniya.doi == "10.1111/1468-0009.12357"
    assert embuldeniya.created_by == editor
    assert embuldeniya.history.count() == 1
    scie = SourceDocument.objects.get(review=review, citation_key="scie2018")
    assert scie.authors == "Social Care Institute for Excellence"
    assert scie.url == "https://www.scie.org.uk/integrated-care/leadership/systems"


def test_it_reads_zotero_ris_with_url_dois_repeated_and_unknown_tags(review):
    report = import_sources(review=review, data=samples.ZOTERO_RIS.encode())

    assert report.summary == "created: 2, duplicates: 0, rejected: 0"
    pearson = SourceDocument.objects.get(review=review, citation_key="pearson2018")
    assert pearson.doi == "10.1108/jica-07-2017-0021"  # from the doi.org URL, lower-cased
    assert pearson.url.startswith("https://www.emerald.com/")
    nobody = SourceDocument.objects.get(review=review, citation_key="nobody2020")
    assert nobody.doi == ""
    assert nobody.container == "Health Services Management Research"


def test_it_reads_web_of_science_ris_and_tagged_text(review):
    import_sources(review=review, data=samples.WOS_RIS.encode())
    report = import_sources(
        review=review, data=samples.WOS_TAGGED.encode(), filename="savedrecs.txt"
    )

    assert report.format == "wos"
    assert report.summary == "created: 1, duplicates: 0, rejected: 0"
    keys = set(SourceDocument.objects.filter(review=review).values_list("citation_key", flat=True))
    assert keys == {"aunger2022", "aunger2021"}
    aunger2022 = SourceDocument.objects.get(review=review, citation_key="aunger2022")
    assert aunger2022.doi == "10.1186/s12913-022-07960-3"
    assert "inter-organisational collaborations in healthcare work" in aunger2022.title


def test_it_decodes_bibtex_accents_braces_and_string_macros(review):
    report = import_sources(review=review, data=samples.BIBTEX.encode(), filename="library.bib")

    assert report.format == "bibtex"
    muller = SourceDocument.objects.get(review=review, citation_key="muller2019")
    assert muller.authors == "Müller, Jörg and NHS England and O'Brien, Seán"
    assert muller.title == "ICS leadership and the étude of Care: a realist review"
    assert muller.container == "Journal of Integrated Care"
    assert muller.pages == "101-118"
    assert muller.doi == "10.1108/jica-01-2019-0001"
    charles = SourceDocument.objects.get(review=review, citation_key="charles2021")
    assert (charles.reference_type, charles.container, charles.publisher) == (
        "book", "", "The King's Fund"
    )


def test_it_reads_pubmed_nbib(review):
    report = import_sources(review=review, data=samples.NBIB.encode(), filename="pubmed.nbib")

    assert report.format == "nbib"
    smith = SourceDocument.objects.get(review=review, citation_key="smith2018")
    assert smith.authors == "Smith, Jane and Brown, Ahmed"
    assert smith.title.startswith("Integrated care pioneers") and smith.title.endswith("England.")
    assert smith.doi == "10.1136/bmjopen-2017-012345"
    assert smith.abstract.endswith("Methods: realist evaluation.")
    assert smith.url == "https://pubmed.ncbi.nlm.nih.gov/29411111/"
    assert SourceDocument.objects.get(review=review, citation_key="smith2019").year == 2019


def test_it_matches_duplicates_by_doi_in_any_case_or_url_form(review):
    existing = existing_source(review, citation_key="pearson2018", doi="10.1108/jica-07-2017-0021")
    ris = samples.ris_record(1, doi="HTTPS://DOI.ORG/10.1108/JICA-07-2017-0021")

    report = import_sources(review=review, data=ris.encode())

    assert report.summary == "created: 0, duplicates: 1, rejected: 0"
    assert report.duplicates[0]["source_id"] == existing.pk
    assert report.duplicates[0]["matched_by"] == "doi"
    assert SourceDocument.objects.filter(review=review).count() == 1


def test_it_matches_a_title_and_year_duplicate(review):
    existing = existing_source(
        review, title="LEADERSHIP FOR INTEGRATED CARE: A CASE-STUDY", year=2018
    )

    report = import_sources(review=review, data=samples.ZOTERO_RIS.encode())

    assert report.summary == "created: 1, duplicates: 1, rejected: 0"
    assert report.duplicates[0]["citation_key"] == existing.citation_key
    assert report.duplicates[0]["matched_by"] == "title_year"


def test_it_keeps_same_title_records_whose_dois_differ(review):
    existing_source(review, title="Generated study number 1", year=2000, doi="10.1/original")

    report = import_sources(review=review, data=samples.ris_record(1, doi="10.1/erratum").encode())

    assert report.summary == "created: 1, duplicates: 0, rejected: 0"


def test_it_finds_duplicates_within_the_file(review):
    ris = (
        samples.ris_record(1, doi="10.1/a")
        + samples.ris_record(2, doi="https://doi.org/10.1/A")
        + samples.ris_record(3)
        + samples.ris_record(3)
    )

    report = import_sources(review=review, data=ris.encode())

    assert report.summary == "created: 2, duplicates: 2, rejected: 0"
    assert [d["in_file_position"] for d in report.duplicates] == [1, 3]
    assert SourceDocument.objects.filter(review=review).count() == 2


def test_it_adds_nothing_on_reimport(review):
    data = samples.ENDNOTE_RIS.encode() + samples.ZOTERO_RIS.encode()
    import_sources(review=review, data=data)

    report = import_sources(review=review, data=data)

    assert report.summary == "created: 0, duplicates: 4, rejected: 0"
    assert SourceDocument.objects.filter(review=review).count() == 4


def test_it_gives_citation_keys_unique_in_the_review(review):
    existing_source(review, citation_key="author12000", title="Something else", year=1999)
    ris = samples.ris_record(1).replace("Author1, A.", "Author1, B.") + samples.ris_record(
        1
    ).replace("number 1", "number one")

    report = import_sources(review=review, data=ris.encode())

    assert [c["citation_key"] for c in report.created] == ["author12000a", "author12000b"]


def test_it_writes_nothing_in_a_dry_run(review):
    report = import_sources(review=review, data=samples.NBIB.encode(), dry_run=True)

    assert report.dry_run and len(report.created) == 2
    assert [c["citation_key"] for c in report.created] == ["smith2018", "smith2019"]
    assert not SourceDocument.objects.filter(review=review).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"Dear colleague,\nplease find the minutes attached.\n", "not a reference file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"TY  - JOUR\nAU  - Nobody\nER  - \n", "cannot be imported"),
    ],
)
def test_it_refuses_files_that_are_not_reference_files(review, data, message):
    with pytest.raises(ImportRefused) as refusal:
        import_sources(review=review, data=data)

    assert message in refusal.value.message
    assert refusal.value.status == 400
    assert not SourceDocument.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(review, settings):
    settings.JOB_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ImportRefused) as refusal:
        import_sources(review=review, data=b"TY  - JOUR\n" + b"x" * 1000)

    assert refusal.value.status == 413
    assert "the limit is 1,000 bytes" in refusal.value.message


def test_it_refuses_a_malformed_record_and_writes_nothing(review):
    ris = samples.ris_record(1) + "TY  - JOUR\nTI  - An unterminated record\n"

    with pytest.raises(ImportRefused) as refusal:
        import_sources(review=review, data=ris.encode())

    assert refusal.value.report.rejected == [
        {
            "position": 2,
            "title": "",
            "reason": "The record is malformed: it is not closed by an 'ER  -' line.",
        }
    ]
    assert not SourceDocument.objects.exists()


def test_it_skips_bad_records_only_when_asked(review):
    bad_bibtex = samples.BIBTEX + "\n@article{broken,\n  title = {Unclosed,\n"

    report = import_sources(review=review, data=bad_bibtex.encode(), skip_invalid=True)

    assert report.summary == "created: 2, duplicates: 0, rejected: 1"
    assert "malformed BibTeX" in report.rejected[0]["reason"]
    assert SourceDocument.objects.filter(review=review).count() == 2


def test_it_refuses_an_unknown_kind(review):
    with pytest.raises(ImportRefused) as refusal:
        import_sources(review=review, data=samples.NBIB.encode(), kind="novel")

    assert refusal.value.field == "kind"


def test_it_imports_a_thousand_references_in_a_bounded_number_of_queries(review, editor):
    existing_source(review, doi="10.5555/test.7")
    data = samples.bibtex_entries(1000).encode()

    with CaptureQueriesContext(connection) as queries:
        report = import_sources(review=review, data=data, user=editor)

    assert report.summary == "created: 999, duplicates: 1, rejected: 0"
    assert SourceDocument.objects.filter(review=review).count() == 1000
    history = SourceDocument.history.filter(review=review)
    assert history.count() == 1000
    imported = history.exclude(doi="10.5555/test.7")  # the existing source was saved before
    assert set(imported.values_list("history_user", "history_type")) == {(editor.pk, "+")}
    assert {entry["source_id"] for entry in report.created} == set(
        SourceDocument.objects.filter(review=review, created_by=editor).values_list("pk", flat=True)
    )
    # One query reads the review's sources, one or two reserve ids for the new ones,
    # one command inserts them, one INSERT … SELECT writes their history, plus the
    # savepoint's own statements: never one a record.
    assert len(queries) <= 8, [q["sql"][:60] for q in queries]


def test_it_records_the_imported_rows_as_they_were_inserted(review, editor):
    import_sources(review=review, data=samples.ZOTERO_RIS.encode(), user=editor)

    for source in SourceDocument.objects.filter(review=review):
        record = source.history.get()
        assert record.history_change_reason == "Imported from a reference file"
        assert (record.title, record.doi, record.created_by_id, record.review_id) == (
            source.title,
            source.doi,
            editor.pk,
            review.pk,
        )
        assert record.created_at == source.created_at
        assert record.history_date >= source.created_at


def test_it_runs_as_a_management_command(review, tmp_path, capsys):
    path = tmp_path / "library.ris"
    path.write_bytes(windows(samples.ENDNOTE_RIS))

    call_command("import_sources", review.slug, str(path), "--kind", "grey_literature")
    call_command("import_sources", review.slug, str(path))

    output = capsys.readouterr().out
    assert "created: 2, duplicates: 0, rejected: 0" in output
    assert "created: 0, duplicates: 2, rejected: 0" in output
    assert "duplicate of embuldeniya2018" in output
    assert set(SourceDocument.objects.values_list("kind", flat=True)) == {"grey_literature"}


def test_it_fails_the_command_on_a_rejected_file(review, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes")

    with pytest.raises(CommandError, match="not a reference file"):
        call_command("import_sources", review.slug, str(path))
    with pytest.raises(CommandError, match="No review"):
        call_command("import_sources", "no-such-review", str(path))
    assert not SourceDocument.objects.exists()


def test_it_dry_runs_the_command(review, tmp_path, capsys):
    path = tmp_path / "pubmed.nbib"
    path.write_text(samples.NBIB)

    call_command("import_sources", review.slug, str(path), "--dry-run")

    assert "dry run: created: 2, duplicates: 0, rejected: 0" in capsys.readouterr().out
    assert not SourceDocument.objects.exists()


def test_it_reserves_ids_that_later_inserts_do_not_reuse(review, editor):
    report = import_sources(review=review, data=samples.ZOTERO_RIS.encode(), user=editor)
    imported = [entry["source_id"] for entry in report.created]

    later = SourceDocument.objects.create(review=review, citation_key="later2024", title="Later")

    assert later.pk > max(imported)
    assert sorted(SourceDocument.objects.values_list("pk", flat=True)) == sorted(
        [*imported, later.pk]
    )
