"""The RAMESES reporting checklists, and how far a review's data reports each item.

Two standards: the RAMESES publication standards for realist syntheses (Wong
et al. 2013, BMC Medicine 11:21; 19 items) and the RAMESES II reporting
standards for realist evaluations (Wong et al. 2016, BMC Medicine 14:96; 20
items). Item numbers and names are the publications' own; what each item asks
is summarised here in ichub's words.

An item is *reported* when the authors' own text for it is held (a
`MethodStatement`) or, for items about data (the flow, the documents, the
findings), when the data is there; *partly* when only part of what it asks is
held; *no* when nothing is. The assessment names the generated report's section
for every item, because the report follows the checklist's order.
"""

from dataclasses import dataclass

from cmocs.models import CMOC, LineageEvent
from evidence.models import Appraisal, ScreeningCount, SearchRecord, SourceDocument
from ichub.models import MethodStatement, Review
from programme_theories.models import Framework, ProgrammeTheory

Aspect = MethodStatement.Aspect


@dataclass(frozen=True)
class Item:
    number: int
    part: str  # the standard's heading: TITLE, ABSTRACT, INTRODUCTION, METHODS, ...
    name: str
    asks: str
    # What reports the item: ("aspect", Aspect) for the authors' text, or a data probe name.
    primary: tuple
    # What else the item asks for, each a probe; missing ones make the item "partly".
    supporting: tuple = ()


@dataclass(frozen=True)
class Checklist:
    key: str
    title: str
    citation: str
    items: tuple


def _aspect(aspect):
    return ("aspect", aspect)


SYNTHESIS = Checklist(
    key="rameses-synthesis",
    title="RAMESES publication standards: realist syntheses",
    citation="Wong G, Greenhalgh T, Westhorp G, Buckingham J, Pawson R. RAMESES publication "
    "standards: realist syntheses. BMC Medicine 2013;11:21. doi:10.1186/1741-7015-11-21",
    items=(
        Item(1, "Title", "Title", "Identify the document as a realist synthesis or review.",
             ("realist_title",)),
        Item(2, "Abstract", "Abstract", "A summary of the review's question, method, findings "
             "and conclusions.", ("summary",)),
        Item(3, "Introduction", "Rationale for review",
             "Explain why the review is needed and what it is likely to contribute.",
             _aspect(Aspect.RATIONALE)),
        Item(4, "Introduction", "Objectives and focus of review",
             "State the review's objectives and question(s), and its focus.", ("question",)),
        Item(5, "Methods", "Changes in the review process",
             "Describe any changes to the review process and why they were made.",
             _aspect(Aspect.CHANGES), ("lineage",)),
        Item(6, "Methods", "Rationale for using realist synthesis",
             "Explain why a realist approach was chosen and, if relevant, adapted.",
             _aspect(Aspect.REALIST_RATIONALE)),
        Item(7, "Methods", "Scoping the literature",
             "Describe and justify the initial process of exploratory scoping.",
             _aspect(Aspect.SCOPING), ("frameworks",)),
        Item(8, "Methods", "Searching processes",
             "State and justify the sources searched, the search terms and dates, and how "
             "searching evolved.", _aspect(Aspect.SEARCH), ("search_records",)),
        Item(9, "Methods", "Selection and appraisal of documents",
             "Explain how judgements were made about including and excluding documents, and "
             "why.", _aspect(Aspect.SELECTION_APPRAISAL), ("appraisals",)),
        Item(10, "Methods", "Data extraction",
             "Describe which data were extracted and how.", _aspect(Aspect.DATA_EXTRACTION)),
        Item(11, "Methods", "Analysis and synthesis processes",
             "Describe the analysis and synthesis, and how programme theory was refined.",
             _aspect(Aspect.ANALYSIS_SYNTHESIS)),
        Item(12, "Results", "Document flow diagram",
             "The number of documents at each stage, with reasons for exclusion.",
             ("flow",), ("flow_complete",)),
        Item(13, "Results", "Document characteristics",
             "The characteristics of the documents included.", ("included_sources",)),
        Item(14, "Results", "Main findings",
             "The main findings, with the programme theory and its CMOCs.", ("refined_cmocs",)),
        Item(15, "Discussion", "Summary of findings",
             "Summarise the main findings in relation to the review's objectives.",
             _aspect(Aspect.SUMMARY)),
        Item(16, "Discussion", "Strengths, limitations and future research directions",
             "The review's strengths and limitations, and directions for future research.",
             _aspect(Aspect.STRENGTHS_LIMITATIONS)),
        Item(17, "Discussion", "Comparison with existing literature",
             "Compare and contrast the findings with the existing literature.",
             _aspect(Aspect.COMPARISON)),
        Item(18, "Discussion", "Conclusion and recommendations",
             "The conclusions, and recommendations for policy, practice or research.",
             _aspect(Aspect.CONCLUSIONS)),
        Item(19, "Discussion", "Funding",
             "The funding of the review, the funder's role and any conflicts of interest.",
             _aspect(Aspect.FUNDING)),
    ),
)

