"""The lineage graph around a CMOC: every ancestor and descendant, in one query.

Lineage is a DAG of CMOCs joined by events (an event's inputs are the parents
of its outputs). Walking it level by level in Python costs a query per level;
a recursive CTE walks it in the database. UNION (not UNION ALL) keeps each
node once however many paths reach it, so merges and splits cannot explode
the row count, and it also stops on any accidental cycle.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Prefetch, Q

from cmocs.models import CMOC, LineageEvent
from evidence.models import Excerpt
from ichub.fields import natural_sort_key

_INPUTS = LineageEvent.inputs.through._meta.db_table
_OUTPUTS = LineageEvent.outputs.through._meta.db_table

_CONNECTED_SQL = f"""
WITH RECURSIVE
ancestors(id) AS (
    SELECT CAST(%s AS BIGINT)
    UNION
    SELECT i.cmoc_id
    FROM {_OUTPUTS} o
    JOIN {_INPUTS} i ON i.lineageevent_id = o.lineageevent_id
    JOIN ancestors a ON o.cmoc_id = a.id
),
descendants(id) AS (
    SELECT CAST(%s AS BIGINT)
    UNION
    SELECT o.cmoc_id
    FROM {_INPUTS} i
    JOIN {_OUTPUTS} o ON o.lineageevent_id = i.lineageevent_id
    JOIN descendants d ON i.cmoc_id = d.id
)
SELECT id FROM ancestors UNION SELECT id FROM descendants
"""


@dataclass
class LineageGraph:
    root: CMOC | None  # None for a whole review's graph
    nodes: list  # CMOCs, ancestors first (by stage, then code)
    events: list  # LineageEvents touching any node, with inputs/outputs/evidence prefetched
    title: str = ""

    def ancestor_ids(self):
        return self._walk(self.root.pk, upward=True)

    def descendant_ids(self):
        return self._walk(self.root.pk, upward=False)

    def _walk(self, start, *, upward):
        seen, frontier = set(), {start}
        while frontier:
            nxt = set()
            for event in self.events:
                ins = {c.pk for c in event.inputs.all()}
                outs = {c.pk for c in event.outputs.all()}
                near, far = (outs, ins) if upward else (ins, outs)
                if near & frontier:
                    nxt |= far - seen
            seen |= nxt
            frontier = nxt
        return seen


def connected_ids(cmoc_id):
    """Ids of the CMOC, its ancestors and its descendants (one recursive query)."""
    with connection.cursor() as cursor:
        cursor.execute(_CONNECTED_SQL, [cmoc_id, cmoc_id])
        return {row[0] for row in cursor.fetchall()}


def _events(queryset):
    id_only = CMOC.objects.only("id")
    return list(
        queryset.select_related("decided_by")
        .prefetch_related(
            Prefetch("inputs", queryset=id_only),
            Prefetch("outputs", queryset=id_only),
            Prefetch("evidence", queryset=Excerpt.objects.select_related("source")),
        )
        .order_by("decided_on", "id")
    )


def _reading_order(cmocs):
    return sorted(
        cmocs, key=lambda c: (c.stage != CMOC.Stage.INITIAL, natural_sort_key(c.code), c.pk)
    )


def _layer(include_inferred):
    """All events, or only what the review reports (without ichub's inferred layer)."""
    return LineageEvent.objects.all() if include_inferred else LineageEvent.objects.reported()


def review_lineage_graph(review, *, include_inferred=True):
    """Every CMOC of the review and every lineage event, in a fixed number of queries."""
    return LineageGraph(
        root=None,
        nodes=_reading_order(CMOC.objects.filter(review=review).with_elements()),
        events=_events(_layer(include_inferred).filter(review=review)),
        title=f"Lineage of every CMOC in {review.title}",
    )


def lineage_graph(cmoc, *, include_inferred=True):
    """The CMOC's whole lineage: nodes and events, in a fixed number of queries.

    `include_inferred=False` leaves out ichub's inferred layer (events whose
    certainty is `inferred`), so a reader sees only what the review reports;
    CMOCs reached only through that layer then drop out too.
    """
    ids = connected_ids(cmoc.pk)
    events = _events(_layer(include_inferred).filter(Q(inputs__in=ids) | Q(outputs__in=ids))
                     .distinct())
    if not include_inferred:
        ids = {cmoc.pk}
    # Events bring in co-inputs of a merge and co-outputs of a split: show them too.
    for event in events:
        ids |= {c.pk for c in event.inputs.all()} | {c.pk for c in event.outputs.all()}
    nodes = _reading_order(CMOC.objects.filter(pk__in=ids).with_elements())
    return LineageGraph(root=cmoc, nodes=nodes, events=events)


def in_time_order(events):
    """Events in the order they happened: by decision date, then as recorded.

    Events decided on the same day (or undated) keep the order they were
    recorded in, and an event never comes before the one that created a CMOC
    it acts on: a drop follows the split that made the dropped CMOC, whatever
    their keys or dates say.
    """
    ordered = sorted(
        events,
        key=lambda e: (e.decided_on is None, e.decided_on or date.min, e.created_at, e.pk),
    )
    made_by = {cmoc.pk: event.pk for event in ordered for cmoc in event.outputs.all()}
    placed, result = set(), []

    def place(event, by_pk, seen=()):
        if event.pk in placed or event.pk in seen:
            return
        for cmoc in event.inputs.all():
            maker = by_pk.get(made_by.get(cmoc.pk))
            if maker is not None and maker.pk != event.pk:
                place(maker, by_pk, (*seen, event.pk))
        placed.add(event.pk)
        result.append(event)

    by_pk = {event.pk: event for event in ordered}
    for event in ordered:
        place(event, by_pk)
    return result
