"""Bring references into a review: RIS, Web of Science, BibTeX and PubMed nbib files.

`parse_references` turns uploaded bytes into ReferenceRecords; `import_sources`
(in `services`) dedupes them against the review and writes them in one transaction.
The import's surfaces: `api` (POST /api/sources/import/), `views` and `forms` (the
browser's upload, preview and confirm), `urls`; the `import_sources` command.
"""

from evidence.importers.bibtex import parse_bibtex
from evidence.importers.nbib import parse_nbib
from evidence.importers.ris import parse_ris, parse_wos
from evidence.importers.text import (
    FORMATS,
    ImportRefused,
    decode,
    detect_format,
)

PARSERS = {"ris": parse_ris, "wos": parse_wos, "bibtex": parse_bibtex, "nbib": parse_nbib}


def parse_references(data: bytes, filename: str = ""):
    """(format, records) for an uploaded file, or ImportRefused for a file that is not one."""
    text = decode(data)
    fmt = detect_format(text, filename)
    records = PARSERS[fmt](text)
    if not records:
        raise ImportRefused(f"No references were found in this {FORMATS[fmt]} file.")
    return fmt, records


__all__ = ["FORMATS", "ImportRefused", "parse_references"]
