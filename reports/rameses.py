"""A review written out item by item in the order of its RAMESES checklist.

`rameses_report(review)` gathers everything the data can say into one
structure (sections of paragraphs, the authors' quoted text, tables, lists and
author placeholders); `to_markdown` and `to_docx` (reports.rameses_output) render
it, and the browser page renders the same structure with a template, so the
three never disagree.
A realist evaluation follows RAMESES II (20 items), anything else the
publication standards for realist syntheses (19 items): one section per item,
grouped under the standard's parts, so the checklist's "where" is a heading.
Where the review stores the authors' own words for an item (MethodStatement)
the section quotes them; ichub's own notes on gaps come last, under a heading
that says whose they are.
"""

from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from django.db.models import Count, Prefetch
from django.urls import reverse

from cmocs.lineage import in_time_order
from cmocs.models import CMOC, LineageEvent
from evidence.models import Appraisal, ScreeningCount
from evidence.screening.flow import screening_flow
from ichub.fields import natural_sort_key
from ichub.models import MethodStatement
from programme_theories.models import Framework, ProgrammeTheory
from reports.checklists import checklist_for, does_not_apply, not_applicable_items
from reports.rameses_lists import (
    characteristics_table,
    current_findings,
    furthest_theories,
    included_documents,
)


@dataclass
class Block:
    """One piece of a section. kind: paragraph | quote | placeholder | table | list | more.

    A quote is the authors' own words, with `cite` saying where they are. "more"
    says how many rows the page left out and links (`url`) to all of them."""

    kind: str
    text: str = ""
    cite: str = ""
    url: str = ""
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
    standard: str = ""
    notice: str = ""  # why no RAMESES standard applies, for a review that is not realist

    @property
    def layout_note(self):
        """How the report is organised, said so that a non-realist review is not judged by it."""
        if self.notice:
            return (f"{self.notice} ichub sets the data out under the headings of the "
                    f"{self.standard} only so that every report has one shape; an empty "
                    "heading is no shortcoming of the review.")
        return f"Organised by the {self.standard}, one section per checklist item."


def _placeholder(what):
    return {"text": f"[Author to write: {what}]"}


def rameses_report(review, *, rows_shown=None):
    """The report for one review, in a fixed number of queries.

    The document characteristics and the main findings grow with the included
    evidence: the page shows the first `rows_shown` of each and links to the rest;
    the downloads (rows_shown None) hold every row.
    """
    checklist = checklist_for(review)
    context = _Context(review, rows_shown)
    skipped = not_applicable_items(review, checklist)
    notice = does_not_apply(review)
    sections, part = [], None
    for item in checklist.items:
        section = Section(item.name, rameses_item=str(item.number))
        if item.number in skipped:
            section.add("paragraph", text="Not applicable to this review. The review team's "
                        f"reason: {skipped[item.number].reason}")
        else:
            _BUILDERS.get(item.name, _authors_text_only)(context, item, section)
        if notice:
            _no_placeholders(section)
        if item.part == item.name:
            sections.append(section)
            part = None
            continue
        if part is None or part.heading != item.part:
            part = Section(item.part)
            sections.append(part)
        part.subsections.append(section)
    if review.notes:
        notes = Section("ichub's notes: what the sources leave out (not the authors' text)")
        for paragraph in review.notes.split("\n\n"):
            notes.add("paragraph", text=paragraph.strip())
        sections.append(notes)
    return Report(
        title=review.title,
        subtitle=review.citation or review.authors,
        sections=sections,
        standard=checklist.title,
        notice=notice,
    )


def _no_placeholders(section):
    """A review that is not realist owes no realist item: nothing asks its authors to write one."""
    for block in section.blocks:
        if block.kind == "placeholder":
            block.kind, block.text = "paragraph", "Nothing held under this heading."


class _Context:
    """What the builders share: the review, its authors' text by aspect, and the flow."""

    def __init__(self, review, rows_shown=None):
        self.review = review
        self.rows_shown = rows_shown
        self.statements = {}
        for statement in MethodStatement.objects.filter(review=review).order_by("order"):
            self.statements.setdefault(statement.aspect, []).append(statement)
        self._flow = None

    @property
    def flow(self):
        if self._flow is None:
            self._flow = screening_flow(self.review)
        return self._flow

    def quote(self, section, aspect, *, placeholder=None):
        """The authors' text for the aspect, or a placeholder asking for it."""
        statements = self.statements.get(aspect, [])
        for statement in statements:
            if statement.quoted:
                section.add("quote", text=statement.text, cite=statement.location)
            else:
                section.add("paragraph", text=statement.text)
        if not statements and placeholder:
            section.add("placeholder", **_placeholder(placeholder))
        return bool(statements)


