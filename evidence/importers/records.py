"""What every reference parser hands over: one record per reference, or a reason it failed."""

import re
import unicodedata
from dataclasses import dataclass, field

from evidence.models import SourceDocument, normalise_doi
from ichub.budget import spend
from ichub.drf import MAX_TEXT

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NOT_WORD = re.compile(r"[\W_]+")

# Longest value each SourceDocument field holds: longer values would fail the insert,
# so they are refused per record with a reason instead of a 500 for the whole file.
_MAX_LENGTHS = {
    field_name: SourceDocument._meta.get_field(field_name).max_length
    for field_name in ("container", "volume", "issue", "pages", "doi", "url")
}
# Text fields have no column limit, but the API's schema has one (evidence.serializers):
# a longer imported value was stored, and every read of it then broke the schema.
_MAX_LENGTHS.update(title=MAX_TEXT, authors_text=MAX_TEXT, abstract=MAX_TEXT * 5)
_LABELS = {"authors_text": "authors"}


@dataclass
class ReferenceRecord:
    """One parsed reference, in SourceDocument's terms.

    `position` is the record's 1-based place in the file, so a report can point
    at it; `error` says why the record cannot become a source.
    """

    position: int
    authors: list = field(default_factory=list)
    year: int | None = None
    title: str = ""
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    abstract: str = ""
    error: str = ""

    def __post_init__(self):
        spend()  # every parser builds one record per reference: the budget's checkpoint
        # EndNote writes corporate authors with a trailing comma ("SCIE,").
        self.authors = [a.strip().rstrip(",").strip() for a in self.authors if a.strip(" ,")]
        self.title = " ".join(self.title.split())
        self.doi = normalise_doi(self.doi)
        if not self.error:
            self.error = self._problem()

    def _problem(self):
        if not self.title:
            return "The record has no title."
        for name, limit in _MAX_LENGTHS.items():
            if len(getattr(self, name)) > limit:
                return f"The {_LABELS.get(name, name)} is longer than {limit:,} characters."
        return ""

    @property
    def authors_text(self):
        """Authors as the review cites them: 'Pearson, C. and Watson, N.'."""
        return " and ".join(self.authors)

    @property
    def label(self):
        return f"record {self.position}" + (f" ({self.title[:80]})" if self.title else "")

    def title_key(self):
        """Title and year with case, accents and punctuation ignored, for duplicate matching."""
        return title_key(self.title, self.year)


def title_key(title, year):
    folded = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    words = _NOT_WORD.sub(" ", folded.casefold()).split()
    return (" ".join(words), year) if words else None


def year_from(text):
    """The first plausible year in a date such as '2018///' or '2018 Mar 3'."""
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def first(value):
    """Parsers give a string or a list for repeated tags: take the first non-empty string."""
    if isinstance(value, list | tuple):
        return next((str(v).strip() for v in value if str(v).strip()), "")
    return str(value or "").strip()


def join_pages(start, end):
    start, end = first(start), first(end)
    return f"{start}-{end}" if start and end and start != end else start or end
