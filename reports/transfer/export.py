"""Write a review as one JSON document, streamed section by section.

The text is deterministic: rows are sorted by their natural key (in Python, so
database collation cannot reorder them) and each row is one line of JSON with
sorted keys, so exporting, re-importing and exporting again gives the same bytes.
"""

import datetime
import json
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from ichub.models import Review
from reports.transfer.sections import SECTIONS
from reports.transfer.source_keys import citation_keys, to_keys

_OPERATOR = object()  # export_review_chunks' default reader: no filtering
FORMAT = "ichub-review"
_CHUNK_ROWS = 2_000  # rows read from the database, and written out, at a time
VERSION = 1

REVIEW_FIELDS = (
    "slug",
    "title",
    "question",
    "method",
    "reporting_standard",
    "summary",
    "authors",
    "year",
    "citation",
    "doi",
    "visibility",
    "notes",
    "created_at",
    "updated_at",
)


def encode(value):
    """A JSON-ready value; datetimes in UTC so both databases write the same text."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if timezone.is_aware(value) else (
            value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def dumps(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def ref_value(values):
    """One lookup: its value; several: the list; a null reference: None."""
    if all(v is None for v in values):
        return None
    return values[0] if len(values) == 1 else list(values)


def review_record(review, visible=None):
    record = {name: encode(getattr(review, name)) for name in REVIEW_FIELDS}
    # Both directions: deleting a review drops the other side's link too.
    for relation in ("tests_theories_of", "tested_by"):
        related = getattr(review, relation).all()
        if visible is not None:
            related = related.filter(pk__in=visible)
        record[relation] = sorted(related.values_list("slug", flat=True))
    return record


def _cross_review_paths(section):
    """{reference name: lookup of the target's review} for references that may leave it."""
    return {
        name: ref.key[0].removesuffix("__slug")
        for name, ref in (*section.refs.items(), *section.many.items())
        if ref.scope is None and ref.key[0].endswith("review__slug")
    }


def section_lines(section, review, visible=None, reader=_OPERATOR):
    """The section's rows for this review as sorted JSON lines: one query, plus one per M2M.

    Rows are read in chunks and kept only as their line of text (a third of a
    dict's size), so a section of 200,000 evidence links fits in tens of MB.
    """
    ref_paths = {
        name: [f"{name}__{lookup}" for lookup in ref.key] for name, ref in section.refs.items()
    }
    lookups = [
        "pk",
        *section.fields,
        *section.timestamps,
        *(path for paths in ref_paths.values() for path in paths),
    ]
    queryset = section.model.objects.filter(section.rows_of(review)).distinct().order_by()
    if reader is not _OPERATOR and section.for_reader is not None:
        queryset = queryset.filter(section.for_reader(review, reader))
    keys = None  # read with the first row that needs them: no query for an empty section
    crossing = _cross_review_paths(section) if visible is not None else {}
    for name, path in crossing.items():
        if name in section.refs:  # rows that reach a review the reader may not see are left out
            queryset = queryset.filter(
                Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__{path}__in": visible})
            )
    many = {
        name: _many_values(section, name, ref, queryset, crossing.get(name), visible)
        for name, ref in section.many.items()
    }
    keyed = []
    for values in queryset.values(*lookups).iterator(chunk_size=_CHUNK_ROWS):
        row = {name: encode(values[name]) for name in (*section.fields, *section.timestamps)}
        for name, paths in ref_paths.items():
            row[name] = ref_value([encode(values[path]) for path in paths])
        for name in section.many:
            row[name] = sorted(many[name].get(values["pk"], []), key=dumps)
        if section.source_ids and keys is None:
            keys = citation_keys(review)
        for name, shape in section.source_ids.items():
            row[name] = to_keys(shape, row[name], keys)
        keyed.append((dumps([row[s] for s in section.sort]), dumps(row)))
    keyed.sort()  # by natural key, then by the whole row: the same order in any database
    return [line for _, line in keyed]


def _many_values(section, name, ref, queryset, crossing=None, visible=None):
    through = getattr(section.model, name).through
    source_field = f"{section.model._meta.model_name}_id"
    target = getattr(section.model, name).field.related_model._meta.model_name
    by_row = defaultdict(list)
    paths = [f"{target}__{lookup}" for lookup in ref.key]
    links = through.objects.filter(**{f"{source_field}__in": queryset.values("pk")})
    if crossing is not None:
        links = links.filter(**{f"{target}__{crossing}__in": visible})
    for values in links.values(source_field, *paths):
        by_row[values[source_field]].append(ref_value([encode(values[p]) for p in paths]))
    return by_row


def export_review_chunks(review, *, reader=_OPERATOR, on_section=None):
    """The document as text chunks: the header, then each section as it is read.

    For a `reader` (a request's user, anonymous included), references to other
    reviews that the reader may not see are left out, with the rows that hold
    them: a public review's export must not show a private review's slug, codes,
    notes or excerpts (issue 17). The operator's command exports everything.
    `on_section`, if given, is called after each section (a job's progress).
    """
    visible = None
    if reader is not _OPERATOR:
        visible = Review.objects.visible_to(reader).values("pk")
    header = {"format": FORMAT, "version": VERSION, "review": review_record(review, visible)}
    yield "{\n"
    for key in ("format", "version", "review"):
        yield f"{dumps(key)}: {dumps(header[key])},\n"
    yield '"sections": {'
    for index, section in enumerate(SECTIONS):
        lines = section_lines(section, review, visible, reader)
        yield ("," if index else "") + f"\n{dumps(section.name)}: ["
        for start in range(0, len(lines), _CHUNK_ROWS):
            yield ("," if start else "") + ",".join(
                f"\n{line}" for line in lines[start : start + _CHUNK_ROWS]
            )
        yield "\n]" if lines else "]"
        if on_section is not None:
            on_section()
    yield "\n}\n}\n"


def export_review_text(review, **reader):
    return "".join(export_review_chunks(review, **reader))
