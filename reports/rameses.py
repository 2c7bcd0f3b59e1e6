"""A review written out in the order of the RAMESES publication standards for realist syntheses.

`rameses_report(review)` gathers everything the data can say into one
structure (sections of paragraphs, tables, lists and author placeholders);
`to_markdown` and `to_docx` render it, and the browser page renders the same
structure with a template, so the three never disagree.
"""

import io
from dataclasses import dataclass, field

from django.db.models import Prefetch

from cmocs.models import CMOC, EvidenceLink, LineageEvent
from evidence.models import Appraisal, SearchRecord, SourceDocument
from evidence.screening.flow import screening_flow
from ichub.fields import natural_sort_key
from programme_theories.models import Framework, ProgrammeTheory


@dataclass
class Block:
    """One piece of a section. kind: paragraph | placeholder | table | list."""

    kind: str
    text: str = ""
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    items: list = field(default_factory=list)


@dataclass
class Section:
    heading: str
    blocks: list = field(default_factory=list)
    subsections: list = field(default_factory=list)
    rameses_item: str = ""

    def add(self, kind, **content):
        self.blocks.append(Block(kind, **content))
        return self


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list


def _placeholder(what):
    return {"text": f"[Author to write: {what}]"}


def rameses_report(review):
    """The report for one review, in a fixed number of queries."""
    flow = screening_flow(review)
    theories = _refined_theories(review)
    return Report(
        title=review.title,
        subtitle=review.citation or review.authors,
        sections=[
            _abstract(review),
            _introduction(review),
            _methods(review, flow),
            _results(review, flow, theories),
            _discussion(review),
        ],
    )


def _abstract(review):
    section = Section("Abstract", rameses_item="2")
    if review.summary:
        for paragraph in review.summary.split("\n\n"):
            section.add("paragraph", text=paragraph.strip())
    else:
        section.add("placeholder", **_placeholder("a structured abstract"))
    return section


def _introduction(review):
    section = Section("Introduction", rameses_item="3–4")
    section.add("placeholder", **_placeholder("the rationale for the review"))
    if review.question:
        section.subsections.append(
            Section("Objectives and focus of review").add("paragraph", text=review.question)
        )
    definitions = list(review.definitions.order_by("order", "element"))
    if definitions:
        section.subsections.append(
            Section("Operational definitions").add(
                "table",
                header=["Element", "Definition", "Source"],
                rows=[[d.get_element_display(), d.text, d.source_note] for d in definitions],
            )
        )
    return section


