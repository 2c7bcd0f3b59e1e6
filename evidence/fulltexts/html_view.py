"""An HTML full text shown as HTML: sanitised by nh3, with the stored text's offsets intact.

Anchors index the extracted text (extraction.html_text, cut into pages), and
the reader's script counts a selection's offset in the page element's
textContent. So the page is rendered from the sanitised document's tree with
every text node replaced by the stretch of the *stored* text it produced: the
rendered page's textContent is exactly the stored page text, character for
character, and highlights and selections mean the same offsets as before.

The stored text was made from the same file, so walking the two side by side
only ever disagrees on white space (newlines added after blocks, runs of blank
lines collapsed, page ends trimmed): a stored character the tree lacks is
emitted where it falls; tree white space the text lacks is dropped. Anything
else (a file extracted by other rules) makes `build` return None and the
reader shows the plain text, as before.

Nothing here trusts the upload: the markup is whatever nh3 keeps of a short
list of text tags (no scripts, styles, images, forms, ids or classes), and the
serialiser below writes only those tags and attributes, escaping all text.
"""

import html
import unicodedata
from dataclasses import dataclass, field

import nh3

# Tags kept for reading: text structure only. Every block that extraction ends with a
# newline (extraction.html_text) is here, so the two see the same blocks.
DISPLAY_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
DISPLAY_ATTRIBUTES = {
    "a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"}, "ol": {"start"},
}
LINK_REL = "noopener noreferrer nofollow"
_URL_SCHEMES = ("http://", "https://", "mailto:")
_VOID = {"br", "hr"}


def sanitise(markup: str) -> str:
    """The upload's HTML reduced by nh3 to the reading tags: no script can survive it."""
    return nh3.clean(markup, tags=DISPLAY_TAGS, attributes=DISPLAY_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, url_relative="deny",
                     link_rel=LINK_REL, strip_comments=True)


@dataclass
class Element:
    tag: str
    attrs: list
    children: list = field(default_factory=list)
    start: int = 0  # the stretch of the text inside it, to skip it on other pages
    end: int = 0


@dataclass(frozen=True)
class Text:
    start: int
    end: int


@dataclass(frozen=True)
class Void:
    tag: str
    at: int


def build(markup: str, text: str):
    """The sanitised tree of `markup` with its text as ranges of `text`, or None if they differ."""
    import lxml.html

    clean = sanitise(markup)
    if not clean.strip():
        return None
    root = lxml.html.fragment_fromstring(clean, create_parent="div")
    aligner = _Aligner(text)
    tree = Element("div", [])
    try:
        aligner.children_of(root, tree)
    except _Mismatch:
        return None
    aligner.rest(tree)
    return tree


class _Mismatch(Exception):
    pass


class _Aligner:
    """Walks the tree and the stored text together (see the module's docstring)."""

    def __init__(self, text):
        self.text, self.at = text, 0

    def children_of(self, source, target):
        self.piece(source.text, target)
        for child in source:
            if isinstance(child.tag, str):
                tag = child.tag.lower()
                if tag in _VOID:
                    target.children.append(Void(tag, self.at))
                else:
                    self.gap_before(child, target)
                    element = Element(tag, list(child.attrib.items()), start=self.at)
                    target.children.append(element)
                    self.children_of(child, element)
                    element.end = self.at
            self.piece(child.tail, target)

    def gap_before(self, child, target):
        """Newlines extraction put between blocks go before the next block, not into it."""
        first = _normal(child.text_content())[:1]
        start = self.at
        if first and not first.isspace():
            while self.at < len(self.text) and self.text[self.at].isspace():
                self.at += 1
        if self.at > start:
            target.children.append(Text(start, self.at))

    def piece(self, raw, target):
        if not raw:
            return
        text, start = self.text, self.at
        normal = _normal(raw)
        if text.startswith(normal, start):  # the common case: the text as it stands
            self.at += len(normal)
            target.children.append(Text(start, self.at))
            return
        for char in normal:
            while self.at < len(text) and text[self.at] != char and text[self.at].isspace():
                self.at += 1  # a newline extraction added: it stays where it falls
            if self.at < len(text) and text[self.at] == char:
                self.at += 1
            elif not char.isspace():
                raise _Mismatch()
        if self.at > start:
            target.children.append(Text(start, self.at))

    def rest(self, tree):
        if self.at < len(self.text):
            if self.text[self.at:].strip():
                raise _Mismatch()
            tree.children.append(Text(self.at, len(self.text)))


def _normal(raw):
    # What extraction.normalise does to characters (line ends, NULs, form feeds, NFC).
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\ufffe", "")
    return unicodedata.normalize("NFC", raw.replace("\x0c", "\n"))


def render_page(tree, text, page_start, page_end, segments):
    """The page [page_start, page_end) as HTML; `segments` cut it into marks and hits.

    `segments` are reader.segments for the page, in order; text outside every
    mark is written as it is, each mark's text inside a <mark> (split where it
    crosses an element boundary).
    """
    spans, offset = [], page_start
    for segment in segments:
        spans.append((offset, offset + len(segment.text), segment))
        offset += len(segment.text)
    writer = _Writer(text, page_start, page_end, spans)
    return "".join(writer.node(child) for child in tree.children)


class _Writer:
    def __init__(self, text, start, end, spans):
        self.text, self.start, self.end, self.spans = text, start, end, spans

    def node(self, node):
        if isinstance(node, Text):
            return self.range(max(node.start, self.start), min(node.end, self.end))
        if isinstance(node, Void):
            return f"<{node.tag}>" if self.start <= node.at < self.end else ""
        if node.end <= self.start or node.start >= self.end:
            return ""
        inner = "".join(self.node(child) for child in node.children)
        if not inner or node.tag not in DISPLAY_TAGS:
            return inner
        lead = ""
        if node.tag == "pre":
            # An HTML parser drops a newline straight after <pre> (libxml2 does not): put
            # leading newlines before it, where every parser keeps them as text.
            body = inner.lstrip("\n")
            lead, inner = inner[:len(inner) - len(body)], body
        return f"{lead}<{node.tag}{self.attributes(node)}>{inner}</{node.tag}>"

    def attributes(self, node):
        allowed = DISPLAY_ATTRIBUTES.get(node.tag, set())
        out = []
        for name, value in node.attrs:
            if name not in allowed:
                continue
            if name == "href" and not value.lower().startswith(_URL_SCHEMES):
                continue
            out.append(f' {name}="{html.escape(value, quote=True)}"')
        if node.tag == "a":
            out.append(f' rel="{LINK_REL}"')
        return "".join(out)

    def range(self, a, b):
        if a >= b:
            return ""
        out = []
        for start, end, segment in self.spans:
            lo, hi = max(a, start), min(b, end)
            if lo >= hi:
                continue
            piece = html.escape(self.text[lo:hi], quote=False)
            if segment.css:
                ids = (f' data-excerpts="{segment.excerpt_ids}"' if segment.excerpt_ids
                       else "")
                piece = f'<mark class="{segment.css}"{ids}>{piece}</mark>'
            out.append(piece)
        return "".join(out)
