"""Issue 14's "Done when", in Chromium: upload a study's PDF, read it, code three passages
(mouse and keyboard), restate two into a CMOC, find a phrase by search, export the review
as .qdpx (valid against the REFI-QDA XSD) and import it into a fresh review."""

import io
import zipfile

import pytest
from lxml import etree
from playwright.sync_api import expect

from cmocs import services as cmoc_services
from cmocs.models import CMOC, EvidenceLink
from evidence.fulltexts import services
from evidence.models import ExcerptAnchor, FullText, SourceDocument
from ichub.models import Membership, Review
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, screenshot
from tests.evidence.fulltexts.pdfs import STUDY_PAGES, text_pdf
from tests.evidence.fulltexts.test_html_reader import PAGE as HTML_PAGE
from tests.shared_files import find_shared_file

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Selects text with the mouse: press at the phrase's first character, drag to its last.
_BOUNDS = """phrase => {
  const pre = document.getElementById('page-text');
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.textContent.indexOf(phrase);
    if (at < 0) continue;
    window.scrollTo(0, 0);
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + phrase.length - 1); range.setEnd(node, at + phrase.length);
    const last = range.getBoundingClientRect();
    return [first.left + 1, first.top + first.height / 2, last.right - 1,
            last.top + last.height / 2];
  }
  return null;
}"""


def _select_with_mouse(page, phrase):
    x1, y1, x2, y2 = page.evaluate(_BOUNDS, phrase)
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=5)
    page.mouse.up()
    expect(page.get_by_label("Quote")).to_have_value(phrase)


@pytest.fixture
def setting(settings, tmp_path, review, owner):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    source = SourceDocument.objects.create(
        review=review, citation_key="smith2021", authors="Smith, J. and Jones, K.", year=2021,
        title="Leadership across organisations", inclusion_status="included")
    cmoc_services.create_cmoc(review=review, user=owner, code="CMOC 1",
                              statement="Trust enables collaboration.", context="Pooled budgets",
                              mechanism_resource="Leaders build trust",
                              mechanism_reasoning="Staff feel safe", outcome="Collaboration")
    return source