def _methods(review, flow):
    section = Section("Methods", rameses_item="5–13")
    changes = Section("Changes in the review process", rameses_item="5")
    events = (
        LineageEvent.objects.filter(review=review)
        .exclude(kind=LineageEvent.Kind.CREATED)
        .prefetch_related(
            Prefetch("inputs", queryset=CMOC.objects.only("id", "code", "stage")),
            Prefetch("outputs", queryset=CMOC.objects.only("id", "code", "stage")),
        )
        .order_by("decided_on", "key")
    )
    rows = [
        [
            event.phase,
            event.get_kind_display(),
            _codes(event.inputs.all()),
            _codes(event.outputs.all()),
            event.rationale,
            event.get_certainty_display(),
        ]
        for event in events
    ]
    if rows:
        changes.add("paragraph", text="How the CMOCs changed between phases, and why:")
        changes.add(
            "table",
            header=["Phase", "Change", "From", "To", "Rationale", "Certainty"],
            rows=rows,
        )
    else:
        changes.add("paragraph", text="No changes to CMOCs are recorded.")
    section.subsections.append(changes)
    section.subsections.append(
        Section("Rationale for using realist synthesis", rameses_item="6").add(
            "placeholder", **_placeholder("why a realist approach suits this question")
        )
    )
    scoping = Section("Scoping the literature", rameses_item="7")
    for framework in Framework.objects.filter(review=review).prefetch_related("themes"):
        themes = [t.name for t in framework.themes.all()]
        scoping.add("paragraph", text=f"{framework.name} ({framework.get_kind_display()}).")
        if themes:
            scoping.add("list", items=themes)
    if not scoping.blocks:
        scoping.add("placeholder", **_placeholder("how the literature was scoped"))
    section.subsections.append(scoping)
    searching = Section("Searching processes", rameses_item="8")
    searches = [
        f"{search.get_kind_display()}: {search.label}"
        + (f", {search.searched_on:%d %B %Y}" if search.searched_on else "")
        + (f" ({search.records_found:,} records)" if search.records_found is not None else "")
        for search in SearchRecord.objects.filter(review=review).order_by("order", "label")
    ]
    if searches:
        searching.add("list", items=searches)
    searching.add("placeholder", **_placeholder("the search terms and how searching evolved"))
    section.subsections.append(searching)
    selection = Section("Selection and appraisal of documents", rameses_item="9")
    selection.add(
        "paragraph",
        text="Documents were screened by title and abstract and by full text, then appraised "
        "for relevance (can it test the theory?), richness (conceptual thickness) and "
        "rigour (trustworthiness).",
    )
    selection.add("table", header=["Stage", "Documents"], rows=_flow_rows(flow))
    appraisals = Appraisal.objects.filter(source__review=review).values_list(
        "criterion", "judgement"
    )
    tally = {}
    for criterion, judgement in appraisals:
        tally.setdefault(criterion, {}).setdefault(judgement, 0)
        tally[criterion][judgement] += 1
    if tally:
        selection.add(
            "table",
            header=["Criterion", "Meets the bar", "Does not meet", "Unclear"],
            rows=[
                [
                    Appraisal.Criterion(criterion).label,
                    *(tally[criterion].get(j, 0) for j in Appraisal.Judgement.values),
                ]
                for criterion in Appraisal.Criterion.values
                if criterion in tally
            ],
        )
    section.subsections.append(selection)
    section.subsections.append(
        Section("Data extraction", rameses_item="10").add(
            "placeholder", **_placeholder("how data were extracted from the documents")
        )
    )
    section.subsections.append(
        Section("Analysis and synthesis processes", rameses_item="11").add(
            "placeholder", **_placeholder("how CMOCs were built and refined")
        )
    )
    return section


def _results(review, flow, theories):
    section = Section("Results", rameses_item="14–16")
    document_flow = Section("Document flow diagram", rameses_item="14")
    document_flow.add("table", header=["Stage", "Documents"], rows=_flow_rows(flow))
    exclusions = [
        f"{stage['label']}: {e['citation']} — {e['reason']}"
        for stage in flow
        for e in stage["exclusions"]
    ]
    if exclusions:
        document_flow.add("paragraph", text="Documents excluded, and why:")
        document_flow.add("list", items=exclusions)
    section.subsections.append(document_flow)
    characteristics = Section("Document characteristics", rameses_item="15")
    included = SourceDocument.objects.filter(review=review).included().order_by(
        "kind", "authors", "year"
    )
    characteristics.add(
        "table",
        header=["Document", "Type", "Year", "Published in", "Phase"],
        rows=[
            [s.short_citation, s.get_kind_display(), s.year or "", s.container,
             s.get_phase_display()]
            for s in included
        ],
    )
    section.subsections.append(characteristics)
    findings = Section("Main findings", rameses_item="16")
    if not theories:
        findings.add("placeholder", **_placeholder("the programme theories found"))
    for theory in theories:
        findings.subsections.append(_theory_section(theory))
    section.subsections.append(findings)
    return section


def _theory_section(theory):
    section = Section(theory.name)
    section.add("paragraph", text=theory.statement)
    for cmoc in theory.ordered_cmocs:
        cited = sorted(
            {
                f"{link.excerpt.source.short_citation} ({link.get_stance_display().lower()})"
                for link in cmoc.evidence_links.all()
            }
        )
        cmoc_section = Section(cmoc.code)
        cmoc_section.add("paragraph", text=cmoc.statement)
        cmoc_section.add(
            "table",
            header=["Element", "Text"],
            rows=[
                ["Context (C)", _text(cmoc.context)],
                ["Mechanism – resource (M-res)", _text(cmoc.mechanism_resource)],
                ["Mechanism – reasoning (M-rea)", _text(cmoc.mechanism_reasoning)],
                ["Outcome (O)", _text(cmoc.outcome)],
            ],
        )
        if cited:
            cmoc_section.add("paragraph", text="Evidence: " + "; ".join(cited) + ".")
        else:
            cmoc_section.add("paragraph", text="No evidence is linked to this CMOC.")
        section.subsections.append(cmoc_section)
    return section


