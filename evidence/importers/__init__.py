"""Bring references into a review: RIS, Web of Science, BibTeX, PubMed nbib and CSL-JSON files.

`read_references` turns an uploaded file into batches of ReferenceRecords;
`import_sources` (in `services`) dedupes them against the review and writes
them, batch by batch, in one transaction. The import's surfaces: `api`
(POST /api/sources/import/), `views` and `forms` (the browser's upload,
preview and confirm), `urls`; the `import_sources` command.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass

from evidence.importers.batches import ignore
from evidence.importers.bibtex import parse_bibtex
from evidence.importers.csljson import parse_csljson
from evidence.importers.errors import ImportRefused
from evidence.importers.nbib import parse_nbib
from evidence.importers.ris import parse_ris, parse_wos
from evidence.importers.text import FORMATS, lines, sniff, whole_text

# Read line by line from the file: never held whole.
LINE_PARSERS = {"ris": parse_ris, "wos": parse_wos, "nbib": parse_nbib}
# Their libraries read a string (see their modules).
TEXT_PARSERS = {"bibtex": parse_bibtex, "csljson": parse_csljson}


@dataclass
class ParsedFile:
    """A file's format, the encoding it is read in, the records it starts, and its
    records: `batches` parses it as they are taken (once)."""

    format: str
    encoding: str
    expected: int
    batches: Iterator[list]

    @property
    def records(self):
        """Every record at once: for small files and tests."""
        return [record for batch in self.batches for record in batch]


def read_references(data, filename: str = "", encoding: str = "",
                    on_read=ignore) -> ParsedFile:
    """The file (bytes, or a seekable binary stream such as a stored upload), sniffed:
    ImportRefused now for a file that is not a reference file, or later, from
    `batches`, for one with no records.

    `on_read(records read, records expected)` is called where a library
    parses for long before the first batch (BibTeX's split), so a job's
    progress moves then too.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    sniffed = sniff(stream, filename, encoding)
    return ParsedFile(sniffed.format, sniffed.encoding, sniffed.expected,
                      _batches(stream, sniffed, on_read))


def _batches(stream, sniffed, on_read):
    if sniffed.format in LINE_PARSERS:
        parsed = LINE_PARSERS[sniffed.format](lines(stream, sniffed.encoding))
    else:
        text = whole_text(stream, sniffed.encoding)
        parsed = TEXT_PARSERS[sniffed.format](text, on_read=on_read)
        del text  # the parser keeps what it needs
    found = 0
    for batch in parsed:
        found += len(batch)
        if batch:
            yield batch
    if not found:
        raise ImportRefused(f"No references were found in this {FORMATS[sniffed.format]} file.")


def parse_references(data, filename: str = "", encoding: str = ""):
    """(format, records) for an uploaded file, or ImportRefused for a file that is not one."""
    parsed = read_references(data, filename, encoding)
    return parsed.format, parsed.records


__all__ = ["FORMATS", "ImportRefused", "parse_references", "read_references"]