EVALUATION = Checklist(
    key="rameses-ii",
    title="RAMESES II reporting standards for realist evaluations",
    citation="Wong G, Westhorp G, Manzano A, Greenhalgh J, Jagosh J, Greenhalgh T. RAMESES II "
    "reporting standards for realist evaluations. BMC Medicine 2016;14:96. "
    "doi:10.1186/s12916-016-0643-1",
    items=(
        Item(1, "Title", "Title", "Identify the document as a realist evaluation.",
             ("realist_title",)),
        Item(2, "Summary or abstract", "Summary or abstract",
             "The programme, setting, purpose, questions, strategy, methods, findings and "
             "conclusions, in brief.", ("summary",)),
        Item(3, "Introduction", "Rationale for evaluation",
             "The purpose of the evaluation and what it implies for its focus and design.",
             _aspect(Aspect.RATIONALE)),
        Item(4, "Introduction", "Programme theory",
             "The initial programme theory (or theories) underpinning the programme.",
             ("initial_theories",)),
        Item(5, "Introduction", "Evaluation questions, objectives and focus",
             "The evaluation question(s) and objectives, and how programme theory set the "
             "scope.", ("question",)),
        Item(6, "Introduction", "Ethical approval",
             "Whether ethical approval was needed and obtained.", _aspect(Aspect.ETHICS)),
        Item(7, "Methods", "Rationale for using realist evaluation",
             "Why a realist evaluation approach was chosen and, if relevant, adapted.",
             _aspect(Aspect.REALIST_RATIONALE)),
        Item(8, "Methods", "Environment surrounding the evaluation",
             "The environment in which the evaluation took place.", _aspect(Aspect.SETTING)),
        Item(9, "Methods", "Describe the programme policy, initiative or product evaluated",
             "The programme evaluated: its parts, resources and how it was meant to work.",
             _aspect(Aspect.PROGRAMME)),
        Item(10, "Methods", "Describe and justify the evaluation design",
             "The evaluation design and why it was chosen.", _aspect(Aspect.DESIGN)),
        Item(11, "Methods", "Data collection methods",
             "The methods used to collect data, and why.", _aspect(Aspect.DATA_COLLECTION)),
        Item(12, "Methods", "Recruitment process and sampling strategy",
             "How participants were recruited and sampled, and why.",
             _aspect(Aspect.RECRUITMENT)),
        Item(13, "Methods", "Data analysis",
             "How the data were analysed to build and refine programme theory.",
             _aspect(Aspect.ANALYSIS_SYNTHESIS)),
        Item(14, "Results", "Details of participants",
             "Who took part, as relevant to the programme theory.",
             _aspect(Aspect.PARTICIPANTS)),
        Item(15, "Results", "Main findings",
             "The main findings, with the refined programme theory and its CMOCs.",
             ("refined_cmocs",)),
        Item(16, "Discussion", "Summary of findings",
             "Summarise the main findings in relation to the evaluation's questions.",
             _aspect(Aspect.SUMMARY)),
        Item(17, "Discussion", "Comparison with existing literature",
             "Compare and contrast the findings with the existing literature.",
             _aspect(Aspect.COMPARISON)),
        Item(18, "Discussion", "Strengths and limitations",
             "The evaluation's strengths and limitations.",
             _aspect(Aspect.STRENGTHS_LIMITATIONS)),
        Item(19, "Discussion", "Recommendations",
             "Recommendations for policy, practice or further research.",
             _aspect(Aspect.CONCLUSIONS)),
        Item(20, "Discussion", "Funding and conflict of interest",
             "The funding source and any conflict of interest.", _aspect(Aspect.FUNDING)),
    ),
)

CHECKLISTS = {checklist.key: checklist for checklist in (SYNTHESIS, EVALUATION)}


def checklist_for(review):
    """RAMESES II for a realist evaluation; the synthesis standards for everything else."""
    return EVALUATION if review.method == Review.Method.REALIST_EVALUATION else SYNTHESIS


def report_location(item):
    """Where the generated report holds the item: its part, then the item's own heading."""
    if item.part == item.name:
        return item.name
    return f"{item.part} › {item.name}"


@dataclass
class Assessment:
    item: Item
    status: str  # yes | partly | no
    where: str
    missing: list
    statements: list  # the authors' own text reporting it (MethodStatements)


YES, PARTLY, NO = "yes", "partly", "no"

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


def assess(review, checklist=None):
    """Each item of the review's checklist: reported (yes/partly/no), where, what is missing."""
    checklist = checklist or checklist_for(review)
    facts = _facts(review)
    by_aspect = {}
    for statement in MethodStatement.objects.filter(review=review).order_by("aspect", "order"):
        by_aspect.setdefault(statement.aspect, []).append(statement)
    assessments = []
    for item in checklist.items:
        kind, *rest = item.primary
        if kind == "aspect":
            statements = by_aspect.get(rest[0], [])
            primary = bool(statements)
            primary_label = f"the authors' text on {Aspect(rest[0]).label.lower()}"
        else:
            statements, primary, primary_label = [], facts[kind], _PROBE_LABELS[kind]
        missing = [] if primary else [primary_label]
        missing += [_PROBE_LABELS[probe] for probe in item.supporting if not facts[probe]]
        held_supporting = any(facts[probe] for probe in item.supporting)
        if primary and not missing:
            status = YES
        elif primary or held_supporting:
            status = PARTLY
        else:
            status = NO
        assessments.append(
            Assessment(item, status, report_location(item), missing, statements)
        )
    return assessments


CHECKLIST_HEADER = ["Item", "Section", "Topic", "Reported", "Where in the report", "Missing"]


def checklist_rows(review):
    """The checklist as a table: one row per item, in the standard's order."""
    return [
        [
            a.item.number, a.item.part, a.item.name, a.status, a.where,
            "; ".join(a.missing),
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
        "Reported: yes / partly / no, from what ichub holds for this review. Where: the section "
        "of ichub's generated RAMESES report that holds it.",
        "",
        "| " + " | ".join(CHECKLIST_HEADER) + " |",
        "|" + "---|" * len(CHECKLIST_HEADER),
    ]
    for row in checklist_rows(review):
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"
