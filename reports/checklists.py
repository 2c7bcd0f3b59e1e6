"""How far a review's data reports each item of its RAMESES checklist.

The items themselves, and how far ichub could check their names and wording
against the publications, are in `reports.rameses_standards`.

An item is *reported* when the authors' own text for it is held (a
`MethodStatement`) or, for items about data (the flow, the documents, the
findings), when the data is there; *partly* when only part of what it asks is
held; *no* when nothing is; *not applicable* when the review team said so, with
their reason (`NotApplicableItem`); *does not apply* for every item when the
review is not realist at all (a qualitative case study: `does_not_apply` says
why). The assessment names the generated
report's section for every item, because the report follows the checklist's
order.
"""

from dataclasses import dataclass

from cmocs.models import CMOC, LineageEvent
from evidence.models import Appraisal, ScreeningCount, SearchRecord, SourceDocument
from ichub.models import MethodStatement, NotApplicableItem, Review
from programme_theories.models import Framework, ProgrammeTheory
from reports.rameses_standards import (  # noqa: F401 (the checklists are read from here too)
    CHECKLISTS,
    EVALUATION,
    SYNTHESIS,
    Checklist,
    Item,
)

Aspect = MethodStatement.Aspect


def checklist_for(review):
    """RAMESES II for a realist evaluation; the synthesis standards for everything else."""
    return EVALUATION if review.method == Review.Method.REALIST_EVALUATION else SYNTHESIS


def does_not_apply(review):
    """Why no RAMESES checklist applies to the review, or "" when one does."""
    if review.is_realist:
        return ""
    return (
        "The RAMESES standards are for realist syntheses and realist evaluations; this "
        f"review's method is {review.get_method_display().lower()}, so none of their items "
        "applies to it."
    )


def report_location(item):
    """Where the generated report holds the item: its part, then the item's own heading."""
    if item.part == item.name:
        return item.name
    return f"{item.part} › {item.name}"


@dataclass
class Assessment:
    item: Item
    status: str  # yes | partly | no | not applicable
    where: str
    missing: list
    statements: list  # the authors' own text reporting it (MethodStatements)
    not_applicable: NotApplicableItem | None = None  # the team's reason, when it does not apply
    because: str = ""  # why it does not apply: the team's reason, or the review's method



YES, PARTLY, NO, NOT_APPLICABLE = "yes", "partly", "no", "not applicable"
DOES_NOT_APPLY = "does not apply"

_PROBE_LABELS = {
    "realist_title": "a title naming the review as realist",
    "summary": "an abstract or summary",
    "question": "the review question",
    "lineage": "recorded changes to CMOCs (lineage events)",
    "frameworks": "frameworks or scoping themes",
    "search_records": "the searches run (databases, dates, records found)",
    "appraisals": "appraisal judgements",
    "flow": "screening counts",
    "flow_complete": "a count for every stage of the flow",
    "included_sources": "included documents",
    "refined_cmocs": "refined programme theories with their CMOCs",
    "initial_theories": "initial programme theories",
}


def _names_itself_realist(review):
    title = review.title.lower()
    if review.method == Review.Method.REALIST_EVALUATION:
        return "realist evaluation" in title
    return "realist review" in title or "realist synthesis" in title


def _facts(review):
    """Every probe's answer for the review, in a fixed number of queries (one each)."""
    counts = list(ScreeningCount.objects.filter(review=review).values_list("count", flat=True))
    return {
        "realist_title": _names_itself_realist(review),
        "summary": bool(review.summary.strip()),
        "question": bool(review.question.strip()),
        "lineage": LineageEvent.objects.filter(review=review)
        .exclude(kind=LineageEvent.Kind.CREATED).exists(),
        "frameworks": Framework.objects.filter(review=review).exists(),
        "search_records": SearchRecord.objects.filter(review=review).exists(),
        "appraisals": Appraisal.objects.filter(source__review=review).exists(),
        "flow": any(count is not None for count in counts),
        "flow_complete": bool(counts) and all(count is not None for count in counts),
        "included_sources": SourceDocument.objects.filter(review=review).included().exists(),
        "refined_cmocs": CMOC.objects.filter(
            review=review, stage=CMOC.Stage.REFINED, theory__isnull=False
        ).exists(),
        "initial_theories": ProgrammeTheory.objects.filter(review=review).exclude(
            stage=ProgrammeTheory.Stage.REFINED
        ).exists(),
    }


