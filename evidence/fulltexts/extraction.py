"""What a full-text file is, judged by its bytes, and its text page by page.

Nothing here touches the database, so the same code checks an upload, runs in a
background task and is measured by the benchmark. pypdfium2 (PDFium) was chosen
over pypdf and pdfminer.six by measurement: a 300-page text PDF took 1.0 s,
3.2 s and 31.8 s on this machine (see BENCHMARKS.md).
"""

import re
import unicodedata
from dataclasses import dataclass

import nh3

PDF, HTML, TEXT, MARKDOWN = "pdf", "html", "text", "markdown"

_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<meta|<title|<p\b|<div\b|<!--)",
                         re.IGNORECASE)


class Refused(ValueError):
    """A file we will not keep: the message names the problem for the uploader."""


@dataclass(frozen=True)
class Page:
    number: int
    text: str


def sniff(data: bytes, declared_name: str = "") -> str:
    """The format of an upload from its first bytes, never from its name.

    A PDF must start with %PDF (a few leading bytes of junk are tolerated by
    readers, but we accept only the real signature). Anything else must be
    UTF-8 text: HTML if it opens like HTML, Markdown if its name says .md,
    plain text otherwise. Binary data under a text name is refused.
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.strip():
        raise Refused("The file is empty.")
    if b"\x00" in data[:8192]:
        raise Refused("The file is neither a PDF (it does not start with %PDF) nor text.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(
            "The file is neither a PDF (it does not start with %PDF) nor UTF-8 text "
            f"(invalid byte at position {error.start})."
        ) from None
    if _HTML_START.match(data.lstrip(b"\xef\xbb\xbf")):
        return HTML
    if declared_name.lower().endswith((".md", ".markdown")):
        return MARKDOWN
    return TEXT


def check_pdf(path) -> int:
    """The page count of a PDF we can read, or Refused naming why not (encrypted, corrupt)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        raise Refused(_pdfium_reason(error)) from None
    try:
        return len(document)
    finally:
        document.close()


def _pdfium_reason(error) -> str:
    text = str(error).lower()
    if "password" in text:
        return "The PDF is encrypted (password-protected); upload an unprotected copy."
    if "format" in text or "file" in text or "data" in text:
        return "The PDF is corrupt: PDFium could not read its structure."
    return f"The PDF could not be read: {error}."


def normalise(text: str) -> str:
    """One form for every extracted page: NFC, \\n line ends, no NULs, ending in one newline.

    Offsets index this text, so it must come out identically every time it is
    extracted from the same file.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\x00", "").replace("\ufffe", "").replace("\x0c", "\n")
    return text.rstrip() + "\n"


def pdf_pages(path, progress=None):
    """The PDF's pages as normalised text; Refused if it has no text layer at all."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        raise Refused(_pdfium_reason(error)) from None
    pages = []
    try:
        total = len(document)
        for index in range(total):
            page = document[index]
            textpage = page.get_textpage()
            try:
                pages.append(Page(index + 1, normalise(textpage.get_text_range())))
            finally:
                textpage.close()
                page.close()
            if progress:
                progress(index + 1, total)
    finally:
        document.close()
    if not any(p.text.strip() for p in pages):
        raise Refused(
            "The PDF has no text layer (probably a scan): run OCR on it and upload the result."
        )
    return pages


def html_text(data: bytes) -> str:
    """The readable text of an HTML page, after nh3 has removed everything executable."""
    import lxml.html

    clean = nh3.clean(data.decode("utf-8", errors="replace"))
    if not clean.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(clean, create_parent="div")
    for block in fragment.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                               "tr", "blockquote", "pre"):
        block.tail = "\n" + (block.tail or "")
    return re.sub(r"\n{3,}", "\n\n", fragment.text_content())


def text_pages(text: str, lines_per_page: int = 60):
    """Plain text has no pages: cut it every `lines_per_page` lines so the reader can page it."""
    lines = normalise(text).splitlines(keepends=True)
    return [Page(i // lines_per_page + 1, normalise("".join(lines[i:i + lines_per_page])))
            for i in range(0, len(lines), lines_per_page)] or [Page(1, "\n")]


def extract(path, fmt: str, progress=None):
    """Pages of the file at `path` (a local path or file object) in the given format."""
    if fmt == PDF:
        return pdf_pages(path, progress)
    with open(path, "rb") as handle:
        data = handle.read()
    text = html_text(data) if fmt == HTML else data.decode("utf-8-sig")
    if not text.strip():
        raise Refused("The file holds no readable text.")
    return text_pages(text)
