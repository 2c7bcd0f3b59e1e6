"""Full texts through the browser pages and the API: upload, refusals, reader, excerpts."""

import pytest
from django.urls import reverse

from cmocs.models import CMOC, EvidenceLink
from evidence.fulltexts import services
from evidence.models import Excerpt, ExcerptAnchor, FullText
from ichub.jobs.models import Job

from .conftest import upload
from .pdfs import scanned_pdf, text_pdf

PHRASE = "Leaders who built trust across organisations"


def _upload_url(source):
    return reverse("evidence:fulltext_upload", args=[source.review.slug, source.pk])


def _reader_url(source):
    return reverse("evidence:fulltext_reader", args=[source.review.slug, source.pk])


def test_it_extracts_an_uploaded_pdf_page_by_page(client, editor, source, study_pdf, commits):
    client.force_login(editor)
    with commits(execute=True):
        response = client.post(_upload_url(source), {"file": upload("study.pdf", study_pdf)})
    job = Job.objects.get(kind="fulltexts.extract")
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED and job.review == source.review
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result_url == _reader_url(source)
    progress_page = client.get(response.url).content.decode()
    assert "study.pdf: extracted." in progress_page and _reader_url(source) in progress_page
    full_text = FullText.objects.get(source=source)
    assert full_text.status == FullText.Status.READY
    assert full_text.page_count == 3
    pages = list(full_text.pages.order_by("number"))
    assert pages[1].start == pages[0].end and pages[2].end == full_text.char_count
    page = client.get(_reader_url(source) + "?page=2")
    assert PHRASE in page.content.decode()


@pytest.mark.parametrize("name, data, problem", [
    ("paper.pdf", b"MZ\x90\x00\x03\x00 an executable", "neither a PDF"),
    ("paper.pdf", text_pdf(["secret"], encrypt="pw"), "encrypted"),
    ("paper.pdf", b"%PDF-1.7\nbroken", "corrupt"),
])
def test_it_refuses_uploads_that_are_not_what_they_claim(client, editor, source, name, data,
                                                         problem):
    client.force_login(editor)
    response = client.post(_upload_url(source), {"file": upload(name, data)})
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not FullText.objects.filter(source=source).exists()


def test_it_refuses_a_file_over_the_size_limit(client, editor, source, settings, study_pdf):
    settings.FULL_TEXT_MAX_BYTES = 100
    client.force_login(editor)
    response = client.post(_upload_url(source), {"file": upload("s.pdf", study_pdf)})
    assert response.status_code == 400 and "the limit for a full text is 100 bytes" in (
        response.content.decode())
    assert not FullText.objects.exists()


def test_it_shows_why_a_scan_failed_and_keeps_the_source(client, editor, source, commits):
    client.force_login(editor)
    with commits(execute=True):
        client.post(_upload_url(source), {"file": upload("scan.pdf", scanned_pdf())})
    full_text = FullText.objects.get(source=source)
    assert full_text.status == FullText.Status.FAILED
    assert "no text layer" in client.get(_reader_url(source)).content.decode()
    detail = client.get(reverse("evidence:detail", args=[source.review.slug, source.pk]))
    assert detail.status_code == 200 and "no text layer" in detail.content.decode()


