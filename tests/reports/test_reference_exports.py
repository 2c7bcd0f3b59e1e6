"""RIS, BibTeX and CSL-JSON downloads: standard, typed, and read back the same by all."""

import json

import bibtexparser
import orjson
import pytest
import rispy

from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from ichub.models import Review
from reports.references import to_bibtex, to_csl_json, to_ris
from reports.transfer import export_review_text, import_review
from tests.evidence.importers.corpus import csl_schema

pytestmark = pytest.mark.django_db

FIELDS = ["reference_type", "genre", "authors", "editors", "year", "title", "container",
          "publisher", "volume", "issue", "pages", "doi", "url", "abstract", "keywords"]


@pytest.fixture
def typed_sources(review):
    rows = [
        dict(citation_key="pearson2018", reference_type="article-journal",
             authors="Pearson, Clare and Watson, Nick", year=2018,
             title="Effect of 5% dextrose & {braces}: a_b $3 ~ ^ #1 \\ realist review",
             container="Journal of Integrated Care", volume="26", issue="1", pages="20-31",
             doi="10.1108/jica-07-2017-0021",
             url="https://www.scopus.com/record.uri?eid=2-s2.0-1&doi=10.1%2fx&md5=ab",
             abstract="Of 1,204 infants, 85.58% were well.",
             keywords="integrated care\nleadership, distributed\nNHS & social care"),
        dict(citation_key="scie2018", reference_type="report",
             authors="Social Care Institute for Excellence", year=2018,
             title="Leadership in integrated care systems", publisher="SCIE",
             url="https://www.scie.org.uk/integrated-care/leadership/systems"),
        dict(citation_key="liu2000", reference_type="chapter", authors="Liu, R.",
             editors="Smith, Anna and Jones, Ben", year=2000, title="A chapter on trust",
             container="The Handbook of Integrated Care", publisher="Springer", pages="1-10"),
        dict(citation_key="knuth1984", reference_type="book", authors="Knuth, Donald E.",
             year=1984, title="The TeX Book", publisher="Addison-Wesley"),
        dict(citation_key="dobrokhotova2009", reference_type="article-journal",
             authors="Dobrokhotova, Yu E.", year=2009,
             title="Состояние рецепторного аппарата эндометрия",
             container="Gynecology, Obstetrics and Perinatology", volume="8", issue="3",
             pages="52-57"),
        # Corporate names holding "and" stay whole (a ';'-separated list), and the
        # sub-types BibTeX and RIS tell apart survive every format.
        dict(citation_key="dhsc2021", reference_type="report", genre="Government document",
             authors="Department of Health and Social Care; NHS England", year=2021,
             title="Integration and innovation: working together", publisher="HMSO"),
        dict(citation_key="wilson2019", reference_type="thesis", genre="Master's thesis",
             authors="Wilson, Amy", year=2019, title="Leading across boundaries",
             publisher="University of Leeds"),
        dict(citation_key="smith2020", reference_type="article-magazine",
             authors="Smith, Jo", year=2020, title="What ICS leaders say",
             container="Health Service Journal"),
        dict(citation_key="campbell2021", reference_type="article-newspaper",
             authors="Campbell, Denis", year=2021, title="NHS shake-up explained",
             container="The Guardian"),
    ]
    for row in rows:
        SourceDocument.objects.create(review=review, **row)
    return SourceDocument.objects.filter(review=review).order_by("citation_key")


def as_fields(sources):
    return {s.title: {name: getattr(s, name) for name in FIELDS} for s in sources}


def fresh_review():
    return Review.objects.create(slug="round-trip", title="Round trip")


def test_it_writes_standard_ris_that_rispy_reads(typed_sources):
    text = to_ris(typed_sources).decode()

    assert text.startswith("TY  - ")
    assert not any(line.rstrip().rstrip(".").isdigit() for line in text.splitlines())
    entries = {e["id"]: e for e in rispy.loads(text)}
    assert entries["scie2018"]["type_of_reference"] == "RPRT"
    assert entries["scie2018"]["publisher"] == "SCIE"
    assert "secondary_title" not in entries["scie2018"]  # the publisher is not a journal
    assert entries["liu2000"]["type_of_reference"] == "CHAP"
    assert entries["liu2000"]["secondary_title"] == "The Handbook of Integrated Care"
    assert entries["liu2000"]["secondary_authors"] == ["Smith, Anna", "Jones, Ben"]
    assert entries["pearson2018"]["type_of_reference"] == "JOUR"


