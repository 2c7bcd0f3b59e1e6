"""Source ids inside a row's JSON (a ranking's order, what it learnt from, its reasons).

Database ids differ between instances, so a document writes them as the
sources' citation keys and a restore maps the keys back to the new ids. A
key that is not one of the review's sources refuses the document: the row
could not mean anything here, and a crafted one must not point elsewhere.
"""

from django.core.exceptions import ValidationError

from evidence.models import SourceDocument

# How a field holds source ids: a list of them, a list of [id, value] pairs,
# or an object keyed by them (as text, JSON's only key type).
IDS, PAIRS, KEYED = "ids", "pairs", "keyed"


def citation_keys(review):
    """{source id: citation key} of the review's sources, in one query."""
    return dict(SourceDocument.objects.filter(review=review).values_list("pk", "citation_key"))


def source_ids(review):
    """{citation key: source id} of the review's sources, in one query."""
    return {key: pk for pk, key in citation_keys(review).items()}


def to_keys(shape, value, keys):
    """The field's value with each source id written as its citation key."""
    if shape == IDS:
        return [keys[pk] for pk in value]
    if shape == PAIRS:
        return [[keys[pk], rest] for pk, rest in value]
    return {keys[int(pk)]: rest for pk, rest in value.items()}


def to_ids(label, shape, value, ids):
    """The field's value with each citation key read back as this database's source id."""
    def id_of(key):
        if not isinstance(key, str) or key not in ids:
            raise ValidationError(f"{label} names the source {str(key)[:80]!r}, which is not "
                                  "in this review.")
        return ids[key]

    expected = dict if shape == KEYED else list
    if not isinstance(value, expected):
        raise ValidationError(f"{label} is not a JSON {expected.__name__}.")
    if shape == IDS:
        return [id_of(key) for key in value]
    if shape == PAIRS:
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in value):
            raise ValidationError(f"{label} holds something other than [source, value] pairs.")
        return [[id_of(key), rest] for key, rest in value]
    return {str(id_of(key)): rest for key, rest in value.items()}
