"""A page of full text cut into segments for the reader: highlighted excerpts and search hits."""

import functools
from dataclasses import dataclass, field

# Parsed HTML full texts kept per process (each is its text plus a tree of its elements).
HTML_TREES_KEPT = 8


@dataclass
class Segment:
    text: str
    excerpts: list = field(default_factory=list)
    hit: bool = False

    @property
    def css(self):
        """Classes for the first excerpt's element and stance (the legend explains them)."""
        if not self.excerpts:
            return "hit" if self.hit else ""
        first = self.excerpts[0]
        classes = ["hl", f"el-{first.element}", f"st-{first.stance}"]
        if len(self.excerpts) > 1:
            classes.append("overlap")
        if self.hit:
            classes.append("hit")
        return " ".join(classes)

    @property
    def excerpt_ids(self):
        return " ".join(str(e.excerpt_id) for e in self.excerpts)


@dataclass(frozen=True)
class Mark:
    excerpt_id: int
    start: int
    end: int
    element: str = "none"
    stance: str = "none"


def hits_in(text, phrase):
    """Where the search matched: the whole phrase if it occurs, else each of its words.

    Search matches pages holding every word anywhere, so a page may have the
    words apart; marking them one by one still shows the reader why it matched.
    """
    found = _occurrences(text.lower(), phrase.lower())
    if found or not phrase:
        return found
    return sorted(hit for word in phrase.lower().split() for hit in _occurrences(text.lower(),
                                                                                  word))


def _occurrences(lower, needle):
    found, index = [], 0
    while needle and (index := lower.find(needle, index)) != -1:
        found.append((index, index + len(needle)))
        index += len(needle)
    return found


def segments(text, page_start, marks, phrase=""):
    """`text` cut wherever a mark or a hit starts or ends (mark offsets are the document's)."""
    local = [(max(0, m.start - page_start), min(len(text), m.end - page_start), m) for m in marks]
    hits = hits_in(text, phrase)
    cuts = {0, len(text)}
    for start, end, _ in local:
        cuts.update((start, end))
    for start, end in hits:
        cuts.update((start, end))
    ordered = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a == b:
            continue
        covering = [m for start, end, m in local if start <= a and b <= end]
        hit = any(start <= a and b <= end for start, end in hits)
        out.append(Segment(text[a:b], covering, hit))
    return out


def snippet(text, query, width=90):
    """A short stretch of `text` around the first place one of the query's words appears."""
    lower = text.lower()
    positions = [lower.find(word) for word in query.lower().split()]
    first = min((p for p in positions if p >= 0), default=0)
    start = max(0, first - width // 2)
    piece = " ".join(text[start:start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def html_page(full_text, page, page_segments):
    """An HTML full text's page as its sanitised HTML (html_view), or None to show plain text.

    None too when the stored file is not here (a review restored beside
    another storage): the reader still has the text.
    """
    from django.utils.safestring import mark_safe

    from . import html_view

    try:
        built = _html_tree(full_text.pk, full_text.sha256, full_text.extracted_at)
    except OSError:  # not cached: the file may be back on the next request
        return None
    if built is None:
        return None
    tree, text = built
    # Safe: html_view writes only its listed tags and attributes and escapes all text.
    return mark_safe(html_view.render_page(tree, text, page.start, page.end, page_segments))


@functools.lru_cache(maxsize=HTML_TREES_KEPT)
def _html_tree(full_text_id, sha256, extracted_at):
    """The sanitised tree and text of one extraction of one file (the key names both), kept
    per process: parsing and aligning a long page on every request cost ~0.5 s."""
    from evidence.models import FullText

    from . import html_view

    full_text = FullText.objects.get(pk=full_text_id)
    with full_text.file.open("rb") as handle:
        markup = handle.read().decode("utf-8", errors="replace")
    text = "".join(full_text.pages.order_by("number").values_list("text", flat=True))
    tree = html_view.build(markup, text)
    return None if tree is None else (tree, text)
