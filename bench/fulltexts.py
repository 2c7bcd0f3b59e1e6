"""Scenario 8 (issue 14): a 300-page text PDF, extracted, read and excerpted.

- extraction of the whole PDF as the worker runs it (the `fulltexts.extract`
  job: pages stored, anchors checked, progress written), timed once (target
  < 30 s); the same file through pypdf and pdfminer.six for the record of why
  pypdfium2 was chosen;
- the reader's first page (and a middle one) as the browser gets them
  (target < 200 ms, median); the same for a long HTML page, which the reader
  shows as sanitised HTML re-read from the stored file on each request;
- an excerpt made from a selection: one API request, its queries and time.
"""

import io
import random
import tempfile
import time

from django.test import Client

from bench.harness import interleaved, recorded_sql
from evidence.fulltexts import services
from evidence.fulltexts.tasks import extract_full_texts
from evidence.models import SourceDocument

PAGES = 300
HTML_PARAGRAPHS = 1_000
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
    job = services.start_extraction(full_texts=[full_text], user=world.user,
                                    review=world.review)
    extraction_s = _seconds(lambda: extract_full_texts.call(job.pk, job.attempts))
    full_text.refresh_from_db()
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        others = _other_libraries(handle.name)

    client = Client()
    client.force_login(world.user)
    reader = f"/reviews/{world.review.slug}/sources/{source.pk}/full-text/"
    html_source, html_pages = _html_full_text(world)
    html_reader = f"/reviews/{world.review.slug}/sources/{html_source.pk}/full-text/"
    times = interleaved({
        "reader_first_page": lambda: _ok(client.get(reader)),
        "reader_page_150": lambda: _ok(client.get(reader + "?page=150")),
        "html_reader_first_page": lambda: _ok(client.get(html_reader)),
        "html_reader_middle_page": lambda: _ok(
            client.get(f"{html_reader}?page={html_pages // 2}")),
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
    html_source.delete()
    return {
        "pages": full_text.page_count, "characters": full_text.char_count,
        "html_pages": html_pages, "html_bytes": len(make_html()),
        "pdf_bytes": len(data), "status": full_text.status,
        "extraction_s": {"pypdfium2_job": extraction_s, **others},
        "times": {**times, **excerpt_times},
        "requests_per_excerpt": 1, "queries_per_excerpt": len(queries),
    }


def make_html(paragraphs=HTML_PARAGRAPHS, seed=7):
    """A long grey-literature page: headings, paragraphs with inline markup, lists."""
    rng = random.Random(seed)
    parts = ["<!DOCTYPE html><html><head><title>Report</title></head><body>"]
    for index in range(paragraphs):
        if index % 20 == 0:
            parts.append(f"<h2>Section {index // 20 + 1}</h2><ul><li>Key point</li>"
                         "<li>Another point</li></ul>")
        words = [rng.choice(WORDS) for _ in range(24)]
        words[3] = f"<strong>{words[3]}</strong>"
        parts.append(f"<p>{' '.join(words)}.</p>")
    return "".join(parts + ["</body></html>"]).encode()


def _html_full_text(world):
    SourceDocument.objects.filter(review=world.review, citation_key="bench-html").delete()
    source = SourceDocument.objects.create(review=world.review, citation_key="bench-html",
                                           title="A long web report", inclusion_status="included")
    full_text = services._store(source=source, data=make_html(), fmt="html", name="report.html",
                                user=world.user)
    services.run_extraction(full_text.pk)
    full_text.refresh_from_db()
    assert full_text.status == "ready"
    return source, full_text.page_count


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response
