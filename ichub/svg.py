"""Diagrams drawn on the server as SVG: the screening flow and a CMOC's lineage.

Drawn here rather than in the browser so the pages need no JavaScript, the
same markup downloads as a standalone `.svg`, and every piece of text passes
through `escape()` once: a `<script>` typed into a statement stays text.
"""

import textwrap

from django.utils.html import escape

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
CHAR_WIDTH = 7.2  # average width of a 13px glyph, for wrapping text into boxes
LINE_HEIGHT = 16


def _wrap(text, width_px, max_lines=None):
    lines = textwrap.wrap(str(text or ""), max(8, int(width_px / CHAR_WIDTH))) or [""]
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 1)] + "…"
    return lines


def _text_lines(x, y, lines, *, size=13, weight="normal", anchor="start", fill="#1b1f24"):
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{spans}</text>'
    )


def _document(width, height, title, body, *, standalone, name="svg", interactive=False):
    """The <svg> element around `body`.

    A picture of links is a group, not an image: an image's children are
    presentational, so links inside role="img" are nested-interactive
    (axe). `name` prefixes the ids, so two diagrams on one page never share one.
    """
    ns = f' xmlns="{SVG_NS}"' if standalone else ""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    role = "group" if interactive else "img"
    return (
        f'{head}<svg{ns} viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="{role}" aria-labelledby="{name}-title" font-family="{FONT}">'
        f'<title id="{name}-title">{escape(title)}</title>'
        f'<defs><marker id="{name}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#4a525c"/></marker></defs>'
        f"{body.replace('url(#arrow)', f'url(#{name}-arrow)')}</svg>"
    )


def _count_text(count):
    return f"n = {count:,}" if count is not None else "n not reported"


def flow_svg(stages, *, title="Screening flow", standalone=False):
    """A PRISMA-style flow: one box per stage, what left beside the arrow into it.

    `stages` is `evidence.screening.flow.screening_flow(review)`. Between two reported
    counts the diagram states how many records left; named exclusions (the
    sources excluded at that stage) are listed in the side box. The gap
    between two stages grows to fit its side box, so boxes never overlap.
    """
    box_w, side_w, gap_x, min_gap, pad = 330, 320, 50, 34, 16
    centre_x, side_x = pad + box_w / 2, pad + box_w + gap_x
    parts, y = [], pad
    previous_count, previous_stage = None, None
    for index, stage in enumerate(stages):
        # What left between two boxes: fewer records, and the sources the stage above excluded.
        side = _flow_side_lines(previous_stage, previous_count, stage["count"])
        side_h = 16 + LINE_HEIGHT * len(side) if side else 0
        if index:
            gap = max(min_gap, side_h + 20)
            parts.append(
                f'<line x1="{centre_x}" y1="{y}" x2="{centre_x}" y2="{y + gap - 2}" '
                f'stroke="#4a525c" stroke-width="2" marker-end="url(#arrow)"/>'
            )
            if side:
                parts.append(_flow_side_box(side, centre_x, side_x, y + (gap - side_h) / 2,
                                            side_w, side_h))
            y += gap
        label_lines = _wrap(stage["label"], box_w - 24)
        box_h = 20 + LINE_HEIGHT * (len(label_lines) + 1)
        parts.append(
            f'<g class="flow-stage" data-stage="{escape(stage["stage"])}">'
            f'<rect x="{pad}" y="{y}" width="{box_w}" height="{box_h}" rx="4" fill="#ffffff" '
            f'stroke="#0b5394" stroke-width="2"/>'
            + _text_lines(pad + 12, y + 22, label_lines, weight="600")
            + _text_lines(
                pad + 12, y + 22 + LINE_HEIGHT * len(label_lines), [_count_text(stage["count"])],
                size=14, weight="700", fill="#0b5394",
            )
            + "</g>"
        )
        if stage["count"] is not None:
            previous_count = stage["count"]
        previous_stage = stage
        y += box_h
    width = side_x + side_w + pad
    return _document(width, y + pad, title, "".join(parts), standalone=standalone, name="flow")


def _flow_side_lines(previous_stage, previous_count, count):
    lines = []
    if previous_count is not None and count is not None and previous_count > count:
        lines.append(f"Excluded: {previous_count - count:,}")
    for exclusion in previous_stage["exclusions"] if previous_stage else []:
        reason = f": {exclusion['reason']}" if exclusion["reason"] else ""
        lines.extend(_wrap(f"• {exclusion['citation']}{reason}", 320 - 24, max_lines=2))
    unnamed = previous_stage["exclusions_total"] - len(previous_stage["exclusions"]) if (
        previous_stage) else 0
    if unnamed > 0:
        lines.append(f"… and {unnamed:,} more")
    return lines


