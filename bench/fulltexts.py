"""Scenario 8 (issue 14): a 300-page text PDF, extracted, read and excerpted.

- extraction of the whole PDF by the background task's own function, timed
  once (target < 30 s); the same file through pypdf and pdfminer.six for the
  record of why pypdfium2 was chosen;
- the reader's first page (and a middle one) as the browser gets them
  (target < 200 ms, median);
- an excerpt made from a selection: one API request, its queries and time.
"""

import io
import random
import tempfile
import time

from django.test import Client

from bench.harness import interleaved, recorded_sql
from evidence.fulltexts import services
from evidence.models import SourceDocument

PAGES = 300
WORDS = ("realist review mechanism context outcome leadership integrated care system trust "
         "resource reasoning programme theory evidence partners budgets pooled staff").split()


def make_pdf(pages=PAGES, seed=7):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        y = 800
        for _ in range(50):
            pdf.drawString(40, y, " ".join(rng.choice(WORDS) for _ in range(12)))
            y -= 15
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _seconds(run):
    started = time.perf_counter()
    run()
    return round(time.perf_counter() - started, 2)


def _other_libraries(path):
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader

    return {
        "pypdf_s": _seconds(lambda: [p.extract_text() for p in PdfReader(path).pages]),
        "pdfminer_six_s": _seconds(lambda: extract_text(path)),
    }


def run(world, reps):
    data = make_pdf()
    SourceDocument.objects.filter(review=world.review, citation_key="bench-fulltext").delete()
    source = SourceDocument.objects.create(review=world.review, citation_key="bench-fulltext",
                                           title="A 300-page study", inclusion_status="included")
    # Stored as an upload stores it; extraction timed as the worker runs it.
    fmt = services.check_content(data, "study.pdf")
    full_text = services._store(source=source, data=data, fmt=fmt, name="study.pdf",
                                user=world.user)
    extraction_s = _seconds(lambda: services.run_extraction(full_text.pk))
    full_text.refresh_from_db()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        others = _other_libraries(handle.name)

    client = Client()
    client.force_login(world.user)
    reader = f"/reviews/{world.review.slug}/sources/{source.pk}/full-text/"
    times = interleaved({
        "reader_first_page": lambda: _ok(client.get(reader)),
        "reader_page_150": lambda: _ok(client.get(reader + "?page=150")),
    }, reps=reps)

    api = Client(HTTP_AUTHORIZATION=f"Token {world.token}")
    pages = list(full_text.pages.order_by("number")[:reps + 10])
    selections = iter(pages)

    def excerpt():
        page = next(selections)
        start = page.start + page.text.index(" ") + 1
        exact = page.text[start - page.start:start - page.start + 40]
        response = api.post(f"/api/sources/{source.pk}/full-text/excerpts/",
                            {"start": start, "end": start + len(exact), "exact": exact},
                            content_type="application/json")
        assert response.status_code == 201, response.content

    with recorded_sql() as queries:
        excerpt()
    excerpt_times = interleaved({"excerpt_from_selection": excerpt}, reps=reps, warmup=0)
    source.delete()
    return {
        "pages": full_text.page_count, "characters": full_text.char_count,
        "pdf_bytes": len(data), "status": full_text.status,
        "extraction_s": {"pypdfium2": extraction_s, **others},
        "times": {**times, **excerpt_times},
        "requests_per_excerpt": 1, "queries_per_excerpt": len(queries),
    }


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response
