"""Text search plumbing: the one way both the API and pages search any model's text.

On PostgreSQL sources, excerpts and CMOCs each have a stored `search_vector`
kept by triggers and a GIN index on it (migrations ichub 0002, 0003, 0005: an
excerpt's vector also holds its source's title, a CMOC's its elements' texts,
so each search is one index scan), and a query becomes a
prefix tsquery, so "leader" finds "leadership" the way a substring match
would, at index speed. The 'simple' configuration (no stemming) is deliberate:
an English stem is often shorter than what the user typed ("collaborate" is
stored as "collabor"), so a typed prefix like "collaborat" would miss it.

SQLite has no such column and falls back to case-insensitive LIKE, every word
somewhere in the record (measured in BENCHMARKS.md: with the capped count and
first page it is near the 20 ms target at scale 1, so there is no FTS5 index).

The searches themselves sit with their models (`cmocs.search`, `evidence.search`):
each takes a queryset (already scoped to what the user may see) and returns it
filtered, keeping its ordering; an empty query returns it as it is. A results
page counts its matches with `capped_count`, or gets its first page and the
count together from `first_page`.
"""

import re
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db import connection
from django.db.models import F, Lookup, Q

_WORDS = re.compile(r"[^\W_]+")

# Beyond this many matches a results page says "500+" instead of counting on. Counting
# costs time in proportion to the matches read, and a word in a tenth of 100,000
# excerpts took 20-25 ms to count to 1,000 (BENCHMARKS.md, scenario 3); past a few
# hundred, the exact number tells a reader nothing the first page does not.
COUNT_CAP = 500

class CappedCount(NamedTuple):
    """How many results, up to a cap: str() gives "37" or "500+"."""

    n: int
    is_capped: bool

    def __str__(self):
        return f"{self.n:,}+" if self.is_capped else f"{self.n:,}"


def capped_count(queryset, cap=COUNT_CAP):
    """(n, is_capped): the number of rows, but counting no further than `cap`.

    A results page needs "37" or "500+", not an exact count of 60,000 matches:
    counting every match of a common word costs far more than finding the first
    page. This runs `SELECT count(*) FROM (SELECT id ... LIMIT cap + 1)`, unordered.
    """
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return CappedCount(min(n, cap), n > cap)


def first_page(queryset, *, size, cap=COUNT_CAP):
    """(the first `size` rows in pk order, their capped count), in two cheap queries.

    PostgreSQL underrates what filtering each row by a tsquery costs, so for
    "ORDER BY id LIMIT 50" it walks the pk index even for a word in 0.2 % of the
    rows, reading tens of thousands of rows to find 50. Collecting up to `cap` + 1
    matching ids first (a GIN index scan for such a word) settles it: a few matches
    are fetched by their ids, and over `cap` matches are dense enough that walking
    the pk index finds the page at once.
    """
    ids = list(queryset.order_by().values_list("pk", flat=True)[: cap + 1])
    count = CappedCount(min(len(ids), cap), len(ids) > cap)
    if count.is_capped:
        return list(queryset.order_by("pk")[:size]), count
    return list(queryset.filter(pk__in=sorted(ids)[:size]).order_by("pk")), count


def clean_query(text):
    """The user's words, without NUL bytes (PostgreSQL refuses them in any string)."""
    return (text or "").replace("\x00", "").strip()


def prefix_tsquery(text):
    """'trust lead' -> 'trust:* & lead:*': every word, each as a prefix.

    Only letters and digits reach to_tsquery, so no user input can form tsquery
    syntax (and a syntax error would be a 500). Returns None for no words.
    """
    words = _WORDS.findall(text.lower())
    if not words:
        return None
    return " & ".join(f"{word}:*" for word in words)


def every_word_in(text, fields):
    """Every word of `text` in at least one of `fields`, as a case-insensitive substring.

    SQLite's answer to PostgreSQL's "every word, anywhere in the record", so that
    "pooled budget" finds the same rows on both.
    """
    condition = Q()
    for word in text.split():
        condition &= reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields))
    return condition


def full_text_available():
    return connection.vendor == "postgresql"


class _VectorMatches(Lookup):
    """`<table>.search_vector @@ to_tsquery('simple', <query>)` for the table of the lhs column.

    A lookup rather than raw SQL so that the table's alias follows Django's
    relabelling when the filter ends up in a subquery or next to joins (the
    sources' table also has a search_vector).
    """

    lookup_name = "ichub_vector_matches"

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        query, params = self.process_rhs(compiler, connection)
        return f"{table}.\"search_vector\" @@ to_tsquery('simple', {query})", params


def matches(tsquery):
    """The row matches the tsquery (answered from the table's GIN index)."""
    return _VectorMatches(F("pk"), tsquery)
