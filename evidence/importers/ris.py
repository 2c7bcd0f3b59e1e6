"""RIS (EndNote, Zotero, Mendeley, Scopus) and Web of Science tagged text, via rispy."""

import re

import rispy

from evidence.importers.records import ReferenceRecord, first, join_pages, year_from

_DOI_IN_URL = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
_RECORD_START = re.compile(r"^TY  -", re.MULTILINE)
_WOS_RECORD_START = re.compile(r"^PT ", re.MULTILINE)


def parse_ris(text):
    """Records of an RIS file; a record with no closing ER line is reported as malformed.

    rispy silently drops a record that never reaches its ER line, so the number of
    TY lines is compared with what came back to notice it.
    """
    entries = rispy.loads(text, skip_unknown_tags=True)
    records = [_from_ris(position, entry) for position, entry in enumerate(entries, start=1)]
    records += _unterminated(len(_RECORD_START.findall(text)), len(entries), "ER  -")
    return records


def parse_wos(text):
    entries = rispy.loads(text, implementation=rispy.WokParser, skip_unknown_tags=True)
    records = [_from_wos(position, entry) for position, entry in enumerate(entries, start=1)]
    records += _unterminated(len(_WOS_RECORD_START.findall(text)), len(entries), "ER")
    return records


def _unterminated(started, finished, end_tag):
    return [
        ReferenceRecord(
            position=position,
            error=f"The record is malformed: it is not closed by an '{end_tag}' line.",
        )
        for position in range(finished + 1, started + 1)
    ]


def _from_ris(position, entry):
    urls = [u for u in entry.get("urls", []) if u.lower().startswith(("http://", "https://"))]
    doi = first(entry.get("doi")) or next((u for u in urls if _DOI_IN_URL.match(u)), "")
    web_urls = [u for u in urls if not _DOI_IN_URL.match(u)]
    return ReferenceRecord(
        position=position,
        authors=[a.strip() for a in entry.get("authors") or entry.get("first_authors") or []],
        year=year_from(
            first(entry.get("year"))
            or first(entry.get("publication_year"))
            or first(entry.get("date"))
        ),
        title=first(entry.get("title")) or first(entry.get("primary_title")),
        container=first(
            entry.get("secondary_title")
            or entry.get("journal_name")
            or entry.get("alternate_title3")
            or entry.get("alternate_title1")
            or entry.get("publisher")
        ),
        volume=first(entry.get("volume")),
        issue=first(entry.get("number")),
        pages=join_pages(entry.get("start_page"), entry.get("end_page")),
        doi=doi,
        url=web_urls[0] if web_urls else "",
        abstract=first(entry.get("abstract")) or first(entry.get("notes_abstract")),
    )


def _from_wos(position, entry):
    return ReferenceRecord(
        position=position,
        authors=entry.get("author_full_name") or entry.get("authors") or [],
        year=year_from(first(entry.get("publication_year"))),
        title=first(entry.get("document_title")),
        container=first(entry.get("publication_name")),
        volume=first(entry.get("volume")),
        issue=first(entry.get("issue")),
        pages=join_pages(entry.get("beginning_page"), entry.get("ending_page")),
        doi=first(entry.get("doi")),
        abstract=first(entry.get("abstract")),
    )
