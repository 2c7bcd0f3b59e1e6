"""From uploaded bytes to text a parser can read, and which format that text is in."""

import re

from django.conf import settings

from evidence.importers.encodings import decode_bytes
from evidence.importers.errors import ImportRefused

FORMATS = {
    "ris": "RIS (EndNote, Zotero, Mendeley, Scopus, Web of Science)",
    "wos": "Web of Science tagged text",
    "bibtex": "BibTeX",
    "nbib": "PubMed / MEDLINE (.nbib)",
    "csljson": "CSL-JSON (Zotero, pandoc, Mendeley)",
}

_EXTENSIONS = {
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".nbib": "nbib",
    ".json": "csljson",
}
_SIGNATURES = [
    ("csljson", re.compile(r"\A\s*[\[{]")),
    ("ris", re.compile(r"^TY  -", re.MULTILINE)),
    ("nbib", re.compile(r"^PMID- ?\d", re.MULTILINE)),
    ("wos", re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)),
    ("bibtex", re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)),
]


def decode(data: bytes, encoding: str = "") -> tuple[str, str]:
    """(text with Unix line endings, the encoding it was read in), or ImportRefused.

    The encoding is the one named, or the one the file's bytes show for sure
    (see `encodings`): a file that could be read several ways is refused
    rather than stored as mojibake.
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
    text, used = decode_bytes(data, encoding)
    if "\x00" in text:
        raise ImportRefused("The file is binary, not a reference file (RIS, BibTeX or nbib).")
    return text.replace("\r\n", "\n").replace("\r", "\n"), used


def detect_format(text: str, filename: str = "") -> str:
    """The format the text is in, from its content (the extension only breaks ties)."""
    found = [name for name, signature in _SIGNATURES if signature.search(text)]
    if not found:
        raise ImportRefused(
            "This is not a reference file: no RIS (TY  -), BibTeX (@article{…), "
            "PubMed (PMID-), Web of Science (PT J) or CSL-JSON records were found."
        )
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    hinted = _EXTENSIONS.get(suffix)
    return hinted if hinted in found else found[0]