def _authors_text_only(context, item, section):
    context.quote(section, item.aspect, placeholder=item.asks.rstrip(".").lower())


def _title(context, item, section):
    section.add("paragraph", text=context.review.title)


def _abstract(context, item, section):
    """The authors' own abstract where it is held; else the review's summary as ichub has it."""
    if context.quote(section, MethodStatement.Aspect.ABSTRACT):
        return
    if context.review.summary:
        for paragraph in context.review.summary.split("\n\n"):
            section.add("paragraph", text=paragraph.strip())
    else:
        section.add("placeholder", **_placeholder("a structured abstract"))


def _objectives(context, item, section):
    review = context.review
    if review.question:
        section.add("paragraph", text=review.question)
    else:
        section.add("placeholder", **_placeholder("the review question and objectives"))
    definitions = list(review.definitions.order_by("order", "element"))
    if definitions:
        section.add("paragraph", text="Operational definitions:")
        section.add(
            "table",
            header=["Element", "Definition", "Source"],
            rows=[[d.get_element_display(), d.text, d.source_note] for d in definitions],
        )


def _initial_theories(context, item, section):
    theories = ProgrammeTheory.objects.filter(review=context.review).exclude(
        stage=ProgrammeTheory.Stage.REFINED
    )
    rows = [[t.get_stage_display(), t.name, t.statement] for t in theories]
    if rows:
        section.add("table", header=["Stage", "Theory", "Statement"], rows=rows)
    else:
        section.add("placeholder", **_placeholder("the initial programme theory"))


