"""From uploaded bytes to text a parser can read, and which format that text is in."""

import re

from django.conf import settings

FORMATS = {
    "ris": "RIS (EndNote, Zotero, Mendeley, Scopus, Web of Science)",
    "wos": "Web of Science tagged text",
    "bibtex": "BibTeX",
    "nbib": "PubMed / MEDLINE (.nbib)",
}

_EXTENSIONS = {".ris": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".nbib": "nbib"}
_SIGNATURES = [
    ("ris", re.compile(r"^TY  -", re.MULTILINE)),
    ("nbib", re.compile(r"^PMID- ?\d", re.MULTILINE)),
    ("wos", re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)),
    ("bibtex", re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)),
]


class ImportRefused(Exception):
    """The whole file is refused: nothing was written. `field` names the bad input."""

    def __init__(self, message, *, field="file", status=400, report=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.report = report


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1252 text with Unix line endings.

    EndNote on Windows still writes cp1252 exports, so a file that is not UTF-8
    is read as cp1252 rather than refused; a NUL byte means a binary file.
    """
    # The upload limit for files that feed a job (ICHUB_JOB_UPLOAD_MAX_BYTES): the API and
    # the browser import a file this large as a job; the command reads it directly.
    limit = settings.JOB_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ImportRefused(
            f"The file is {len(data):,} bytes; the limit is {limit:,} bytes.", status=413
        )
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if b"\x00" in data:
        raise ImportRefused("The file is binary, not a reference file (RIS, BibTeX or nbib).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(text: str, filename: str = "") -> str:
    """The format the text is in, from its content (the extension only breaks ties)."""
    found = [name for name, signature in _SIGNATURES if signature.search(text)]
    if not found:
        raise ImportRefused(
            "This is not a reference file: no RIS (TY  -), BibTeX (@article{…), "
            "PubMed (PMID-) or Web of Science (PT J) records were found."
        )
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    hinted = _EXTENSIONS.get(suffix)
    return hinted if hinted in found else found[0]
