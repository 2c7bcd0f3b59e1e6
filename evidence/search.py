"""Source and excerpt search (ichub.search): titles, authors, DOIs, abstracts, excerpt text."""

from django.db.models import Q
from django.db.models.functions import Lower

from evidence.models import normalise_doi
from ichub.search import clean_query, every_word_in, full_text_available, matches, prefix_tsquery

# What the SQLite fallback searches: the same columns as each PostgreSQL search vector.
SOURCE_FIELDS = ("title", "authors", "citation_key", "doi", "container", "abstract")
EXCERPT_FIELDS = ("text", "section", "source__title")
PAGE_FIELDS = ("text",)


def search_sources(queryset, text):
    """Sources by title, authors, citation key, journal or abstract; or by exact DOI."""
    text = clean_query(text)
    if not text:
        return queryset
    if not full_text_available():
        condition = every_word_in(text, SOURCE_FIELDS)
    else:
        tsquery = prefix_tsquery(text)
        condition = Q(pk__in=[]) if tsquery is None else Q(matches(tsquery))
    doi = normalise_doi(text)
    if doi.startswith("10."):  # only a DOI-shaped query pays for comparing every DOI
        condition |= Q(doi_lower=doi)
    return queryset.alias(doi_lower=Lower("doi")).filter(condition)


def search_excerpts(queryset, text):
    """Excerpts whose text, section or source title match."""
    text = clean_query(text)
    if not text:
        return queryset
    if not full_text_available():
        return queryset.filter(every_word_in(text, EXCERPT_FIELDS))
    tsquery = prefix_tsquery(text)
    if tsquery is None:
        return queryset.none()
    # The excerpt's vector also holds its source's title (migration ichub 0003), so this
    # is one GIN index scan; an OR across the two tables made PostgreSQL scan every excerpt.
    return queryset.filter(matches(tsquery))


def search_pages(queryset, text):
    """Pages of extracted full text holding every word (migration evidence 0006)."""
    text = clean_query(text)
    if not text:
        return queryset
    if not full_text_available():
        return queryset.filter(every_word_in(text, PAGE_FIELDS))
    tsquery = prefix_tsquery(text)
    if tsquery is None:
        return queryset.none()
    return queryset.filter(matches(tsquery))
