"""Text search over CMOCs, sources and excerpts: the one place both the API and pages call.

A simple case-insensitive match for now; the full-text implementation
(PostgreSQL tsvector + GIN, SQLite fallback) replaces these bodies without
changing their signatures.
"""

from django.db.models import Q


def clean_query(text):
    """The user's words, without NUL bytes (PostgreSQL refuses them in any string)."""
    return (text or "").replace("\x00", "").strip()


def search_cmocs(queryset, text):
    text = clean_query(text)
    if not text:
        return queryset
    return queryset.filter(
        Q(code__icontains=text)
        | Q(statement__icontains=text)
        | Q(context__text__icontains=text)
        | Q(mechanism_resource__text__icontains=text)
        | Q(mechanism_reasoning__text__icontains=text)
        | Q(outcome__text__icontains=text)
    )


def search_sources(queryset, text):
    text = clean_query(text)
    if not text:
        return queryset
    return queryset.filter(
        Q(title__icontains=text)
        | Q(authors__icontains=text)
        | Q(doi__icontains=text)
        | Q(container__icontains=text)
        | Q(abstract__icontains=text)
    )


def search_excerpts(queryset, text):
    text = clean_query(text)
    if not text:
        return queryset
    return queryset.filter(Q(text__icontains=text) | Q(source__title__icontains=text))
