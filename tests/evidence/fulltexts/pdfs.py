"""PDFs the tests write themselves with reportlab: text, encrypted, scanned (no text layer)."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def text_pdf(pages, encrypt=None):
    """A PDF whose page i holds the lines of pages[i] (a list of strings, or one string)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    for lines in pages:
        y = 800
        for line in [lines] if isinstance(lines, str) else lines:
            pdf.drawString(40, y, line)
            y -= 15
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf():
    """A page with only a picture-like shape: what a scan without OCR looks like to a reader."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


STUDY_PAGES = [
    ["Leadership in integrated care systems", "Background and methods of the study."],
    ["Leaders who built trust across organisations enabled shared decisions.",
     "Where budgets were pooled, staff felt able to collaborate."],
    ["Collaboration improved outcomes for patients with complex needs.",
     "Turnover of senior leaders undermined relationships."],
]
