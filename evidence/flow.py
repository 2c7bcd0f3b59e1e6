"""A review's screening flow, stage by stage, as the PRISMA-style diagram shows it.

Counts come from ScreeningCount rows (recorded numbers: most records are
screened outside ichub), and the named exclusions from the sources excluded
at each stage. Each stage says where its count came from.
"""

from evidence.models import ScreeningCount, SourceDocument


def screening_flow(review):
    """The flow in stage order: identified → … → included, in two queries."""
    recorded = {row.stage: row for row in ScreeningCount.objects.filter(review=review)}
    excluded = SourceDocument.objects.filter(
        review=review, inclusion_status=SourceDocument.Inclusion.EXCLUDED
    ).exclude(excluded_at_stage="").only(
        "id", "citation_key", "authors", "year", "title", "excluded_at_stage", "exclusion_reason"
    )
    exclusions_by_stage = {}
    for source in excluded:
        exclusions_by_stage.setdefault(source.excluded_at_stage, []).append(
            {
                "source_id": source.pk,
                "citation_key": source.citation_key,
                "citation": source.short_citation,
                "reason": source.exclusion_reason,
            }
        )
    stages = []
    for stage, label in ScreeningCount.Stage.choices:
        row = recorded.get(stage)
        stages.append(
            {
                "stage": stage,
                "label": label,
                "count": row.count if row else None,
                "count_origin": "recorded" if row and row.count is not None else "not reported",
                "note": row.note if row else "",
                "exclusions": sorted(
                    exclusions_by_stage.get(stage, []), key=lambda e: e["citation"]
                ),
            }
        )
    return stages
