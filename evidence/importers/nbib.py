"""PubMed / MEDLINE (.nbib) files, read with rispy's parser machinery.

No maintained PyPI package parses nbib (the `nbib` package was last released in
2021), but the format is RIS's cousin: tags padded to four characters before
'- ', continuation lines indented six spaces, and records separated by a blank
line rather than closed by ER. rispy's documented extension point (a RisParser
subclass) handles the multi-line, repeated and unknown tags for us.
"""

import re
from typing import ClassVar

import rispy

from evidence.importers.records import ReferenceRecord, first, year_from
from evidence.importers.ris import read_tagged

_MEDLINE_TAGS = {
    "PMID": "pmid",
    "TI": "title",
    "BTI": "book_title",
    "AB": "abstract",
    "MH": "mesh_terms",
    "OT": "other_terms",
    "FAU": "full_authors",
    "AU": "authors",
    "DP": "date",
    "PT": "publication_types",
    "FED": "full_editors",
    "ED": "editors",
    "PB": "publisher",
    "JT": "journal",
    "TA": "journal_abbreviation",
    "VI": "volume",
    "IP": "issue",
    "PG": "pages",
    "LID": "location_ids",
    "AID": "article_ids",
    "UK": "unknown_tag",
}


class MedlineParser(rispy.RisParser):
    START_TAG = "PMID"
    END_TAG = "END"  # stands for the blank line that ends a MEDLINE record
    DEFAULT_MAPPING = _MEDLINE_TAGS
    DEFAULT_LIST_TAGS: ClassVar[list[str]] = [
        "FAU", "AU", "FED", "ED", "LID", "AID", "PT", "MH", "OT"]
    DEFAULT_DELIMITER_MAPPING: ClassVar[dict] = {}

    def parse(self, text):
        # rispy only keeps a record once its end tag is seen: end the last one too.
        return super().parse(text + "\n\n")

    def parse_line(self, line):
        if not line.strip():
            return (self.END_TAG, "")
        tag = line[:4].rstrip()
        if line[4:6] == "- " and tag.isalnum() and tag[:1].isalpha() and tag.isupper():
            return (tag, line[6:].strip())
        return (None, line.strip())


_RECORD_START = re.compile(r"^PMID-", re.MULTILINE)


def parse_nbib(lines):
    """A MEDLINE file's records, a batch at a time; a record ends at a blank line."""
    return read_tagged(MedlineParser(skip_unknown_tags=True), lines, _RECORD_START, "",
                       _from_medline)


def _from_medline(position, entry):
    """A PubMed record; a book chapter (TI and BTI) keeps its book as container."""
    ids = [*entry.get("location_ids", []), *entry.get("article_ids", [])]
    doi = next((i.rsplit(" ", 1)[0] for i in ids if i.endswith("[doi]")), "")
    pmid = first(entry.get("pmid"))
    title, book_title = first(entry.get("title")), first(entry.get("book_title"))
    if book_title:
        reference_type = "chapter" if title else "book"
    else:
        reference_type = "article-journal"
    return ReferenceRecord(
        position=position,
        reference_type=reference_type,
        authors=entry.get("full_authors") or entry.get("authors") or [],
        editors=entry.get("full_editors") or entry.get("editors") or [],
        year=year_from(first(entry.get("date"))),
        title=title or book_title,
        container=(book_title if title else "")
        or first(entry.get("journal"))
        or first(entry.get("journal_abbreviation")),
        publisher=first(entry.get("publisher")),
        volume=first(entry.get("volume")),
        issue=first(entry.get("issue")),
        pages=first(entry.get("pages")),
        doi=doi,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
        abstract=first(entry.get("abstract")),
        # MeSH headings keep their subheadings ("Leadership/organization & administration").
        keywords=[*entry.get("mesh_terms", []), *entry.get("other_terms", [])],
    )