def test_it_serves_the_file_only_to_readers_of_the_review(client, attached, viewer, outsider):
    url = reverse("evidence:fulltext_file", args=[attached.source.review.slug,
                                                  attached.source.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "sandbox" in response["Content-Security-Policy"]


def test_no_url_but_the_checked_view_reaches_the_stored_file(client, viewer, attached):
    client.force_login(viewer)
    for prefix in ("/", "/media/", "/static/"):
        assert client.get(prefix + attached.file.name).status_code == 404


def test_it_lets_only_editors_upload(client, viewer, source, study_pdf):
    client.force_login(viewer)
    response = client.post(_upload_url(source), {"file": upload("s.pdf", study_pdf)})
    assert response.status_code == 403
    assert not FullText.objects.exists()


def _offsets(full_text, phrase):
    text = "".join(p.text for p in full_text.pages.order_by("number"))
    start = text.index(phrase)
    return start, start + len(phrase)


def test_it_makes_an_anchored_linked_excerpt_from_a_selection_in_one_request(
        client, editor, attached, django_assert_max_num_queries):
    cmoc = CMOC.objects.create(review=attached.source.review, code="CMOC 1", stage="initial",
                               statement="Trust enables collaboration.")
    start, end = _offsets(attached, PHRASE)
    client.force_login(editor)
    url = reverse("evidence:fulltext_excerpt", args=[attached.source.review.slug,
                                                     attached.source.pk])
    response = client.post(url, {"exact": PHRASE, "start": start, "end": end, "page": 2,
                                 "kind": "quote", "cmoc": "cmoc 1", "element": "context",
                                 "stance": "supports", "note": "key passage"})
    assert response.status_code == 302
    excerpt = Excerpt.objects.get(source=attached.source)
    assert excerpt.anchor.page == 2 and excerpt.anchor.exact == PHRASE
    assert excerpt.anchor.suffix.startswith(" enabled shared")
    link = EvidenceLink.objects.get(excerpt=excerpt)
    assert (link.cmoc, link.element, link.stance, link.note) == (
        cmoc, "context", "supports", "key passage")
    page = client.get(response["Location"]).content.decode()
    assert 'class="hl el-context st-supports"' in page


def test_it_names_a_cmoc_code_it_cannot_find(client, editor, attached):
    client.force_login(editor)
    url = reverse("evidence:fulltext_excerpt", args=[attached.source.review.slug,
                                                     attached.source.pk])
    response = client.post(url, {"exact": "pooled", "page": 2, "kind": "quote",
                                 "cmoc": "CMOC 404", "element": "whole", "stance": "supports"})
    assert response.status_code == 400 and "No active CMOC is coded" in response.content.decode()
    assert not Excerpt.objects.exists()


def test_it_finds_a_typed_quote_on_the_page(client, editor, attached):
    client.force_login(editor)
    url = reverse("evidence:fulltext_excerpt", args=[attached.source.review.slug,
                                                     attached.source.pk])
    response = client.post(url, {"exact": "pooled", "page": 2, "kind": "quote",
                                 "element": "whole", "stance": "supports"})
    assert response.status_code == 302
    assert ExcerptAnchor.objects.get().exact == "pooled"
    response = client.post(url, {"exact": "not on this page", "page": 2, "kind": "quote",
                                 "element": "whole", "stance": "supports"})
    assert response.status_code == 400 and "not on page 2" in response.content.decode()


def test_api_refuses_selections_that_do_not_match_the_text(token_client, editor, attached):
    api = token_client(editor)
    url = f"/api/sources/{attached.source.pk}/full-text/excerpts/"
    start, end = _offsets(attached, PHRASE)
    outside = api.post(url, {"start": 0, "end": attached.char_count + 5, "exact": "x"},
                       format="json")
    assert outside.status_code == 400 and "outside the text" in outside.json()["detail"]
    wrong = api.post(url, {"start": start, "end": end, "exact": "Something else entirely..."},
                     format="json")
    assert wrong.status_code == 400 and "does not match" in wrong.json()["detail"]
    good = api.post(url, {"start": start, "end": end, "exact": PHRASE}, format="json")
    assert good.status_code == 201
    assert good.json()["selectors"][0] == {"type": "TextPositionSelector", "start": start,
                                           "end": end}
    assert Excerpt.objects.count() == 1


def test_api_upload_and_permissions(token_client, editor, viewer, outsider, source, study_pdf,
                                    commits):
    url = f"/api/sources/{source.pk}/full-text/"
    assert token_client(outsider).get(url).status_code == 404
    assert token_client(viewer).post(url, {"file": upload("s.pdf", study_pdf)},
                                     format="multipart").status_code == 403
    refused = token_client(editor).post(url, {"file": upload("s.pdf", b"%PDF-1.4 junk")},
                                        format="multipart")
    assert refused.status_code == 400 and "corrupt" in refused.json()["file"][0]
    with commits(execute=True):
        created = token_client(editor).post(url, {"file": upload("s.pdf", study_pdf)},
                                            format="multipart")
    body = created.json()
    assert created.status_code == 202 and body["status"] == "pending"
    assert body["url"] == f"/api/jobs/{body['job']}/" == created["Location"]
    assert token_client(viewer).get(body["url"]).json()["status"] == "succeeded"
    assert token_client(outsider).get(body["url"]).status_code == 404
    assert token_client(viewer).get(url).json()["status"] == "ready"
    page = token_client(viewer).get(url + "pages/?page=2").json()
    assert PHRASE in page["text"]


def test_replacing_the_text_reanchors_by_quote_or_orphans(attached, editor, commits):
    start, end = _offsets(attached, PHRASE)
    kept = services.create_anchored_excerpt(full_text=attached, start=start, end=end,
                                            exact=PHRASE, user=editor)
    s2, e2 = _offsets(attached, "Turnover of senior leaders")
    lost = services.create_anchored_excerpt(full_text=attached, start=s2, end=e2,
                                            exact="Turnover of senior leaders", user=editor)
    new_pdf = text_pdf([["A new cover page was added to this version."],
                        ["Background."], [PHRASE + " enabled shared decisions."]])
    with commits(execute=True):
        services.attach_full_text(source=attached.source, data=new_pdf, name="v2.pdf",
                                  user=editor)
    kept.anchor.refresh_from_db()
    lost.anchor.refresh_from_db()
    assert not kept.anchor.orphaned and kept.anchor.page == 3
    text = "".join(p.text for p in attached.pages.order_by("number"))
    assert text[kept.anchor.start:kept.anchor.end] == PHRASE
    assert lost.anchor.orphaned
    assert Excerpt.objects.filter(pk=lost.pk).exists()


def test_restating_excerpts_makes_a_cmoc_with_them_as_evidence(client, editor, attached):
    s1, e1 = _offsets(attached, PHRASE)
    s2, e2 = _offsets(attached, "Collaboration improved outcomes")
    one = services.create_anchored_excerpt(full_text=attached, start=s1, end=e1, exact=PHRASE)
    two = services.create_anchored_excerpt(full_text=attached, start=s2, end=e2,
                                           exact="Collaboration improved outcomes")
    client.force_login(editor)
    url = reverse("evidence:restate", args=[attached.source.review.slug])
    form = client.get(url, {"excerpt": [one.pk, two.pk]}).content.decode()
    assert PHRASE in form and "Collaboration improved outcomes" in form
    response = client.post(url, {
        "excerpts": [one.pk, two.pk], "code": "CMOC 9", "statement": "Trust leads to outcomes.",
        "context": "Pooled budgets", "mechanism_resource": "Leaders build trust",
        "mechanism_reasoning": "Staff feel safe", "outcome": "Better outcomes"})
    assert response.status_code == 302
    cmoc = CMOC.objects.get(code="CMOC 9")
    assert set(cmoc.evidence_links.values_list("excerpt_id", flat=True)) == {one.pk, two.pk}
    assert cmoc.context.text == "Pooled budgets"


def test_the_reader_runs_the_same_queries_however_many_excerpts(client, viewer, attached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(viewer)
    url = _reader_url(attached.source) + "?page=2"
    start, end = _offsets(attached, "Background")
    services.create_anchored_excerpt(full_text=attached, start=start, end=end,
                                     exact="Background")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for phrase in ("Leaders who", "built trust", "Where budgets", "Collaboration improved"):
        start, end = _offsets(attached, phrase)
        services.create_anchored_excerpt(full_text=attached, start=start, end=end, exact=phrase)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count('class="hl el-none') >= 3


def test_admin_shows_full_texts_pages_and_anchors(client, staff, attached):
    start, end = _offsets(attached, PHRASE)
    excerpt = services.create_anchored_excerpt(full_text=attached, start=start, end=end,
                                               exact=PHRASE)
    client.force_login(staff)
    page = attached.pages.first()
    for url in (reverse("admin:evidence_fulltext_change", args=[attached.pk]),
                reverse("admin:evidence_fulltextpage_change", args=[page.pk]),
                reverse("admin:evidence_excerptanchor_change", args=[excerpt.anchor.pk]),
                reverse("admin:evidence_fulltext_changelist") + "?q=smith2021"):
        assert client.get(url).status_code == 200, url