def test_it_writes_bibtex_that_bibtexparser_reads(typed_sources):
    library = bibtexparser.parse_string(to_bibtex(typed_sources).decode())

    assert not library.failed_blocks
    entries = library.entries_dict
    assert entries["scie2018"].entry_type == "techreport"
    assert entries["scie2018"]["institution"] == "SCIE"
    assert entries["scie2018"]["author"] == "{Social Care Institute for Excellence}"
    assert entries["liu2000"].entry_type == "incollection"
    assert entries["liu2000"]["booktitle"] == "The Handbook of Integrated Care"
    assert entries["pearson2018"]["url"] == typed_sources.get(citation_key="pearson2018").url


def test_it_writes_csl_json_that_the_csl_schema_accepts(typed_sources):
    jsonschema = pytest.importorskip("jsonschema")
    items = orjson.loads(to_csl_json(typed_sources))

    jsonschema.validate(items, csl_schema())
    by_id = {item["id"]: item for item in items}
    assert by_id["scie2018"]["type"] == "report"
    assert by_id["scie2018"]["author"] == [{"literal": "Social Care Institute for Excellence"}]
    assert by_id["liu2000"]["editor"][0] == {"family": "Smith", "given": "Anna"}
    assert by_id["knuth1984"]["issued"] == {"date-parts": [[1984]]}


@pytest.mark.parametrize(
    ("write", "filename"), [(to_ris, "out.ris"), (to_bibtex, "out.bib"), (to_csl_json, "out.json")]
)
def test_it_reads_its_own_export_back_to_the_same_records(typed_sources, write, filename):
    target = fresh_review()

    report = import_sources(review=target, data=write(typed_sources), filename=filename)

    assert report.rejected == [] and report.duplicates == []
    assert as_fields(SourceDocument.objects.filter(review=target)) == as_fields(typed_sources)
    again = import_sources(review=target, data=write(typed_sources), filename=filename)
    assert again.created == []  # a re-import adds nothing


def test_it_exports_a_hand_typed_source_by_its_kind(review):
    source = SourceDocument.objects.create(
        review=review, citation_key="nhs2019", kind=SourceDocument.Kind.POLICY_GUIDANCE,
        authors="NHS England", year=2019, title="The NHS Long Term Plan", container="NHS England",
    )
    entry = rispy.loads(to_ris([source]).decode())[0]

    assert entry["type_of_reference"] == "RPRT"
    assert entry["publisher"] == "NHS England"  # the legacy container of a report


def test_it_carries_reference_types_editors_and_publishers_through_the_review_export(
    typed_sources, review
):
    document = json.loads(export_review_text(review))
    document["review"]["slug"] = "restored-copy"

    restored = import_review(document=document).review

    assert as_fields(SourceDocument.objects.filter(review=restored)) == as_fields(typed_sources)


def test_it_restores_an_export_written_before_reference_types(typed_sources, review):
    document = json.loads(export_review_text(review))
    document["review"]["slug"] = "restored-copy"
    for row in document["sections"]["sources"]:
        for name in ("reference_type", "genre", "editors", "publisher"):
            row.pop(name, None)

    restored = import_review(document=document).review

    chapter = SourceDocument.objects.get(review=restored, citation_key="liu2000")
    assert (chapter.reference_type, chapter.editors, chapter.publisher) == ("", "", "")
    assert chapter.container == "The Handbook of Integrated Care"


def test_it_writes_each_name_of_a_corporate_author_holding_and_whole(typed_sources):
    dhsc = typed_sources.filter(citation_key="dhsc2021")
    ris = rispy.loads(to_ris(dhsc).decode())[0]
    bibtex = bibtexparser.parse_string(to_bibtex(dhsc).decode()).entries[0]
    csl = orjson.loads(to_csl_json(dhsc))[0]

    assert ris["authors"] == ["Department of Health and Social Care", "NHS England"]
    assert ris["type_of_reference"] == "GOVDOC"
    assert bibtex["author"] == "{Department of Health and Social Care} and {NHS England}"
    assert csl["author"] == [{"literal": "Department of Health and Social Care"},
                             {"literal": "NHS England"}]
    assert dhsc.get().short_citation == (
        "Department of Health and Social Care and NHS England (2021)"
    )


def test_it_writes_theses_magazines_and_newspapers_as_bibtex_names_them(typed_sources):
    entries = bibtexparser.parse_string(to_bibtex(typed_sources).decode()).entries_dict

    assert entries["wilson2019"].entry_type == "mastersthesis"
    assert entries["wilson2019"]["school"] == "University of Leeds"
    assert entries["smith2020"]["entrysubtype"] == "magazine"
    assert entries["campbell2021"]["entrysubtype"] == "newspaper"
    assert entries["dhsc2021"]["type"] == "Government document"
