"""Write a review as one JSON document, streamed section by section.

The text is deterministic: rows are sorted by their natural key (in Python, so
database collation cannot reorder them) and each row is one line of JSON with
sorted keys, so exporting, re-importing and exporting again gives the same bytes.
"""

import datetime
import json
from collections import defaultdict

from django.utils import timezone

from reports.transfer.sections import SECTIONS

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


def review_record(review):
    record = {name: encode(getattr(review, name)) for name in REVIEW_FIELDS}
    # Both directions: deleting a review drops the other side's link too.
    record["tests_theories_of"] = sorted(review.tests_theories_of.values_list("slug", flat=True))
    record["tested_by"] = sorted(review.tested_by.values_list("slug", flat=True))
    return record


def section_lines(section, review):
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
    many = {name: _many_values(section, name, ref, queryset) for name, ref in section.many.items()}
    keyed = []
    for values in queryset.values(*lookups).iterator(chunk_size=_CHUNK_ROWS):
        row = {name: encode(values[name]) for name in (*section.fields, *section.timestamps)}
        for name, paths in ref_paths.items():
            row[name] = ref_value([encode(values[path]) for path in paths])
        for name in section.many:
            row[name] = sorted(many[name].get(values["pk"], []), key=dumps)
        keyed.append((dumps([row[s] for s in section.sort]), dumps(row)))
    keyed.sort()  # by natural key, then by the whole row: the same order in any database
    return [line for _, line in keyed]


def _many_values(section, name, ref, queryset):
    through = getattr(section.model, name).through
    source_field = f"{section.model._meta.model_name}_id"
    target = getattr(section.model, name).field.related_model._meta.model_name
    by_row = defaultdict(list)
    paths = [f"{target}__{lookup}" for lookup in ref.key]
    for values in through.objects.filter(**{f"{source_field}__in": queryset.values("pk")}).values(
        source_field, *paths
    ):
        by_row[values[source_field]].append(ref_value([encode(values[p]) for p in paths]))
    return by_row


def export_review_chunks(review):
    """The document as text chunks: the header, then each section as it is read."""
    header = {"format": FORMAT, "version": VERSION, "review": review_record(review)}
    yield "{\n"
    for key in ("format", "version", "review"):
        yield f"{dumps(key)}: {dumps(header[key])},\n"
    yield '"sections": {'
    for index, section in enumerate(SECTIONS):
        lines = section_lines(section, review)
        yield ("," if index else "") + f"\n{dumps(section.name)}: ["
        for start in range(0, len(lines), _CHUNK_ROWS):
            yield ("," if start else "") + ",".join(
                f"\n{line}" for line in lines[start : start + _CHUNK_ROWS]
            )
        yield "\n]" if lines else "]"
    yield "\n}\n}\n"


def export_review_text(review):
    return "".join(export_review_chunks(review))
