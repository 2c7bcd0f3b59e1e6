"""The defects issue 16 found in reference import, one test each; every one failed before its fix.

The inputs are written here in the shape the named tools write them (Scopus
BibTeX, a GBK export, Embase RIS…), so they run without the corpus.
"""

import pytest

from evidence.importers import ImportRefused
from evidence.importers.services import import_sources
from evidence.models import SourceDocument

pytestmark = pytest.mark.django_db

SCOPUS_PERCENT = """@ARTICLE{Ahmed2020,
author={Ahmed, S. and Rahman, M.},
title={Effect of 5% dextrose on neonatal glucose},
journal={Clinics in Perinatology},
year={2020},
abstract={Of 1,204 infants, 85.58% were normoglycaemic and 14.42% were not; the rest is kept.},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-1&doi=10.1%2fx&partnerID=40&md5=ab},
}

@ARTICLE{Ahmed2020b,
author={Ahmed, S. and Rahman, M.},
title={Effect of 5% saline on neonatal glucose},
journal={Clinics in Perinatology},
year={2020},
}
"""


def sources(review):
    return {s.title: s for s in SourceDocument.objects.filter(review=review)}


def test_it_keeps_an_unescaped_percent_in_bibtex_as_text(review):
    report = import_sources(review=review, data=SCOPUS_PERCENT.encode(), filename="scopus.bib")

    assert len(report.created) == 2  # "5% saline" is no longer a duplicate of "5% dextrose"
    dextrose = sources(review)["Effect of 5% dextrose on neonatal glucose"]
    assert dextrose.abstract.endswith("14.42% were not; the rest is kept.")
    assert "Effect of 5% saline on neonatal glucose" in sources(review)


def test_it_keeps_a_scopus_entry_whose_field_is_repeated(review):
    data = b"""@ARTICLE{Li2020,
author={Li, W. and Dou, Z.},
title={Soil fauna diversity at different stages of reed restoration},
journal={Ecosystem Health and Sustainability},
year={2020},
funding_details={University of Twente},
funding_details={Special Fund for Forest Scientific Research},
}
"""
    report = import_sources(review=review, data=data, filename="scopus.bib")

    assert len(report.created) == 1
    source = SourceDocument.objects.get(review=review)
    assert source.authors == "Li, W. and Dou, Z."
    assert source.container == "Ecosystem Health and Sustainability"


def test_it_keeps_the_text_of_tex_macros(review):
    data = rb"""@book{knuth, title={The \TeX Book}, author={Knuth, Donald E.}, year=1984}
@article{a1, title={{\TeX} fonts for everyone}, journal={\mbox{G-Animal's} Journal}, year=1990}
@article{a2, title={{\LaTeX} fonts for everyone}, journal={TUGboat}, year=1990}
"""
    report = import_sources(review=review, data=data, filename="tex.bib")

    assert len(report.created) == 3  # the two "… fonts" titles are no longer one
    titles = set(sources(review))
    assert titles == {"The TeX Book", "TeX fonts for everyone", "LaTeX fonts for everyone"}
    assert sources(review)["TeX fonts for everyone"].container == "G-Animal's Journal"


def test_it_takes_url_and_doi_verbatim(review):
    data = rb"""@article{s, title={A title}, year=2020, doi={10.1000/a~b_c%20d},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-85079532227&doi=10.1080%2f2096&partnerID=40}}
"""
    import_sources(review=review, data=data, filename="s.bib")

    source = SourceDocument.objects.get(review=review)
    assert source.url == (
        "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85079532227"
        "&doi=10.1080%2f2096&partnerID=40"
    )
    assert source.doi == "10.1000/a~b_c%20d"


@pytest.mark.parametrize(
    "title",
    ["Состояние рецепторного аппарата эндометрия", "Ελληνική βιβλιογραφία", "凯撒的测试标题"],
)
def test_it_finds_a_non_latin_title_without_a_doi_on_reimport(review, title):
    data = f"TY  - JOUR\nTI  - {title}\nPY  - 2009\nER  - \n".encode()
    import_sources(review=review, data=data)

    again = import_sources(review=review, data=data)

    assert again.created == []
    assert [d["matched_by"] for d in again.duplicates] == ["title_year"]