def _discussion(review):
    section = Section("Discussion", rameses_item="17–21")
    section.subsections.append(
        Section("Summary of findings", rameses_item="17").add(
            "placeholder", **_placeholder("the main findings and what they mean")
        )
    )
    limitations = Section("Strengths, limitations and future research", rameses_item="18")
    if review.notes:
        limitations.add("paragraph", text=review.notes)
    limitations.add("placeholder", **_placeholder("the review's strengths and limitations"))
    section.subsections.append(limitations)
    for heading, item, what in (
        ("Comparison with existing literature", "19", "how the findings compare"),
        ("Conclusion and recommendations", "20", "conclusions and recommendations"),
        ("Funding", "21", "the review's funding"),
    ):
        section.subsections.append(
            Section(heading, rameses_item=item).add("placeholder", **_placeholder(what))
        )
    return section


def _refined_theories(review):
    links = EvidenceLink.objects.select_related("excerpt__source").only(
        "cmoc_id", "stance", "excerpt__source__authors", "excerpt__source__year",
        "excerpt__source__title", "excerpt__source__citation_key",
    )
    cmocs = CMOC.objects.with_elements().prefetch_related(
        Prefetch("evidence_links", queryset=links)
    )
    theories = list(
        ProgrammeTheory.objects.filter(review=review)
        .refined()
        .select_related("theme")
        .prefetch_related(Prefetch("cmocs", queryset=cmocs.filter(stage=CMOC.Stage.REFINED)))
    )
    for theory in theories:
        theory.ordered_cmocs = sorted(theory.cmocs.all(), key=lambda c: natural_sort_key(c.code))
    return theories


def _flow_rows(flow):
    return [
        [stage["label"], f"{stage['count']:,}" if stage["count"] is not None else "not reported"]
        for stage in flow
    ]


def _codes(cmocs):
    ordered = sorted(cmocs, key=lambda c: natural_sort_key(c.code))
    return ", ".join(f"{c.code} ({c.stage})" for c in ordered) or "—"


def _text(element):
    return element.text if element else "—"


def to_markdown(report):
    lines = [f"# {report.title}", ""]
    if report.subtitle:
        lines += [f"_{report.subtitle}_", ""]
    for section in report.sections:
        _markdown_section(section, 2, lines)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_section(section, level, lines):
    item = f" (RAMESES item {section.rameses_item})" if section.rameses_item else ""
    lines += [f"{'#' * min(level, 6)} {section.heading}{item}", ""]
    for block in section.blocks:
        if block.kind in ("paragraph", "placeholder"):
            lines += [f"_{block.text}_" if block.kind == "placeholder" else block.text, ""]
        elif block.kind == "list":
            lines += [*(f"- {item}" for item in block.items), ""]
        elif block.kind == "table":
            lines.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
    for subsection in section.subsections:
        _markdown_section(subsection, level + 1, lines)


def _cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_docx(report):
    from docx import Document  # imported here: python-docx is only needed for this download

    document = Document()
    document.add_heading(report.title, level=0)
    if report.subtitle:
        document.add_paragraph().add_run(report.subtitle).italic = True
    for section in report.sections:
        _docx_section(document, section, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_section(document, section, level):
    item = f" (RAMESES item {section.rameses_item})" if section.rameses_item else ""
    document.add_heading(section.heading + item, level=min(level, 9))
    for block in section.blocks:
        if block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "placeholder":
            document.add_paragraph().add_run(block.text).italic = True
        elif block.kind == "list":
            for entry in block.items:
                document.add_paragraph(entry, style="List Bullet")
        elif block.kind == "table":
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, heading in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = str(heading)
            for row in block.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = str(value)
    for subsection in section.subsections:
        _docx_section(document, subsection, level + 1)
