"""The two lists of the RAMESES report that grow with the included evidence.

The document characteristics (every included source) and the main findings
(every current CMOC): the downloads hold all of them, the report page the
first rows, and a page of their own pages through the rest, all reading these
querysets so the three agree on rows and order.
"""

from django.db.models import Count, F, Prefetch, Q

from cmocs.models import CMOC, EvidenceLink
from evidence.models import SourceDocument
from programme_theories.models import ProgrammeTheory


def included_documents(review):
    """The included sources in the order the characteristics table lists them."""
    return SourceDocument.objects.filter(review=review).included().order_by(
        "kind", "authors", "year", "id"
    )


def characteristics_table(sources):
    """The "Document characteristics" table block's content for these sources."""
    return {
        "header": ["Document", "Type", "Year", "Published in", "Phase"],
        "rows": [
            [s.short_citation, s.get_kind_display(), s.year or "", s.container,
             s.get_phase_display()]
            for s in sources
        ],
    }


def furthest_theories(review):
    """The review's theories at its furthest stage, in reading order, with `n_current`."""
    theories = list(
        ProgrammeTheory.objects.filter(review=review)
        .select_related("theme")
        .annotate(n_current=Count("cmocs", filter=Q(cmocs__status=CMOC.Status.ACTIVE)))
        .order_by("stage", F("theme__order").asc(nulls_last=True), "name", "id")
    )
    stages = [stage for stage, _ in ProgrammeTheory.Stage.choices]
    furthest = max((stages.index(t.stage) for t in theories), default=0)
    return [t for t in theories if stages.index(t.stage) == furthest]


def current_findings(theories):
    """The current CMOCs of `theories`, theory by theory in their order, codes in natural
    order, with their elements and evidence: a queryset, so a page slices it in SQL."""
    links = EvidenceLink.objects.shown_with_cmocs().select_related("excerpt__source").only(
        "cmoc_id", "stance", "provenance", "excerpt__source__authors", "excerpt__source__year",
        "excerpt__source__title", "excerpt__source__citation_key",
    )
    return (
        CMOC.objects.filter(theory__in=[t.pk for t in theories], status=CMOC.Status.ACTIVE)
        .with_elements()
        .prefetch_related(Prefetch("evidence_links", queryset=links))
        .order_by(F("theory__theme__order").asc(nulls_last=True), "theory__name", "theory_id",
                  "code_key", "stage", "id")
    )
