"""The theory detail's JSON read as plain rows: no serializers, no model instances.

A theory of 50 CMOCs × 10 evidence links makes DRF call a nested serializer
about 1,500 times, and even without serializers the ORM spends most of the
request building ~1,850 model instances (links, excerpts, sources, CMOCs,
elements) that are read once and thrown away (BENCHMARKS.md, scenario 1).
So this reads three joined queries with `values_list()` (the theory; its CMOCs
with their elements and users; their evidence links with excerpt and source)
and builds the dicts straight from the tuples, each source's dict once.
`tests/perf/test_theory_read_path.py` holds it equal to
`ProgrammeTheoryDetailSerializer`'s output, so the two cannot drift apart.
"""

from django.utils import timezone

from cmocs.models import CMOC, EvidenceLink
from evidence.models.sources import excerpt_location, short_citation


def _datetime(value):
    """DRF's DateTimeField output: ISO 8601 in the current time zone, 'Z' for UTC."""
    if value is None:
        return None
    value = timezone.localtime(value)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


THEORY_COLUMNS = (
    "id", "review__slug", "name", "stage", "theme_id", "theme__name", "statement",
    "revises_id", "notes", "version", "created_by__username", "updated_by__username",
    "created_at", "updated_at",
)
CMOC_COLUMNS = (
    "id", "review__slug", "code", "stage", "status", "theory_id", "theory_provenance",
    "theory_reading", "statement",
    "context_id", "context__text", "mechanism_resource_id", "mechanism_resource__text",
    "mechanism_reasoning_id", "mechanism_reasoning__text", "outcome_id", "outcome__text",
    "notes", "version", "created_by__username", "updated_by__username",
    "created_at", "updated_at",
)
LINK_COLUMNS = (
    "cmoc_id", "id", "element", "stance", "provenance", "reading", "note",
    "excerpt_id", "excerpt__key", "excerpt__text", "excerpt__kind", "excerpt__page",
    "excerpt__section", "excerpt__location_note",
    "excerpt__source_id", "excerpt__source__citation_key", "excerpt__source__authors",
    "excerpt__source__year", "excerpt__source__title", "excerpt__source__doi",
)


def _element(pk, text):
    return {"id": pk, "text": text} if pk is not None else None


def _evidence_by_cmoc(theory_id, reader):
    """{cmoc id: [evidence dicts]} for every CMOC of the theory, in one query."""
    evidence, sources = {}, {}
    rows = (
        EvidenceLink.objects.filter(cmoc__theory_id=theory_id)
        .shown_with_cmocs(reader)
        .order_by("cmoc_id", "element", "id")
        .values_list(*LINK_COLUMNS)
    )
    for (cmoc_id, pk, element, stance, provenance, reading, note, excerpt_id, key, text, kind,
         page, section, location_note, source_id, citation_key, authors, year, title, doi) in rows:
        source = sources.get(source_id)
        if source is None:
            source = sources[source_id] = {
                "id": source_id,
                "citation_key": citation_key,
                "citation": short_citation(authors, year, title, citation_key),
                "authors": authors,
                "year": year,
                "title": title,
                "doi": doi,
            }
        evidence.setdefault(cmoc_id, []).append({
            "id": pk,
            "element": element,
            "stance": stance,
            "provenance": provenance,
            "reading": reading,
            "note": note,
            "excerpt": {
                "id": excerpt_id, "key": key, "text": text, "kind": kind,
                "location": excerpt_location(page, section, location_note),
                "page": page, "section": section, "source": source,
            },
        })
    return evidence


def _cmocs(theory_id, reader):
    evidence = _evidence_by_cmoc(theory_id, reader)
    rows = (
        CMOC.objects.filter(theory_id=theory_id)
        .in_reading_order()
        .values_list(*CMOC_COLUMNS)
    )
    return [
        {
            "id": pk,
            "review": review,
            "code": code,
            "stage": stage,
            "status": status,
            "theory": theory,
            "theory_provenance": theory_provenance,
            "theory_reading": theory_reading,
            "statement": statement,
            "context": _element(context_id, context),
            "mechanism_resource": _element(resource_id, resource),
            "mechanism_reasoning": _element(reasoning_id, reasoning),
            "outcome": _element(outcome_id, outcome),
            "notes": notes,
            "evidence": evidence.get(pk, []),
            "version": version,
            "created_by": created_by,
            "updated_by": updated_by,
            "created_at": _datetime(created_at),
            "updated_at": _datetime(updated_at),
        }
        for (pk, review, code, stage, status, theory, theory_provenance, theory_reading,
             statement, context_id, context,
             resource_id, resource, reasoning_id, reasoning, outcome_id, outcome, notes,
             version, created_by, updated_by, created_at, updated_at) in rows
    ]


def theory_detail_data(theories, pk, reader=None):
    """What ProgrammeTheoryDetailSerializer gives `reader` for theory `pk`, or None if
    `theories` (already scoped to what the user may see) does not hold it. Three queries."""
    row = theories.filter(pk=pk).order_by().values_list(*THEORY_COLUMNS).first()
    if row is None:
        return None
    (pk, review, name, stage, theme, theme_name, statement, revises, notes, version,
     created_by, updated_by, created_at, updated_at) = row
    return {
        "id": pk,
        "review": review,
        "name": name,
        "stage": stage,
        "theme": theme,
        "theme_name": theme_name,
        "statement": statement,
        "revises": revises,
        "notes": notes,
        "version": version,
        "cmocs": _cmocs(pk, reader),
        "created_by": created_by,
        "updated_by": updated_by,
        "created_at": _datetime(created_at),
        "updated_at": _datetime(updated_at),
    }