def _flow_side_box(lines, from_x, x, y, w, h):
    return (
        f'<line x1="{from_x}" y1="{y + h / 2}" x2="{x - 2}" y2="{y + h / 2}" stroke="#4a525c" '
        f'stroke-width="1.5" stroke-dasharray="4 3" marker-end="url(#arrow)"/>'
        f'<g class="flow-exclusions"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" '
        f'fill="#f4f6f8" stroke="#a61b1b" stroke-width="1.5" stroke-dasharray="6 3"/>'
        + _text_lines(x + 12, y + 20, lines, size=12)
        + "</g>"
    )


def _lineage_depths(graph):
    """Column of each CMOC: 0 for roots, else one past its deepest input."""
    depth = {node.pk: 0 for node in graph.nodes}
    for _ in range(len(graph.events) + 1):
        changed = False
        for event in graph.events:
            ins = [c.pk for c in event.inputs.all()]
            if not ins:
                continue
            wanted = max(depth.get(pk, 0) for pk in ins) + 1
            for out in event.outputs.all():
                if depth.get(out.pk, 0) < wanted:
                    depth[out.pk] = wanted
                    changed = True
        if not changed:
            break
    return depth


def _lineage_columns(graph, events, depth):
    """Items per column, each column ordered to follow its inputs (fewer crossing edges).

    Columns alternate: CMOCs of one generation, then the events leading out
    of it. An event sits at the mean row of its inputs, a CMOC at the row of
    the event that made it; the first column keeps the graph's order.
    """
    columns = {}
    for node in graph.nodes:
        columns.setdefault(depth[node.pk] * 2, []).append(("node", node))
    for event in events:
        ins = [c.pk for c in event.inputs.all()]
        columns.setdefault(max(depth.get(pk, 0) for pk in ins) * 2 + 1, []).append(
            ("event", event)
        )
    made_by = {out.pk: event.pk for event in events for out in event.outputs.all()}
    rank = {}
    for col in sorted(columns):
        first = {(kind, item.pk): i for i, (kind, item) in enumerate(columns[col])}

        def weight(entry, first=first):
            kind, item = entry
            if kind == "event":
                ranks = [rank.get(("node", c.pk), 0) for c in item.inputs.all()]
                return (sum(ranks) / len(ranks), first[(kind, item.pk)])
            if item.pk in made_by:
                return (rank.get(("event", made_by[item.pk]), 0), first[(kind, item.pk)])
            return (first[(kind, item.pk)], 0)

        columns[col].sort(key=weight)
        for index, (kind, item) in enumerate(columns[col]):
            rank[(kind, item.pk)] = index
    return columns


def lineage_svg(graph, *, url_for, event_url_for=None, standalone=False):
    """The lineage DAG, left to right: CMOCs in columns by generation, events between them.

    Drawn at its natural size (text 12 px or larger) for the page to scroll,
    never scaled down to fit. Each CMOC node links to its page
    (`url_for(cmoc)`) with a spoken name; the graph's root, when there is one,
    is filled and outlined heavily. Each event box shows its kind, its
    rationale (wrapped; the full text in the tooltip) and who decided.
    'Created' events are left out: every CMOC has one and they carry no rationale.
    """
    node_w, node_h, event_w, col_gap, row_gap, pad = 200, 66, 240, 48, 22, 16
    depth = _lineage_depths(graph)
    events = [e for e in graph.events if e.kind != "created"]
    columns = _lineage_columns(graph, events, depth)
    root_pk = graph.root.pk if graph.root is not None else None

    def box_height(kind, item):
        if kind == "node":
            return node_h
        return 20 + LINE_HEIGHT * (2 + len(_event_lines(item, event_w)))

    x_of, positions = {}, {}
    x = pad
    for col in sorted(columns):
        x_of[col] = x
        x += (node_w if col % 2 == 0 else event_w) + col_gap
    height = pad
    for col, items in columns.items():
        y = pad
        for kind, item in items:
            h = box_height(kind, item)
            positions[(kind, item.pk)] = (x_of[col], y, h)
            y += h + row_gap
        height = max(height, y)
    width = max(x - col_gap + pad, node_w + 2 * pad)

    edges, boxes = [], []
    for event in events:
        ex, ey, eh = positions[("event", event.pk)]
        for cmoc in event.inputs.all():
            if ("node", cmoc.pk) in positions:
                nx, ny, nh = positions[("node", cmoc.pk)]
                edges.append(_edge(nx + node_w, ny + nh / 2, ex, ey + eh / 2,
                                   dashed=event.is_inferred))
        for cmoc in event.outputs.all():
            if ("node", cmoc.pk) in positions:
                nx, ny, nh = positions[("node", cmoc.pk)]
                edges.append(_edge(ex + event_w, ey + eh / 2, nx, ny + nh / 2,
                                   dashed=event.is_inferred))
        boxes.append(_event_box(event, ex, ey, eh, event_w, event_url_for))
    for node in graph.nodes:
        nx, ny, nh = positions[("node", node.pk)]
        boxes.append(_node_box(node, nx, ny, node_w, nh, url_for(node), node.pk == root_pk))
    if graph.root is not None:
        title = f"Lineage of {graph.root.code} ({graph.root.get_stage_display().lower()})"
    else:
        title = graph.title
    return _document(width, height, title, "".join(edges + boxes), standalone=standalone,
                     name="lineage", interactive=True)


