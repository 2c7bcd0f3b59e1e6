"""An HTML full text in the reader: shown as sanitised HTML whose text is the stored page
text exactly (so offsets and anchors keep their meaning), with nothing executable."""

import lxml.html
import pytest
from django.urls import reverse

from evidence.fulltexts import services
from evidence.models import FullText

PAGE = """<!DOCTYPE html><html><head><title>Grey report</title>
<style>body { color: red }</style><script>window.pwned = 1</script></head>
<body onload="alert(1)">
<h1 id="page-text" class="x">Integrated care: a grey report</h1>
<p>Leaders who <strong>built trust</strong> across organisations enabled shared decisions.</p>
<ul><li>Pooled budgets</li><li>Joint posts</li></ul>
<table><tr><th>Site</th><td colspan="2">North</td></tr></table>
<pre>
  indented line
</pre>
<p>See <a href="https://example.org/report" onclick="steal()">the report</a> and
<a href="javascript:alert(1)">this</a>.</p>
<p style="background:url(x)">Collaboration&nbsp;improved outcomes &lt;script&gt; for patients.</p>
<img src="https://tracker.example/x.png" onerror="alert(1)">
<svg onload="alert(1)"><text>drawn</text></svg>
<iframe src="https://evil.example/"></iframe>
<form action="/x"><input name="q" value="typed"></form>
</body></html>
"""


@pytest.fixture
def html_text(source, editor, commits):
    with commits(execute=True):
        services.attach_full_text(source=source, data=PAGE.encode(), name="report.html",
                                  user=editor)
    full_text = FullText.objects.get(source=source)
    assert full_text.status == FullText.Status.READY and full_text.format == "html"
    return full_text


def _page_text_element(client, source, page=1):
    url = reverse("evidence:fulltext_reader", args=[source.review.slug, source.pk])
    response = client.get(f"{url}?page={page}")
    assert response.status_code == 200
    document = lxml.html.document_fromstring(response.content.decode())
    [element] = document.xpath('//*[@id="page-text"]')
    return element, lxml.html.tostring(element, encoding="unicode")


def test_it_shows_the_html_with_exactly_the_stored_text(client, viewer, html_text, source):
    client.force_login(viewer)
    element, markup = _page_text_element(client, source)
    assert element.tag == "div" and "page-html" in element.get("class")
    for tag in ("<h1>", "<strong>built trust</strong>", "<li>Pooled budgets</li>",
                '<td colspan="2">North</td>', "<pre>"):
        assert tag in markup
    assert ('<a href="https://example.org/report" rel="noopener noreferrer nofollow">the report'
            '</a>') in markup
    page = html_text.pages.get(number=1)
    assert element.text_content() == page.text


def test_it_keeps_nothing_executable(client, viewer, html_text, source):
    client.force_login(viewer)
    _, markup = _page_text_element(client, source)
    lowered = markup.lower()
    for banned in ("<script", "onload", "onerror", "onclick", "javascript:", "<svg", "<iframe",
                   "<img", "<form", "<input", "<style", "style=", 'class="x"', "tracker"):
        assert banned not in lowered, banned
    # The only element with that id is the reader's own; escaped text stays text.
    assert lowered.count('id="page-text"') == 1
    assert "&lt;script&gt; for patients" in markup


def test_an_excerpt_across_elements_is_marked_in_each(client, editor, html_text, source):
    page = html_text.pages.get(number=1)
    phrase = "Leaders who built trust across"
    start = page.start + page.text.index(phrase)
    excerpt = services.create_anchored_excerpt(full_text=html_text, start=start,
                                               end=start + len(phrase), exact=phrase)
    client.force_login(editor)
    element, _ = _page_text_element(client, source)
    marks = element.xpath(f'.//mark[@data-excerpts="{excerpt.pk}"]')
    assert "".join(m.text_content() for m in marks) == phrase and len(marks) == 3
    assert marks[1].getparent().tag == "strong"
    assert element.text_content() == page.text


def test_it_falls_back_to_the_text_when_the_file_is_gone(client, viewer, html_text, source):
    html_text.file.storage.delete(html_text.file.name)
    client.force_login(viewer)
    element, _ = _page_text_element(client, source)
    assert element.tag == "pre" and element.text_content() == html_text.pages.get(number=1).text