def test_it_refuses_a_gbk_file_it_cannot_tell_and_reads_it_when_told(review):
    data = (
        "@ARTICLE{k2013,\n  author = {凯撒},\n  title = {Test Title},\n  year = {2013},\n"
        "  journal = {测试期刊}\n}\n"
    ).encode("gbk")

    with pytest.raises(ImportRefused) as refused:
        import_sources(review=review, data=data, filename="gbk.bib")
    assert "gb18030" in refused.value.message
    assert not SourceDocument.objects.exists()

    import_sources(review=review, data=data, filename="gbk.bib", encoding="gbk")
    source = SourceDocument.objects.get(review=review)
    assert (source.authors, source.container) == ("凯撒", "测试期刊")


def test_it_refuses_utf8_with_a_broken_byte_instead_of_repairing_it(review):
    data = "TY  - JOUR\nAU  - Müller, Jörg\nTI  - Über Führung\n".encode() + b"N1  - \xff\nER  - \n"

    with pytest.raises(ImportRefused) as refused:
        import_sources(review=review, data=data)

    assert "line 4" in refused.value.message
    assert not SourceDocument.objects.exists()


def test_it_does_not_merge_recurring_titles_from_different_issues(review):
    data = b"""TY  - JOUR
TI  - Institutional members
T2  - Journal of Integrated Care
PY  - 2019
VL  - 27
SP  - 101
ER  -

TY  - JOUR
TI  - Institutional members
T2  - Journal of Integrated Care
PY  - 2019
VL  - 28
SP  - 77
ER  -
"""
    report = import_sources(review=review, data=data)

    assert len(report.created) == 1
    assert report.duplicates == []  # not silently merged: held back for the user
    assert [p["differs_in"] for p in report.possible_duplicates] == [["volume", "pages"]]

    import_sources(review=review, data=data, import_positions=[2])
    assert SourceDocument.objects.filter(review=review).count() == 2


def test_it_uses_the_short_title_when_a_ris_record_has_no_other(review):
    data = "TY  - JOUR\nAU  - Dobrokhotova, Yu E.\nPY  - 2009\nST  - Состояние эндометрия\nER  - \n"

    report = import_sources(review=review, data=data.encode())

    assert report.rejected == []
    assert SourceDocument.objects.get(review=review).title == "Состояние эндометрия"


def test_it_prefers_the_full_journal_name_to_its_abbreviation(review):
    data = (
        b"TY  - JOUR\nTI  - Neonatal care\nJO  - Clin. Perinatol.\n"
        b"JF  - Clinics in Perinatology\nPY  - 2012\nER  - \n"
    )

    import_sources(review=review, data=data)

    assert SourceDocument.objects.get(review=review).container == "Clinics in Perinatology"


def test_it_keeps_a_pubmed_book_title_as_the_container(review):
    data = b"""PMID- 28876801
TI  - Leadership in integrated care
BTI - Handbook of Integrated Care
DP  - 2017
FAU - Goodwin, Nick

"""
    import_sources(review=review, data=data, filename="x.nbib")

    source = SourceDocument.objects.get(review=review)
    assert (source.title, source.container) == (
        "Leadership in integrated care",
        "Handbook of Integrated Care",
    )


def test_it_makes_readable_citation_keys_from_embase_and_corporate_names(review):
    data = b"""TY  - JOUR
AU  - Liu R.
TI  - One
PY  - 2014
ER  -

TY  - RPRT
AU  - Social Care Institute for Excellence
TI  - Two
PY  - 2018
ER  -
"""
    report = import_sources(review=review, data=data)

    assert [c["citation_key"] for c in report.created] == ["liu2014", "scie2018"]


def test_it_keeps_bibtex_editors_apart_from_authors(review):
    data = rb"""@incollection{c, title={A chapter}, booktitle={The Book}, author={Liu, R.},
editor={Smith, A. and Jones, B.}, publisher={Pub}, year=2000, pages={1--10}}
@book{b, title={An edited book}, editor={Smith, A.}, publisher={Pub}, year=2001}
"""
    import_sources(review=review, data=data, filename="e.bib")

    chapter, book = SourceDocument.objects.filter(review=review).order_by("year")
    assert (chapter.authors, chapter.editors, chapter.container) == (
        "Liu, R.",
        "Smith, A. and Jones, B.",
        "The Book",
    )
    assert (book.authors, book.editors, book.reference_type) == ("", "Smith, A.", "book")
