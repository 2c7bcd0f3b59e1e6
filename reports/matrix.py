"""Review-level reports built from the data: the evidence matrix (CMOC × source)."""

from dataclasses import dataclass, field

from django.db.models import Exists, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from cmocs.models import CMOC, EvidenceLink, Provenance
from evidence.models import SourceDocument


@dataclass
class EvidenceMatrix:
    """Refined CMOCs × sources, like a review's "contributions of papers to CMOCs" table.

    `cells[(cmoc_id, source_id)]` is the list of links (id, stance, element,
    provenance) from that source's excerpts to that CMOC; an absent key is an
    empty cell.
    """

    cmocs: list
    sources: list
    cells: dict = field(default_factory=dict)

    def stances(self, cmoc_id, source_id):
        return sorted({link["stance"] for link in self.cells.get((cmoc_id, source_id), [])})

    def labelled_stances(self, cmoc_id, source_id):
        """[(stance, only_read_by_ichub)]: a stance no reported link gives is ichub's reading.

        A later study's links to a review's CMOCs are the project's readings, not
        evidence the review cites, and the matrix must not pass them off as such.
        """
        links = self.cells.get((cmoc_id, source_id), [])
        reported = {link["stance"] for link in links if link["provenance"] == Provenance.REPORTED}
        return [(stance, stance not in reported) for stance in self.stances(cmoc_id, source_id)]


def evidence_matrix(review, *, include_retired=False, hide_empty=False):
    """The matrix for one review, in three queries whatever its size.

    Columns are the review's current CMOCs (the active ones of its furthest
    stage: refined once there are refined CMOCs), or every CMOC with
    `include_retired` (initial ones and superseded, merged and dropped ones
    too, initial first); rows are the review's included sources plus any source
    (including one from a review whose evidence bears on this one's theories)
    with a link to these CMOCs, or only the linked ones with `hide_empty`.
    """
    columns = matrix_columns(review, include_retired=include_retired)
    cmocs = list(columns)
    # The same rows in the same order as the paged page (matrix_rows); the cells by
    # column only, since a whole review's rows are too many ids for one IN list.
    links = (
        EvidenceLink.objects.filter(cmoc__in=[c.pk for c in cmocs])
        .shown_with_cmocs()
        .values_list("id", "cmoc_id", "excerpt__source_id", "stance", "element", "provenance")
    )
    sources = list(matrix_rows(review, columns, hide_empty=hide_empty))
    return EvidenceMatrix(cmocs=cmocs, sources=sources, cells=_cells(links))


def _cells(links):
    cells = {}
    for link_id, cmoc_id, source_id, stance, element, provenance in links:
        cells.setdefault((cmoc_id, source_id), []).append(
            {"id": link_id, "stance": stance, "element": element, "provenance": provenance}
        )
    return cells


def matrix_columns(review, *, include_retired=False):
    """The matrix's CMOCs as a query in reading order: the paged page and every download
    read their columns here, so both show the same CMOCs."""
    cmocs = CMOC.objects.filter(review=review)
    if not include_retired:
        refined = cmocs.filter(stage=CMOC.Stage.REFINED)
        cmocs = cmocs.filter(status=CMOC.Status.ACTIVE).filter(
            Q(stage=CMOC.Stage.REFINED) | ~Exists(refined))
    return cmocs.only("id", "code", "statement", "status", "stage").in_reading_order()


# A source is cited by its authors, or by its title when it has none (short_citation).
_cited_by = Coalesce(NullIf(Lower("authors"), Value("")), Lower("title"))


def matrix_rows(review, columns, *, hide_empty=False):
    """The matrix's sources as a query: linked to a column's CMOC, or included here.

    Ordered in SQL, by author list (title, for a source without authors) then
    year (the citation as written is a Python function of the list), so a page
    of rows is read with LIMIT/OFFSET, and every download lists them alike.
    """
    linked = SourceDocument.objects.filter(pk__in=EvidenceLink.objects.filter(
        cmoc__in=columns.order_by().values("pk")).shown_with_cmocs().values("excerpt__source_id"))
    if not hide_empty:
        linked = linked | SourceDocument.objects.filter(review=review).included()
    return linked.select_related("review").only(
        "id", "citation_key", "authors", "year", "title", "review_id", "review__slug",
    ).order_by(_cited_by, "year", "citation_key", "id")


def matrix_part(review, columns, rows):
    """The matrix of these (few) columns and rows: the cells in one query."""
    links = (
        EvidenceLink.objects.filter(cmoc__in=[c.pk for c in columns],
                                    excerpt__source_id__in=[s.pk for s in rows])
        .shown_with_cmocs()
        .values_list("id", "cmoc_id", "excerpt__source_id", "stance", "element", "provenance")
    )
    return EvidenceMatrix(cmocs=list(columns), sources=list(rows), cells=_cells(links))
