"""Where a quote sits in a text: the W3C Web Annotation TextQuote and TextPosition selectors.

An anchor keeps both the position (start, end) and the quote with a little
context (prefix, suffix). Position is exact and cheap; the quote survives a
re-extraction that shifts the text. Offsets count Unicode code points of the
normalised document text (extraction.normalise), the same unit REFI-QDA's
startPosition/endPosition use.
"""

from dataclasses import dataclass

CONTEXT = 32


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def quote_at(text: str, start: int, end: int) -> Quote:
    """The TextQuote of text[start:end], with up to CONTEXT characters either side."""
    return Quote(start, end, text[start:end], text[max(0, start - CONTEXT):start],
                 text[end:end + CONTEXT])


def locate(text: str, exact: str, prefix: str = "", suffix: str = "", near: int = 0):
    """(start, end) of `exact` in `text`, or None when it is not there.

    With context, an occurrence whose surroundings match prefix and suffix wins
    (longest matching context first); among equals, the one nearest the old
    position. A quote that occurs nowhere cannot be re-anchored.
    """
    if not exact:
        return None
    candidates = []
    index = text.find(exact)
    while index != -1:
        before = text[max(0, index - len(prefix)):index]
        after = text[index + len(exact):index + len(exact) + len(suffix)]
        score = _common_suffix(before, prefix) + _common_prefix(after, suffix)
        candidates.append((-score, abs(index - near), index))
        index = text.find(exact, index + 1)
    if not candidates:
        return None
    start = min(candidates)[2]
    return start, start + len(exact)


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
