"""Sniffing and page-by-page extraction, on files the tests write."""

import pytest

from evidence.fulltexts import extraction

from .pdfs import STUDY_PAGES, scanned_pdf, text_pdf


def test_it_tells_formats_by_content_not_name():
    assert extraction.sniff(text_pdf(["x"]), "notes.txt") == extraction.PDF
    assert extraction.sniff(b"<!DOCTYPE html><p>hi</p>", "a.pdf") == extraction.HTML
    assert extraction.sniff(b"# Title\n\ntext", "a.md") == extraction.MARKDOWN
    assert extraction.sniff(b"plain words", "a.pdf") == extraction.TEXT


@pytest.mark.parametrize("data, problem", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "neither a PDF"),
    (b"\xff\xfe\xfa bad", "UTF-8"),
    (b"   ", "empty"),
])
def test_it_refuses_what_is_neither_pdf_nor_text(data, problem):
    with pytest.raises(extraction.Refused, match=problem):
        extraction.sniff(data, "paper.pdf")


def test_it_extracts_pdf_pages_with_their_text(tmp_path):
    path = tmp_path / "s.pdf"
    path.write_bytes(text_pdf(STUDY_PAGES))
    pages = extraction.extract(str(path), extraction.PDF)
    assert [p.number for p in pages] == [1, 2, 3]
    assert "built trust across organisations" in pages[1].text
    assert all(p.text.endswith("\n") and "\r" not in p.text for p in pages)
    # The same file always gives the same text: offsets depend on it.
    assert pages == extraction.extract(str(path), extraction.PDF)


def test_it_names_encrypted_scanned_and_corrupt_pdfs(tmp_path):
    encrypted = tmp_path / "e.pdf"
    encrypted.write_bytes(text_pdf(["secret"], encrypt="pw"))
    with pytest.raises(extraction.Refused, match="encrypted"):
        extraction.check_pdf(str(encrypted))
    scanned = tmp_path / "s.pdf"
    scanned.write_bytes(scanned_pdf())
    with pytest.raises(extraction.Refused, match="no text layer"):
        extraction.extract(str(scanned), extraction.PDF)
    corrupt = tmp_path / "c.pdf"
    corrupt.write_bytes(b"%PDF-1.7\nthis is not a pdf at all\n")
    with pytest.raises(extraction.Refused, match="corrupt"):
        extraction.check_pdf(str(corrupt))


def test_it_strips_script_from_html_before_taking_its_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"<html><body><script>alert(1)</script><p>Trust grew.</p>"
                     b"<p onclick='x()'>Budgets were pooled.</p></body></html>")
    [page] = extraction.extract(str(path), extraction.HTML)
    assert "alert" not in page.text
    assert "Trust grew.\n" in page.text and "Budgets were pooled." in page.text


def test_it_cuts_long_plain_text_into_pages(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("\n".join(f"line {i}" for i in range(130)), encoding="utf-8")
    pages = extraction.extract(str(path), extraction.TEXT)
    assert len(pages) == 3 and pages[2].text.startswith("line 120")