def _edge(x1, y1, x2, y2, *, dashed=False):
    """An arrow; dashed when it belongs to ichub's inferred layer, not the review's account."""
    mid = (x1 + x2) / 2
    dash = ' stroke-dasharray="6 4" class="inferred"' if dashed else ""
    return (
        f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2 - 2},{y2}" fill="none" '
        f'stroke="#4a525c" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>'
    )


def _event_lines(event, width):
    return _wrap(event.rationale, width - 20, max_lines=4)


def _node_box(node, x, y, w, h, href, is_root):
    stroke_width = 4 if is_root else 2
    fill = "#e8f1fb" if is_root else "#ffffff"
    dash = ' stroke-dasharray="6 4"' if node.status != "active" else ""
    label = f"{node.code} · {node.get_stage_display()}"
    status = node.status.capitalize()  # the short word: the long label is in the HTML list
    spoken = f"{label}, {status.lower()}{', this CMOC' if is_root else ''}"
    current = ' aria-current="page"' if is_root else ""
    return (
        f'<a href="{escape(href)}" class="lineage-node{" lineage-root" if is_root else ""}" '
        f'data-cmoc="{node.pk}" aria-label="{escape(spoken)}"{current}>'
        f"<title>{escape(label)}: {escape(node.statement)}</title>"
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" '
        f'stroke="#0b5394" stroke-width="{stroke_width}"{dash}/>'
        + _text_lines(x + 10, y + 22, [label], weight="700", fill="#0b5394")
        + _text_lines(x + 10, y + 22 + LINE_HEIGHT, _wrap(status, w - 20, 1), size=12)
        + (_text_lines(x + 10, y + 22 + 2 * LINE_HEIGHT, ["(this CMOC)"], size=12,
                       weight="700")
           if is_root else "")
        + "</a>"
    )


def _event_heading(event):
    """The kind, and what is uncertain: ichub inferred the step, or the review reports it
    only for a set (which input became which output is not reported)."""
    heading = event.get_kind_display().upper()
    if event.is_inferred:
        return f"{heading} · INFERRED"
    if event.is_set_level:
        return f"{heading} · SET, PAIRING NOT REPORTED"
    return heading


def _event_outline(event):
    return ' stroke-dasharray="6 4"' if event.is_inferred else ""


def _event_box(event, x, y, h, w, event_url_for):
    decided = " · ".join(
        part for part in (event.decider, event.decided_on and event.decided_on.isoformat()) if part
    )
    body = (
        f"<title>{escape(event.get_kind_display())}: {escape(event.rationale)}</title>"
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="14" fill="#f4f6f8" '
        f'stroke="#8a4b00" stroke-width="2"{_event_outline(event)}/>'
        + (  # a set box: a second outline inside the first
            f'<rect x="{x + 4}" y="{y + 4}" width="{w - 8}" height="{h - 8}" rx="11" '
            f'fill="none" stroke="#8a4b00" stroke-width="1" class="set-box"/>'
            if event.is_set_level else ""
        )
        + _text_lines(x + 10, y + 20, [_event_heading(event)], weight="700", fill="#8a4b00")
        + _text_lines(x + 10, y + 20 + LINE_HEIGHT, _event_lines(event, w), size=12)
        + _text_lines(
            x + 10, y + 20 + LINE_HEIGHT * (1 + len(_event_lines(event, w))),
            _wrap(decided, w - 20, 1), size=12, fill="#4a525c",
        )
    )
    if event_url_for:
        return f'<a href="{escape(event_url_for(event))}" class="lineage-event">{body}</a>'
    return f'<g class="lineage-event">{body}</g>'
