"""Bring references into a review: RIS, Web of Science, BibTeX, PubMed nbib and CSL-JSON files.

`read_references` turns uploaded bytes into ReferenceRecords; `import_sources`
(in `services`) dedupes them against the review and writes them in one transaction.
The import's surfaces: `api` (POST /api/sources/import/), `views` and `forms` (the
browser's upload, preview and confirm), `urls`; the `import_sources` command.
"""

from dataclasses import dataclass

from evidence.importers.batches import ignore
from evidence.importers.bibtex import parse_bibtex
from evidence.importers.csljson import parse_csljson
from evidence.importers.errors import ImportRefused
from evidence.importers.nbib import parse_nbib
from evidence.importers.ris import parse_ris, parse_wos
from evidence.importers.text import FORMATS, decode, detect_format

PARSERS = {
    "ris": parse_ris,
    "wos": parse_wos,
    "bibtex": parse_bibtex,
    "nbib": parse_nbib,
    "csljson": parse_csljson,
}


@dataclass
class ParsedFile:
    format: str
    encoding: str
    records: list


def read_references(data: bytes, filename: str = "", encoding: str = "",
                    on_read=ignore) -> ParsedFile:
    """The file's format, the encoding it was read in, and its records; or ImportRefused.

    `on_read(records read, records expected)` is called as the parser goes
    (`batches`): a job's progress while a large file is read.
    """
    text, used = decode(data, encoding)
    fmt = detect_format(text, filename)
    records = PARSERS[fmt](text, on_read=on_read)
    if not records:
        raise ImportRefused(f"No references were found in this {FORMATS[fmt]} file.")
    return ParsedFile(fmt, used, records)


def parse_references(data: bytes, filename: str = "", encoding: str = ""):
    """(format, records) for an uploaded file, or ImportRefused for a file that is not one."""
    parsed = read_references(data, filename, encoding)
    return parsed.format, parsed.records


__all__ = ["FORMATS", "ImportRefused", "parse_references", "read_references"]