def not_applicable_items(review, checklist):
    """{item number: NotApplicableItem} the team marked for this checklist."""
    return {
        row.item: row
        for row in NotApplicableItem.objects.filter(review=review, checklist=checklist.key)
    }


def _status(item, facts, statements):
    """(status, missing) of one item from what the review holds."""
    if item.aspect:
        primary = bool(statements)
        primary_label = f"the authors' text on {Aspect(item.aspect).label.lower()}"
    else:
        primary, primary_label = facts[item.primary[0]], _PROBE_LABELS[item.primary[0]]
    missing = [] if primary else [primary_label]
    missing += [_PROBE_LABELS[probe] for probe in item.supporting if not facts[probe]]
    if primary and not missing:
        return YES, missing
    if primary or any(facts[probe] for probe in item.supporting):
        return PARTLY, missing
    return NO, missing


def assess(review, checklist=None):
    """Each item of the review's checklist: reported (yes/partly/no/not applicable), where,
    what is missing."""
    checklist = checklist or checklist_for(review)
    facts = _facts(review)
    by_aspect = {}
    for statement in MethodStatement.objects.filter(review=review).order_by("aspect", "order"):
        by_aspect.setdefault(statement.aspect, []).append(statement)
    # The authors' own abstract reports the abstract item as well as a summary does.
    facts["summary"] = facts["summary"] or Aspect.ABSTRACT in by_aspect
    skipped = not_applicable_items(review, checklist)
    not_realist = does_not_apply(review)
    assessments = []
    for item in checklist.items:
        statements = by_aspect.get(item.aspect, []) if item.aspect else []
        status, missing = _status(item, facts, statements)
        mark = skipped.get(item.number)
        because = mark.reason if mark else not_realist
        if mark:
            status, missing = NOT_APPLICABLE, []
        elif not_realist:
            status, missing = DOES_NOT_APPLY, []
        assessments.append(Assessment(
            item, status, report_location(item), missing, statements, mark, because
        ))
    return assessments


CHECKLIST_HEADER = [
    "Item", "Section", "Topic", "Reported", "Where in the report", "Missing",
    "Not applicable because", "Item name checked",
]


def checklist_rows(review):
    """The checklist as a table: one row per item, in the standard's order."""
    return [
        [
            a.item.number, a.item.part, a.item.name, a.status, a.where, "; ".join(a.missing),
            a.because,
            f"{a.item.check}: {a.item.check_note}",
        ]
        for a in assess(review)
    ]


def checklist_markdown(review):
    checklist = checklist_for(review)
    lines = [
        f"# {checklist.title}: {review.title}",
        "",
        f"_{checklist.citation}_",
        "",
        *([f"**{does_not_apply(review)}**", ""] if not review.is_realist else []),
        "Reported: yes / partly / no from what ichub holds for this review, or not applicable "
        "where the review team said so (with their reason). Where: the section of ichub's "
        "generated RAMESES report that holds it. Item name checked: whether ichub could read "
        "the item's name and wording in the publication; 'not checked' names are ichub's, "
        "from memory, and may differ from the standard's.",
        "",
        "| " + " | ".join(CHECKLIST_HEADER) + " |",
        "|" + "---|" * len(CHECKLIST_HEADER),
    ]
    for row in checklist_rows(review):
        lines.append("| " + " | ".join(_md_cell(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def _md_cell(value):
    return " ".join(str(value).split()).replace("|", "\\|")
