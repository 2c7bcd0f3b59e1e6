"""Generated references survive export → import unchanged, through RIS, BibTeX and CSL-JSON.

The writers (reports.references) and the readers (evidence.importers) meet only
through the files, so any field one side writes and the other reads differently
shows up as a changed record.
"""

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.importers import read_references
from evidence.importers.types import (
    BIBTEX_SUBTYPES,
    CSL_TO_BIBTEX,
    GENRED,
    bibtex_entry_type,
    csl_from_bibtex,
    csl_from_ris,
    ris_code,
)
from evidence.names import join_names
from reports.references import to_bibtex, to_csl_json, to_ris

# Types every format can say: each has its own RIS code and BibTeX entry type (biblatex's
# entrysubtype tells magazine and newspaper articles from journal articles).
TYPES = sorted(
    t for t in CSL_TO_BIBTEX
    if csl_from_bibtex(bibtex_entry_type(t, ""), BIBTEX_SUBTYPES.get(t, "")) == t
    and csl_from_ris(ris_code(t, "")) == t
)
# Letters of several scripts, digits, spaces and the characters LaTeX treats specially.
TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcxyzABCXYZ0123456789 .:;'?!()-/") + list("éüßøçñЖжλΩ漢字") + list("%&$#_{}~^\\")
    ),
    min_size=1,
    max_size=40,
).map(lambda s: " ".join(s.split())).filter(bool)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüøž", min_size=2, max_size=10)
PERSON = st.builds(lambda family, given: f"{family.capitalize()}, {given.capitalize()}", WORD, WORD)
# A corporate name may hold "and": it must stay one name.
CORPORATE = st.builds(lambda a, b: f"{a.capitalize()} and {b.capitalize()} Trust", WORD, WORD)
NAME = st.one_of(PERSON, PERSON, CORPORATE)
GENRE = st.one_of(st.just(""), st.sampled_from(["Government document", "Master's thesis",
                                                "PhD thesis"]), TEXT)
NUMBER = st.integers(min_value=1, max_value=999).map(str)


@st.composite
def sources(draw):
    reference_type = draw(st.sampled_from(TYPES))
    first_page = draw(st.integers(min_value=1, max_value=500))
    return SimpleNamespace(
        citation_key="key",
        kind="empirical_study",
        reference_type=reference_type,
        genre=draw(GENRE) if reference_type in GENRED else "",
        authors=join_names(draw(st.lists(NAME, min_size=1, max_size=3))),
        editors=join_names(draw(st.lists(NAME, max_size=2))),
        year=draw(st.integers(min_value=1900, max_value=2099)),
        title=draw(TEXT),
        container=draw(TEXT),
        publisher=draw(st.one_of(st.just(""), TEXT)),
        volume=draw(st.one_of(st.just(""), NUMBER)),
        issue=draw(st.one_of(st.just(""), NUMBER)),
        pages=f"{first_page}-{first_page + draw(st.integers(min_value=1, max_value=50))}",
        doi=f"10.{draw(st.integers(min_value=1000, max_value=99999))}/{draw(WORD)}",
        url=f"https://example.org/{draw(WORD)}?a=1&b=%20{draw(WORD)}",
        abstract=draw(st.one_of(st.just(""), TEXT)),
        keywords="\n".join(draw(st.lists(WORD, max_size=3, unique=True))),
    )


FIELDS = ["reference_type", "genre", "year", "title", "container", "publisher", "volume", "issue",
          "pages", "doi", "url", "abstract"]
# Keywords come back as a list (one a line when stored).


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=sources())
def test_it_reads_back_what_it_writes_in_every_format(source):
    for write, filename in ((to_ris, "x.ris"), (to_bibtex, "x.bib"), (to_csl_json, "x.json")):
        (record,) = read_references(write([source]), filename).records
        assert record.error == "", filename
        assert {name: getattr(record, name) for name in FIELDS} == {
            name: getattr(source, name) for name in FIELDS
        }, filename
        assert (record.authors_text, record.editors_text) == (source.authors, source.editors)
        assert record.keywords == source.keywords.splitlines(), filename