def test_a_reviewer_codes_a_pdf_restates_it_and_exchanges_it_as_qdpx(page, review, editor,
                                                                      setting, tmp_path):
    source = setting
    pdf = tmp_path / "smith2021.pdf"
    pdf.write_bytes(text_pdf(STUDY_PAGES))
    log_in(page, editor, PASSWORD)

    page.goto(f"/reviews/{review.slug}/sources/{source.pk}/")
    page.get_by_role("link", name="Attach one").click()
    page.get_by_label("File").set_input_files(str(pdf))
    page.get_by_role("button", name="Upload").click()
    # The upload opens its extraction job's progress page; the result is the reader.
    expect(page.get_by_text("smith2021.pdf: extracted.")).to_be_visible()
    page.get_by_role("link", name="See the result").click()
    expect(page.get_by_text("Page 1 of 3").first).to_be_visible()
    page.get_by_role("link", name="p. 2 →").first.click()
    # Wait for page 2 itself: evaluating before the navigation ends finds no page text.
    expect(page.locator("#page-text")).to_have_attribute("data-page", "2")

    # Two passages selected with the mouse, each linked to an element of CMOC 1.
    for phrase, element in (("Leaders who built trust across organisations", "Context"),
                            ("Where budgets were pooled", "Mechanism (resource)")):
        _select_with_mouse(page, phrase)
        page.get_by_label("Link to CMOC").fill("CMOC 1")
        page.get_by_label("Element").select_option(label=element)
        page.get_by_role("button", name="Add excerpt").click()
        expect(page.get_by_text("Added the excerpt on p. 2.")).to_be_visible()
    expect(page.locator("mark.el-context")).to_have_text(
        "Leaders who built trust across organisations")

    # The third with the keyboard only: type the quote, tab through, submit with Enter.
    page.get_by_role("link", name="p. 3 →").first.click()
    page.get_by_label("Quote").focus()
    page.keyboard.type("Collaboration improved outcomes")
    page.keyboard.press("Tab")  # kind
    page.keyboard.press("Tab")  # CMOC
    page.keyboard.type("CMOC 1")
    page.keyboard.press("Tab")  # element
    page.keyboard.press("End")  # the last element listed: "Whole configuration"
    page.keyboard.press("Tab")  # stance
    page.keyboard.press("Tab")  # note
    page.keyboard.type("Outcome reported by staff")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Added the excerpt on p. 3.")).to_be_visible()
    assert EvidenceLink.objects.filter(excerpt__source=source).count() == 3
    screenshot(page, "14-reader")

    # Restate two of them into a new CMOC, with the quotes beside the fields.
    page.get_by_role("checkbox").nth(0).check()
    page.get_by_role("checkbox").nth(2).check()
    page.get_by_role("button", name="Restate the chosen excerpts into a new CMOC").click()
    expect(page.locator("aside blockquote")).to_have_count(2)
    page.get_by_label("Code").fill("CMOC 2")
    page.get_by_label("Statement").fill("Trust across organisations improves outcomes.")
    page.get_by_label("Context").fill("Several organisations")
    page.get_by_label("Mechanism (resource)").fill("Leaders build trust")
    page.get_by_label("Mechanism (reasoning)").fill("Partners commit")
    page.get_by_label("Outcome").fill("Better outcomes for patients")
    screenshot(page, "14-restate")
    page.get_by_role("button", name="Create the CMOC with these excerpts as evidence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMOC 2")
    assert CMOC.objects.get(code="CMOC 2").evidence_links.count() == 2

    # A phrase from the PDF is found, and the hit opens the reader there, marked.
    page.goto("/search/?q=senior%20leaders")
    page.get_by_role("link", name="Smith and Jones (2021), p. 3").click()
    expect(page.locator("mark.hit")).to_have_text("senior leaders")

    # Export as .qdpx from the review's downloads (made by a job, then downloaded from its
    # page); it validates against the XSD.
    page.goto(f"/reviews/{review.slug}/reports/rameses/")
    page.get_by_role("button", name="REFI-QDA project", exact=False).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download", exact=False).click()
    data = open(download.value.path(), "rb").read()
    qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    schema = find_shared_file("refi-qda", "Project.xsd")
    if schema is not None:  # the published schema lives in shared/ (tests/shared_files.py)
        etree.XMLSchema(etree.parse(str(schema))).assertValid(etree.fromstring(qde))

    # Import it into a fresh review: same sources, excerpts and anchors.
    fresh = Review.objects.create(slug="fresh", title="A fresh review")
    Membership.objects.create(review=fresh, user=editor, role=Membership.Role.EDITOR)
    qdpx = tmp_path / "review.qdpx"
    qdpx.write_bytes(data)
    page.goto("/reviews/fresh/sources/import/qdpx/")
    page.get_by_label("REFI-QDA file").set_input_files(str(qdpx))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 source, 3 excerpts")).to_be_visible()
    screenshot(page, "14-qdpx-import")
    anchors = lambda slug: sorted(ExcerptAnchor.objects.filter(  # noqa: E731
        excerpt__source__review__slug=slug).values_list("page", "start", "end", "exact"))
    assert anchors("fresh") == anchors(review.slug) and len(anchors("fresh")) == 3


def test_an_html_full_text_reads_as_html_and_keeps_its_offsets(page, review, editor, setting):
    source = setting
    services.attach_full_text(source=source, data=HTML_PAGE.encode(), name="report.html",
                              user=editor)
    stored = FullText.objects.get(source=source).pages.get(number=1).text
    log_in(page, editor, PASSWORD)
    page.goto(f"/reviews/{review.slug}/sources/{source.pk}/full-text/")
    expect(page.locator("#page-text strong")).to_have_text("built trust")
    # What the reader's script counts offsets in is the stored text, character for character.
    assert page.locator("#page-text").evaluate("e => e.textContent") == stored
    assert page.evaluate("() => window.pwned === undefined")
    phrase = "across organisations enabled"
    _select_with_mouse(page, phrase)
    page.get_by_role("button", name="Add excerpt").click()
    expect(page.get_by_text("Added the excerpt on p. 1.")).to_be_visible()
    anchor = ExcerptAnchor.objects.get(excerpt__source=source)
    assert stored[anchor.start:anchor.end] == anchor.exact == phrase
    expect(page.locator("#page-text mark")).to_have_text(phrase)
