"""What every reference parser hands over: one record per reference, or a reason it failed."""

import re
import unicodedata
from dataclasses import dataclass, field

from evidence.models import SourceDocument, normalise_doi
from evidence.names import join_names
from ichub.budget import spend
from ichub.drf import MAX_TEXT

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NOT_WORD = re.compile(r"[\W_]+")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_MINOR_WORDS = {"and", "for", "of", "the", "on", "in", "to", "a", "an", "&"}

# Longest value each SourceDocument field holds: longer values would fail the insert,
# so they are refused per record with a reason instead of a 500 for the whole file.
_MAX_LENGTHS = {
    field_name: SourceDocument._meta.get_field(field_name).max_length
    for field_name in (
        "container", "publisher", "volume", "issue", "pages", "doi", "url", "reference_type",
        "genre",
    )
}
# Text fields have no column limit, but the API's schema has one (evidence.serializers):
# a longer imported value was stored, and every read of it then broke the schema.
_MAX_LENGTHS.update(title=MAX_TEXT, authors_text=MAX_TEXT, abstract=MAX_TEXT * 5)
_LABELS = {"authors_text": "authors"}


@dataclass
class ReferenceRecord:
    """One parsed reference, in SourceDocument's terms.

    `position` is the record's 1-based place in the file, so a report can point
    at it; `error` says why the record cannot become a source, and `notes` what
    the parser had to decide about it (a repeated field, say), for the report.
    `reference_type` is a CSL type ("article-journal", "report", "chapter"…):
    the one vocabulary every import maps to and every export maps from.
    `container` is the journal, book or proceedings the work appeared in;
    `publisher` the publisher, institution or school.
    """

    position: int
    reference_type: str = ""
    genre: str = ""
    authors: list = field(default_factory=list)
    editors: list = field(default_factory=list)
    year: int | None = None
    title: str = ""
    container: str = ""
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    abstract: str = ""
    keywords: list = field(default_factory=list)
    error: str = ""
    notes: list = field(default_factory=list)

    def __post_init__(self):
        spend()  # every parser builds one record per reference: the budget's checkpoint
        # EndNote writes corporate authors with a trailing comma ("SCIE,").
        self.authors = [a.strip().rstrip(",").strip() for a in self.authors if a.strip(" ,")]
        self.editors = [a.strip().rstrip(",").strip() for a in self.editors if a.strip(" ,")]
        self.title = " ".join(self.title.split())
        self.container = " ".join(self.container.split())
        self.publisher = " ".join(self.publisher.split())
        self.doi = normalise_doi(self.doi)
        # One a line in the database: a keyword never holds a line break.
        self.keywords = list(dict.fromkeys(
            " ".join(k.split()) for k in self.keywords if k and k.strip()))
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
        return join_names(self.authors)

    @property
    def editors_text(self):
        return join_names(self.editors)

    def citation_name(self):
        """The word a citation key starts with: the lead author's (or editor's) surname.

        'Liu R.' (Embase) gives 'Liu', not the initial; a corporate author gives
        its acronym ('Social Care Institute for Excellence' → 'SCIE'); no
        author gives the title's first long word, as reference managers do.
        """
        lead = (self.authors or self.editors or [""])[0]
        return surname(lead) or next((w for w in self.title.split() if len(w) > 3), self.title)

    @property
    def label(self):
        return f"record {self.position}" + (f" ({self.title[:80]})" if self.title else "")

    def title_key(self):
        """Title and year with case, accents and punctuation ignored, for duplicate matching."""
        return title_key(self.title, self.year)


def surname(lead):
    """The surname in a name as databases write it: 'Liu, Rong', 'Liu R.', 'Rong Liu'.

    A corporate name gives its acronym ('Social Care Institute for Excellence' → 'SCIE').
    """
    if "," in lead:
        return lead.split(",")[0]
    words = lead.split()
    if len(words) >= 2 and all(_INITIALS.match(w) for w in words[1:]):
        return words[0]
    if len(words) >= 3:
        return "".join(w[0] for w in words if w.casefold() not in _MINOR_WORDS)
    return words[-1] if words else ""


def fold(text):
    """Text with case, accents and punctuation ignored, letters of every script kept.

    'Résumé' and 'RESUME' fold alike; Cyrillic, Greek and CJK letters stay
    (only combining marks go), so a title in any script has a key.
    """
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFKC", letters)).split())


def title_key(title, year):
    folded = fold(title)
    return (folded, year) if folded else None


def year_from(text):
    """The first plausible year in a date such as '2018///' or '2018 Mar 3'."""
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def first(value):
    """Parsers give a string or a list for repeated tags: take the first non-empty string."""
    if isinstance(value, list | tuple):
        return next((str(v).strip() for v in value if str(v).strip()), "")
    return str(value or "").strip()


def split_keywords(value):
    """A keywords field written as one text: split on ';' if it has any, else on ','.

    BibTeX and CSL-JSON hold keywords in one field; tools separate them with
    either, and a keyword may itself hold a comma only when ';' separates.
    """
    value = first(value)
    separator = ";" if ";" in value else ","
    return [k.strip() for k in value.split(separator) if k.strip()]


def join_pages(start, end):
    start, end = first(start), first(end)
    return f"{start}-{end}" if start and end and start != end else start or end