def _changes(context, item, section):
    context.quote(section, MethodStatement.Aspect.CHANGES)
    events = in_time_order(
        LineageEvent.objects.filter(review=context.review)
        .exclude(kind=LineageEvent.Kind.CREATED)
        .prefetch_related(
            Prefetch("inputs", queryset=CMOC.objects.only("id", "code", "stage")),
            Prefetch("outputs", queryset=CMOC.objects.only("id", "code", "stage")),
        )
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
        section.add(
            "paragraph",
            text="How the CMOCs changed between phases, as ichub records it. Certainty says "
            "whether the review states a change one by one, reports it only for a set (which "
            "input became which output is not reported), or whether ichub inferred it.",
        )
        section.add(
            "table",
            header=["Phase", "Change", "From", "To", "Rationale", "Certainty"],
            rows=rows,
        )
    elif not context.statements.get(MethodStatement.Aspect.CHANGES):
        section.add("paragraph", text="No changes to CMOCs are recorded.")


def _scoping(context, item, section):
    context.quote(section, MethodStatement.Aspect.SCOPING)
    for framework in Framework.objects.filter(review=context.review).prefetch_related("themes"):
        themes = [t.name for t in framework.themes.all()]
        section.add("paragraph", text=f"{framework.name} ({framework.get_kind_display()}).")
        if themes:
            section.add("list", items=themes)
    if not section.blocks:
        section.add("placeholder", **_placeholder("how the literature was scoped"))


def _searching(context, item, section):
    context.quote(section, MethodStatement.Aspect.SEARCH)
    # The flow has read the searches already (its "identified" inflows, in their order).
    [identified] = [s for s in context.flow if s["stage"] == ScreeningCount.Stage.IDENTIFIED]
    searches = [
        f"{search['kind_label']}: {search['label']}"
        + (f", {search['searched_on']:%d %B %Y}" if search["searched_on"] else "")
        + (f" ({search['count']:,} records)" if search["count"] is not None else "")
        for search in identified["inflows"]
    ]
    if searches:
        section.add("list", items=searches)
    else:
        section.add("placeholder", **_placeholder("the sources searched, search terms and dates"))


def _selection(context, item, section):
    context.quote(section, MethodStatement.Aspect.SELECTION_APPRAISAL,
                  placeholder="how documents were selected and appraised")
    section.add("table", header=["Stage", "Documents"], rows=_flow_rows(context.flow))
    # Counted in the database: at most a row per criterion and judgement comes back.
    appraisals = (Appraisal.objects.filter(source__review=context.review).order_by()
                  .values_list("criterion", "judgement").annotate(n=Count("pk")))
    tally = {}
    for criterion, judgement, n in appraisals:
        tally.setdefault(criterion, {})[judgement] = n
    if tally:
        section.add(
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


def _document_flow(context, item, section):
    flow = context.flow
    section.add("table", header=["Stage", "Documents"], rows=_flow_rows(flow))
    exclusions = [
        f"{stage['label']}: {e['citation']} — {e['reason']}"
        for stage in flow
        for e in stage["exclusions"]
    ]
    if exclusions:
        section.add("paragraph", text="Documents excluded, and why:")
        section.add("list", items=exclusions)
    unnamed = sum(stage["exclusions_total"] - len(stage["exclusions"]) for stage in flow)
    if unnamed:
        section.add("paragraph", text=f"… and {unnamed:,} more excluded documents, listed in "
                                      "the review's source list.")


def _document_characteristics(context, item, section):
    included, shown = included_documents(context.review), context.rows_shown
    section.add("table", **characteristics_table(included if shown is None else included[:shown]))
    if shown is not None:
        total = included.count()
        if total > shown:
            section.add("more", text=f"The first {shown} of {total:,} included documents.",
                        url=reverse("reports:rameses_documents", args=[context.review.slug]))


def _main_findings(context, item, section):
    shown = context.rows_shown
    theories = _current_theories(context.review, shown=shown)
    if not theories:
        section.add("placeholder", **_placeholder("the programme theories found"))
    if shown is not None and sum(t.n_current for t in theories) > shown:
        section.add("more", text=f"The first {shown} of {sum(t.n_current for t in theories):,} "
                    "current CMOCs.",
                    url=reverse("reports:rameses_findings", args=[context.review.slug]))
    for theory in theories:
        section.subsections.append(theory_section(theory))


_BUILDERS = {
    "Title": _title,
    "Abstract": _abstract,
    "Summary or abstract": _abstract,
    "Objectives and focus of review": _objectives,
    "Evaluation questions, objectives and focus": _objectives,
    "Programme theory": _initial_theories,
    "Changes in the review process": _changes,
    "Scoping the literature": _scoping,
    "Searching processes": _searching,
    "Selection and appraisal of documents": _selection,
    "Document flow diagram": _document_flow,
    "Document characteristics": _document_characteristics,
    "Main findings": _main_findings,
}


def theory_section(theory):
    section = Section(theory.name)
    section.add("paragraph", text=theory.statement)
    for cmoc in theory.ordered_cmocs:
        cited, read = set(), set()
        for link in cmoc.evidence_links.all():
            entry = f"{link.excerpt.source.short_citation} ({link.get_stance_display().lower()})"
            (read if link.is_project_reading else cited).add(entry)
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
            cmoc_section.add("paragraph", text="Evidence: " + "; ".join(sorted(cited)) + ".")
        if read:
            cmoc_section.add(
                "paragraph",
                text="ichub's readings, not evidence the review cites (each link explains its "
                "reading on the CMOC's page): " + "; ".join(sorted(read)) + ".",
            )
        if not (cited or read):
            cmoc_section.add("paragraph", text="No evidence is linked to this CMOC.")
        section.subsections.append(cmoc_section)
    return section


def findings_sections(theories, cmocs):
    """A section per theory for these CMOCs (a page of `current_findings(theories)`)."""
    by_pk = {theory.pk: theory for theory in theories}
    sections = []
    for theory_pk, group in groupby(cmocs, key=attrgetter("theory_id")):
        theory = by_pk[theory_pk]
        theory.ordered_cmocs = list(group)
        sections.append(theory_section(theory))
    return sections


def _current_theories(review, *, shown=None):
    """The theories at the review's furthest stage, each with its current CMOCs
    (`ordered_cmocs`: all, or the first `shown` over all theories) and their number
    (`n_current`).

    A review still at its initial programme theories has findings too: they
    are written out rather than left as a placeholder.
    """
    theories = furthest_theories(review)
    cmocs = current_findings(theories)
    grouped = {}
    for cmoc in cmocs if shown is None else cmocs[:shown]:
        grouped.setdefault(cmoc.theory_id, []).append(cmoc)
    for theory in theories:
        theory.ordered_cmocs = grouped.get(theory.pk, [])
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
