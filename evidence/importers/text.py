"""From an uploaded file to text a parser can read, and which format that text is in.

`sniff` reads the file once, chunk by chunk, keeping none of its text: it
settles the encoding (`encodings`), refuses empty and binary files, finds the
format's signature and counts the records the file starts (a job's progress
total). `lines` and `whole_text` then read it again in that encoding, with
Unix line endings.
"""

import io
import re
from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from evidence.importers import encodings
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
# In order of precedence; CSL-JSON's is its first character ([ or {).
_SIGNATURES = [
    ("ris", re.compile(r"^TY  -", re.MULTILINE)),
    ("nbib", re.compile(r"^PMID- ?\d", re.MULTILINE)),
    ("wos", re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)),
    ("bibtex", re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)),
]
# The line that starts a record, per format: counted for the progress total.
RECORD_STARTS = {
    "ris": re.compile(r"^TY  -", re.MULTILINE),
    "wos": re.compile(r"^PT ", re.MULTILINE),
    "nbib": re.compile(r"^PMID-", re.MULTILINE),
    "bibtex": re.compile(r"^[^\S\n]*@", re.MULTILINE),
}
# A line longer than this is searched in pieces (a minified CSL-JSON file has one line).
_LONG_LINE = 1 << 16


@dataclass
class Sniffed:
    format: str
    encoding: str
    expected: int  # records the file starts (0 when only parsing tells: CSL-JSON)


def sniff(stream, filename: str = "", encoding: str = "") -> Sniffed:
    """The file's format, encoding and record count, or ImportRefused; keeps no text."""
    # The upload limit for files that feed a job (ICHUB_JOB_UPLOAD_MAX_BYTES): the API and
    # the browser import a file this large as a job; the command reads it directly.
    limit = settings.JOB_UPLOAD_MAX_BYTES
    size = stream.seek(0, io.SEEK_END)
    if size > limit:
        raise ImportRefused(f"The file is {size:,} bytes; the limit is {limit:,} bytes.",
                            status=413)
    if not _has_content(stream):
        raise ImportRefused("The file is empty.")
    scans = []

    def new_scan():
        scans.append(_Scan())
        return scans[-1]

    used = encodings.read_encoding(stream, encoding, new_scan)
    scan = scans[-1]
    if scan.nul:
        raise ImportRefused("The file is binary, not a reference file (RIS, BibTeX or nbib).")
    fmt = _format(scan, filename)
    return Sniffed(fmt, used, scan.starts[fmt])


def _has_content(stream):
    stream.seek(0)
    while chunk := stream.read(encodings.CHUNK):
        if chunk.strip():
            return True
    return False


class _Scan:
    """Fed the decoded text piece by piece: signatures found, record starts, NUL seen."""

    def __init__(self):
        self.found, self.starts = set(), Counter()
        self.first_character = None
        self.nul = False
        self.carry = ""  # the start of a line not yet ended
        self.carried_cr = False

    def __call__(self, text, final):
        if self.carried_cr:
            text, self.carried_cr = "\r" + text, False
        if text.endswith("\r") and not final:  # maybe half of a \r\n
            text, self.carried_cr = text[:-1], True
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.nul = self.nul or "\x00" in text
        if self.first_character is None and text.strip():
            self.first_character = text.lstrip()[0]
        text = self.carry + text
        cut = len(text) if final else text.rfind("\n") + 1
        complete, self.carry = text[:cut], text[cut:]
        if len(self.carry) > _LONG_LINE:
            # No signature needs more than a line's start: search it, then mark the rest
            # as the middle of a line (\x01 is not a line start for ^).
            complete, self.carry = complete + self.carry, "\x01"
        for name, signature in _SIGNATURES:
            if name not in self.found and signature.search(complete):
                self.found.add(name)
        for name, start in RECORD_STARTS.items():
            self.starts[name] += len(start.findall(complete))


def _format(scan, filename):
    """The format the text is in, from its content (the extension only breaks ties)."""
    found = [name for name, _ in _SIGNATURES if name in scan.found]
    if scan.first_character in ("[", "{"):
        found.insert(0, "csljson")
    if not found:
        raise ImportRefused(
            "This is not a reference file: no RIS (TY  -), BibTeX (@article{…), "
            "PubMed (PMID-), Web of Science (PT J) or CSL-JSON records were found."
        )
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    hinted = _EXTENSIONS.get(suffix)
    return hinted if hinted in found else found[0]


def lines(stream, encoding):
    """The file's lines (each ending in \\n but maybe the last), decoded as they are read."""
    stream.seek(0)
    reader = io.TextIOWrapper(stream, encoding=encoding, newline=None)
    try:
        yield from reader
    finally:
        reader.detach()  # the caller's stream stays open


def whole_text(stream, encoding):
    """The file's text at once, for the formats whose library reads a string (BibTeX, JSON)."""
    stream.seek(0)
    reader = io.TextIOWrapper(stream, encoding=encoding, newline=None)
    try:
        return reader.read()
    finally:
        reader.detach()
