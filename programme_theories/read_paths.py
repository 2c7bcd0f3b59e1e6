"""The theory detail's JSON built without DRF serializers: the same dict, several times faster.

A theory of 50 CMOCs × 10 evidence links makes DRF call a nested serializer
about 1,500 times, and a profile shows those calls take half the request
(BENCHMARKS.md, scenario 1). Reads need none of the serializer machinery
(validation, field binding), so this builds the identical dict from the
instances the view already fetched, in the same queries.
`tests/perf/test_theory_read_path.py` holds it equal to
`ProgrammeTheoryDetailSerializer`'s output, so the two cannot drift apart.
"""

from django.utils import timezone


def _datetime(value):
    """DRF's DateTimeField output: ISO 8601 in the current time zone, 'Z' for UTC."""
    if value is None:
        return None
    value = timezone.localtime(value)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _username(user):
    return user.username if user is not None else None


def _element(element):
    return {"id": element.pk, "text": element.text} if element is not None else None


def _evidence(link):
    excerpt, source = link.excerpt, link.excerpt.source
    return {
        "id": link.pk,
        "element": link.element,
        "stance": link.stance,
        "note": link.note,
        "excerpt": {
            "id": excerpt.pk,
            "key": excerpt.key,
            "text": excerpt.text,
            "kind": excerpt.kind,
            "location": excerpt.location,
            "page": excerpt.page,
            "section": excerpt.section,
            "source": {
                "id": source.pk,
                "citation_key": source.citation_key,
                "citation": source.short_citation,
                "authors": source.authors,
                "year": source.year,
                "title": source.title,
                "doi": source.doi,
            },
        },
    }


def _cmoc(cmoc):
    return {
        "id": cmoc.pk,
        "review": cmoc.review.slug,
        "code": cmoc.code,
        "stage": cmoc.stage,
        "status": cmoc.status,
        "theory": cmoc.theory_id,
        "statement": cmoc.statement,
        "context": _element(cmoc.context),
        "mechanism_resource": _element(cmoc.mechanism_resource),
        "mechanism_reasoning": _element(cmoc.mechanism_reasoning),
        "outcome": _element(cmoc.outcome),
        "notes": cmoc.notes,
        "evidence": [_evidence(link) for link in cmoc.evidence_links.all()],
        "version": cmoc.version,
        "created_by": _username(cmoc.created_by),
        "updated_by": _username(cmoc.updated_by),
        "created_at": _datetime(cmoc.created_at),
        "updated_at": _datetime(cmoc.updated_at),
    }


def theory_detail_data(theory):
    """What ProgrammeTheoryDetailSerializer(theory).data holds, for a prefetched theory."""
    return {
        "id": theory.pk,
        "review": theory.review.slug,
        "name": theory.name,
        "stage": theory.stage,
        "theme": theory.theme_id,
        "theme_name": theory.theme.name if theory.theme_id else None,
        "statement": theory.statement,
        "revises": theory.revises_id,
        "notes": theory.notes,
        "version": theory.version,
        "cmocs": [_cmoc(cmoc) for cmoc in theory.cmocs.all()],
        "created_by": _username(theory.created_by),
        "updated_by": _username(theory.updated_by),
        "created_at": _datetime(theory.created_at),
        "updated_at": _datetime(theory.updated_at),
    }
