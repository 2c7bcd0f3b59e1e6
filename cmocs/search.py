"""CMOC search: code, statement, notes and the texts of its C, M and O (ichub.search)."""

from ichub.search import clean_query, every_word_in, full_text_available, matches, prefix_tsquery

# What the SQLite fallback searches: the same columns as the PostgreSQL search vector.
CMOC_FIELDS = (
    "code", "statement", "notes", "context__text", "mechanism_resource__text",
    "mechanism_reasoning__text", "outcome__text",
)


def search_cmocs(queryset, text):
    """CMOCs whose code, statement, notes or any of their C, M or O texts match."""
    text = clean_query(text)
    if not text:
        return queryset
    if not full_text_available():
        return queryset.filter(every_word_in(text, CMOC_FIELDS))
    tsquery = prefix_tsquery(text)
    if tsquery is None:
        return queryset.none()
    # The CMOC's vector also holds its elements' texts (migration ichub 0005), so this is
    # one GIN index scan; an OR across the five tables made PostgreSQL scan every CMOC.
    return queryset.filter(matches(tsquery))
