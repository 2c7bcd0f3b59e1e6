"""RIS (EndNote, Zotero, Mendeley, Scopus) and Web of Science tagged text, via rispy."""

import re

import rispy

from evidence.importers import batches
from evidence.importers.records import ReferenceRecord, first, join_pages, year_from
from evidence.importers.types import EDITED, csl_from_ris, ris_genre

_DOI_IN_URL = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
_BARE_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_RECORD_START = re.compile(r"^TY  -", re.MULTILINE)
_WOS_RECORD_START = re.compile(r"^PT ", re.MULTILINE)


def parse_ris(lines):
    """Batches of an RIS file's records; a record with no closing ER line is malformed.

    rispy silently drops a record that never reaches its ER line, so the number of
    TY lines is compared with what came back to notice it.
    """
    return read_tagged(rispy.RisParser(), lines, _RECORD_START, "ER", _from_ris,
                       end_line="ER  -")


def parse_wos(lines):
    parser = rispy.WokParser(skip_unknown_tags=True)
    return read_tagged(parser, lines, _WOS_RECORD_START, "ER", _from_wos, end_line="ER")


def read_tagged(parser, lines, record_start, end_tag, convert, *, end_line=None):
    """A tagged file's records, read and handed to rispy's `parser` a batch at a time
    (`batches`), yielded a batch at a time.

    With `end_line`, records started but never closed by it are reported as malformed.
    """
    finished, started = 0, 0
    for chunk, so_far in batches.tagged_batches(lines, record_start, end_tag):
        started = so_far
        batch = [convert(finished + n, entry)
                 for n, entry in enumerate(parser.parse(chunk), start=1)]
        finished += len(batch)
        yield batch
    if end_line:
        for first_position in range(finished + 1, started + 1, batches.READ_BATCH):
            last = min(started, first_position + batches.READ_BATCH - 1)
            yield [_unterminated(position, end_line)
                   for position in range(first_position, last + 1)]


def _unterminated(position, end_tag):
    return ReferenceRecord(
        position=position,
        error=f"The record is malformed: it is not closed by an '{end_tag}' line.",
    )


def _from_ris(position, entry):
    urls = [u for u in entry.get("urls", []) if u.lower().startswith(("http://", "https://"))]
    unknown = entry.get("unknown_tag") or {}
    doi = (
        first(entry.get("doi"))
        or next((u for u in urls if _DOI_IN_URL.match(u)), "")
        or next((d for d in unknown.get("L3", []) if _BARE_DOI.match(d)), "")  # EBSCO
    )
    web_urls = [u for u in urls if not _DOI_IN_URL.match(u)]
    reference_type = csl_from_ris(entry.get("type_of_reference"))
    notes = []
    if entry.get("type_of_reference") and not reference_type:
        notes.append(f"unknown reference type {entry['type_of_reference']!r}: kept untyped")
    title = first(entry.get("title")) or first(entry.get("primary_title"))
    if not title and first(entry.get("short_title")):
        title = first(entry.get("short_title"))
        notes.append("no title: the short title (ST) was used")
    editors = list(unknown.get("ED", []))
    if reference_type in EDITED:  # A2 is a book's editor, but a journal's A2 is not
        editors = [*entry.get("secondary_authors", []), *editors]
    return ReferenceRecord(
        position=position,
        reference_type=reference_type,
        genre=ris_genre(entry.get("type_of_reference"), first(entry.get("type_of_work"))),
        authors=[a.strip() for a in entry.get("authors") or entry.get("first_authors") or []],
        editors=editors,
        year=year_from(
            first(entry.get("year"))
            or first(entry.get("publication_year"))
            or first(entry.get("date"))
        ),
        title=title,
        # The full journal name (JF, then T2) before its abbreviation (JO, J2): EBSCO
        # writes a translated title in T2 beside the journal in JF.
        container=first(
            entry.get("alternate_title3")
            or entry.get("secondary_title")
            or unknown.get("BT")
            or entry.get("journal_name")
            or entry.get("alternate_title1")
            or entry.get("alternate_title2")
        ),
        publisher=first(entry.get("publisher")),
        volume=first(entry.get("volume")) or first(unknown.get("VO")),
        issue=first(entry.get("number")),
        pages=join_pages(entry.get("start_page"), entry.get("end_page")),
        doi=doi,
        url=web_urls[0] if web_urls else "",
        abstract=first(entry.get("abstract")) or first(entry.get("notes_abstract")),
        keywords=entry.get("keywords") or [],
        notes=notes,
    )


_WOS_TYPES = {"J": "article-journal", "B": "book", "S": "book", "P": "patent",
              "C": "paper-conference"}


def _from_wos(position, entry):
    document_type = first(entry.get("document_type")).casefold()
    reference_type = _WOS_TYPES.get(first(entry.get("publication_type")).upper(), "")
    if "proceedings" in document_type:
        reference_type = "paper-conference"
    elif "book chapter" in document_type:
        reference_type = "chapter"
    return ReferenceRecord(
        position=position,
        reference_type=reference_type,
        authors=entry.get("author_full_name") or entry.get("authors") or [],
        editors=_split_wos_names(entry.get("editors")),
        year=year_from(first(entry.get("publication_year"))),
        title=first(entry.get("document_title")),
        container=first(entry.get("publication_name")),
        publisher=first(entry.get("publisher")),
        volume=first(entry.get("volume")),
        issue=first(entry.get("issue")),
        pages=join_pages(entry.get("beginning_page"), entry.get("ending_page")),
        doi=first(entry.get("doi")),
        abstract=first(entry.get("abstract")),
    )


def _split_wos_names(value):
    if isinstance(value, list):
        return value
    return [name.strip() for name in (value or "").split(";") if name.strip()]
