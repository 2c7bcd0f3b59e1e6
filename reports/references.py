"""A review's sources as reference files: RIS, BibTeX and CSL-JSON, each re-importable as is.

Every writer maps from the source's CSL type (evidence.importers.types), so a
report goes out as a report with its publisher as publisher, and a chapter
with its book as the book; each file reads back into the same records through
ichub's importers and through independent parsers (rispy, bibtexparser, the
CSL-JSON schema), which the tests check.
"""

import re

import bibtexparser
import orjson
import rispy
from bibtexparser.model import Entry, Field

from evidence.importers.types import (
    BIBTEX_SUBTYPES,
    CONTAINED,
    CSL_TYPES,
    EDITED,
    bibtex_entry_type,
    csl_type_of,
    ris_code,
)
from evidence.names import split_names


def _where(source, reference_type):
    """(container, publisher) as the type reads them.

    A source typed by hand (no imported type, no publisher) kept a report's
    or a book's publisher in `container`: such a work has no container, so
    that value is its publisher.
    """
    typed_by_hand = source.reference_type not in CSL_TYPES and not source.publisher
    if typed_by_hand and reference_type not in CONTAINED:
        return "", source.container
    return source.container, source.publisher


class StandardRisWriter(rispy.RisWriter):
    """RIS as the specification writes it: records start at TY, with no '1.' counter line."""

    def set_header(self, count):
        return ""


def _ris_editors(reference_type, editors):
    """A book's or chapter's editors are its A2; other works' go in ED.

    Databases fill an article's A2 with other things (Ovid: cited authors),
    so the importer reads A2 as editors only for edited types.
    """
    if not editors:
        return {}
    if reference_type in EDITED:
        return {"secondary_authors": editors}
    return {"unknown_tag": {"ED": editors}}


def to_ris(sources):
    entries = []
    for source in sources:
        reference_type = csl_type_of(source)
        container, publisher = _where(source, reference_type)
        start, _, end = source.pages.partition("-")
        entry = {
            "type_of_reference": ris_code(reference_type, source.genre),
            "type_of_work": source.genre,
            "id": source.citation_key,
            "authors": split_names(source.authors),
            **_ris_editors(reference_type, split_names(source.editors)),
            "title": source.title,
            "year": str(source.year) if source.year else "",
            "secondary_title": container,
            "publisher": publisher,
            "volume": source.volume,
            "number": source.issue,
            "start_page": start,
            "end_page": end,
            "doi": source.doi,
            "urls": [source.url] if source.url else [],
            "abstract": source.abstract,
            "keywords": source.keywords.splitlines(),
        }
        entries.append({key: value for key, value in entry.items() if value})
    return rispy.dumps(entries, implementation=StandardRisWriter).encode("utf-8")


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(ch) for ch in _LATEX_SPECIALS))
_BIBTEX_CONTAINER = {"incollection": "booktitle", "inproceedings": "booktitle"}
_BIBTEX_PUBLISHER = {"techreport": "institution", "phdthesis": "school",
                     "mastersthesis": "school"}


_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=`)(?=`)|(?<=[!?])(?=`)")


def latex_escaped(text):
    """Text that a LaTeX decoder reads back unchanged: '5% & $3' → '5\\% \\& \\$3'.

    `--`, `''` and friends are ligatures (– ”) to LaTeX: an empty group keeps them apart.
    """
    escaped = _LATEX_SPECIAL.sub(lambda match: _LATEX_SPECIALS[match.group()], text)
    return _LIGATURE.sub("{}", escaped)


def _bibtex_names(names):
    """'Family, Given' as it is; a name without a comma is corporate: braced, never split."""
    return " and ".join(
        latex_escaped(name) if "," in name else "{" + latex_escaped(name) + "}"
        for name in split_names(names)
    )


def to_bibtex(sources):
    library = bibtexparser.Library()
    for source in sources:
        reference_type = csl_type_of(source)
        entry_type = bibtex_entry_type(reference_type, source.genre)
        container, publisher = _where(source, reference_type)
        text = {
            "title": source.title,
            _BIBTEX_CONTAINER.get(entry_type, "journal"): container,
            _BIBTEX_PUBLISHER.get(entry_type, "publisher"): publisher,
            "abstract": source.abstract,
            "keywords": _joined_keywords(source),
        }
        values = {
            "author": _bibtex_names(source.authors),
            "editor": _bibtex_names(source.editors),
            **{key: latex_escaped(value) for key, value in text.items()},
            "type": latex_escaped(source.genre),
            "entrysubtype": BIBTEX_SUBTYPES.get(reference_type, ""),
            "year": str(source.year) if source.year else "",
            "volume": _brace_safe(source.volume),
            "number": _brace_safe(source.issue),
            "pages": _brace_safe(source.pages).replace("-", "--"),
            "doi": _brace_safe(source.doi),
            "url": _brace_safe(source.url),
        }
        fields = [Field(key, value) for key, value in values.items() if value]
        library.add(Entry(entry_type, source.citation_key, fields))
    return bibtexparser.write_string(library).encode("utf-8")


def _joined_keywords(source):
    """BibTeX and CSL-JSON hold keywords in one field, split by the importers at ';'."""
    return "; ".join(source.keywords.splitlines())


def _brace_safe(value):
    """Identifiers are written verbatim; an unbalanced brace would end the field early."""
    return value.replace("{", "").replace("}", "")


def _csl_name(name):
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 1:
        return {"literal": name}
    if len(parts) == 3:
        return {"family": parts[0], "suffix": parts[1], "given": parts[2]}
    return {"family": parts[0], "given": ", ".join(parts[1:])}


def csl_items(sources):
    """CSL-JSON items (the schema's csl-data.json), one per source, keyed by citation key."""
    items = []
    for source in sources:
        reference_type = csl_type_of(source)
        container, publisher = _where(source, reference_type)
        item = {
            "id": source.citation_key,
            "type": reference_type,
            "genre": source.genre,
            "title": source.title,
            "author": [_csl_name(name) for name in split_names(source.authors)],
            "editor": [_csl_name(name) for name in split_names(source.editors)],
            "issued": {"date-parts": [[source.year]]} if source.year else None,
            "container-title": container,
            "publisher": publisher,
            "volume": source.volume,
            "issue": source.issue,
            "page": source.pages,
            "DOI": source.doi,
            "URL": source.url,
            "abstract": source.abstract,
            "keyword": _joined_keywords(source),
        }
        items.append({key: value for key, value in item.items() if value})
    return items


def to_csl_json(sources):
    return orjson.dumps(csl_items(sources), option=orjson.OPT_INDENT_2)
