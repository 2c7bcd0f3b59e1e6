"""The RAMESES reporting standards' items, and how far ichub could check each one.

Two standards: the RAMESES publication standards for realist syntheses (Wong
et al. 2013, BMC Medicine 11:21; 19 items) and the RAMESES II reporting
standards for realist evaluations (Wong et al. 2016, BMC Medicine 14:96; 20
items). Every item says how its name and wording were checked (`check`):

- CHECKED: name and wording read in a copy of the standard's own table
  (`check_note` names it); `wording` then holds the standard's words.
- PARTLY: part of the name or wording was read there, or it was seen only as
  quoted by another paper; `check_note` says which part.
- NOT_CHECKED: not found with the project's search tool (2026-11-30): the name
  is the one ichub has used since the first report, from memory. Checklist
  downloads print this so nobody relies on it unchecked.

`asks` is ichub's own one-line summary of an item (never the standard's words);
`wording` is the standard's own, only where it was read.
"""

from dataclasses import dataclass, replace

from ichub.models import MethodStatement

Aspect = MethodStatement.Aspect

CHECKED, PARTLY, NOT_CHECKED = "checked", "partly checked", "not checked"

BMC_2016_TABLE = (
    "BMC Medicine's Table 1 of Wong et al. 2016 "
    "(bmcmedicine.biomedcentral.com/articles/10.1186/s12916-016-0643-1/tables/1)"
)
RAMESES_II_CHECKLIST_COPY = (
    "a copy of the RAMESES II reporting checklist "
    "(paperzz.com/doc/7242462/rameses_ii_reporting_standards_for_realist_evaluations)"
)
BERG_NANAVATI_2016 = (
    "quoted in Berg & Nanavati 2016, Journal of Research Practice 12(1) R1, seen only in a "
    "scraped copy of that text"
)
NOT_FOUND = "not found with the search tool; the name is ichub's earlier one, from memory"


@dataclass(frozen=True)
class Item:
    number: int
    part: str  # the standard's heading: Title, Abstract, Introduction, Methods, ...
    name: str
    asks: str  # ichub's summary, not the standard's words
    # What reports the item: ("aspect", Aspect) for the authors' text, or a data probe name.
    primary: tuple
    # What else the item asks for, each a probe; missing ones make the item "partly".
    supporting: tuple = ()
    check: str = NOT_CHECKED
    check_note: str = NOT_FOUND
    wording: str = ""  # the standard's own words, only where they were read

    @property
    def aspect(self):
        """The MethodStatement aspect holding the authors' text for this item, if any."""
        kind, *rest = self.primary
        return rest[0] if kind == "aspect" else None


@dataclass(frozen=True)
class Checklist:
    key: str
    title: str
    citation: str
    items: tuple


def _aspect(aspect):
    return ("aspect", aspect)


def _checked(item, wording, where=BMC_2016_TABLE):
    return replace(item, check=CHECKED, check_note=f"name and wording read in {where}",
                   wording=wording)


# Items both standards hold under the same name and with the same evidence.
def _title(number, kind):
    return Item(number, "Title", "Title", f"Identify the document as a realist {kind}.",
                ("realist_title",))


def _shared_discussion(number, name):
    asks, aspect = {
        "Summary of findings": ("Summarise the main findings in relation to the questions.",
                                Aspect.SUMMARY),
        "Comparison with existing literature": (
            "Compare and contrast the findings with the existing literature.", Aspect.COMPARISON),
    }[name]
    return Item(number, "Discussion", name, asks, _aspect(aspect))


def _main_findings(number, part="Results"):
    return Item(number, part, "Main findings",
                "The main findings, with the refined programme theory and its CMOCs.",
                ("refined_cmocs",))


SYNTHESIS = Checklist(
    key="rameses-synthesis",
    title="RAMESES publication standards: realist syntheses",
    citation="Wong G, Greenhalgh T, Westhorp G, Buckingham J, Pawson R. RAMESES publication "
    "standards: realist syntheses. BMC Medicine 2013;11:21. doi:10.1186/1741-7015-11-21",
    items=(
        _title(1, "synthesis or review"),
        Item(2, "Abstract", "Abstract",
             "A summary of the review's question, method, findings and conclusions.",
             ("summary",)),
        Item(3, "Introduction", "Rationale for review",
             "Why the review is needed and what it is likely to contribute.",
             _aspect(Aspect.RATIONALE), check=PARTLY,
             check_note=f"the wording (not the name) {BERG_NANAVATI_2016}",
             wording="Explain why the review is needed and what it is likely to contribute to "
             "existing understanding of the topic area"),
        Item(4, "Introduction", "Objectives and focus of review",
             "The review's objectives and question(s), and its focus.", ("question",)),
        Item(5, "Methods", "Changes in the review process",
             "Any changes to the review process and why they were made.",
             _aspect(Aspect.CHANGES), ("lineage",)),
        Item(6, "Methods", "Rationale for using realist synthesis",
             "Why a realist approach was chosen and, if relevant, adapted.",
             _aspect(Aspect.REALIST_RATIONALE)),
        Item(7, "Methods", "Scoping the literature",
             "The initial exploratory scoping, and why.", _aspect(Aspect.SCOPING),
             ("frameworks",)),
        Item(8, "Methods", "Searching processes",
             "The sources searched, the search terms and dates, and how searching evolved.",
             _aspect(Aspect.SEARCH), ("search_records",)),
        Item(9, "Methods", "Selection and appraisal of documents",
             "How judgements were made about including and excluding documents, and why.",
             _aspect(Aspect.SELECTION_APPRAISAL), ("appraisals",), check=PARTLY,
             check_note=f"name and wording {BERG_NANAVATI_2016}",
             wording="Explain how judgments were made about including and excluding data from "
             "documents, and justify these"),
        Item(10, "Methods", "Data extraction", "Which data were extracted and how.",
             _aspect(Aspect.DATA_EXTRACTION)),
        Item(11, "Methods", "Analysis and synthesis processes",
             "The analysis and synthesis, and how programme theory was refined.",
             _aspect(Aspect.ANALYSIS_SYNTHESIS)),
        Item(12, "Results", "Document flow diagram",
             "The number of documents at each stage, with reasons for exclusion.",
             ("flow",), ("flow_complete",)),
        Item(13, "Results", "Document characteristics",
             "The characteristics of the documents included.", ("included_sources",)),
        _main_findings(14),
        _shared_discussion(15, "Summary of findings"),
        Item(16, "Discussion", "Strengths, limitations and future research directions",
             "The review's strengths and limitations, and directions for future research.",
             _aspect(Aspect.STRENGTHS_LIMITATIONS)),
        _shared_discussion(17, "Comparison with existing literature"),
        Item(18, "Discussion", "Conclusion and recommendations",
             "The conclusions, and recommendations for policy, practice or research.",
             _aspect(Aspect.CONCLUSIONS)),
        Item(19, "Discussion", "Funding",
             "The funding of the review, the funder's role and any conflicts of interest.",
             _aspect(Aspect.FUNDING), check=PARTLY,
             check_note=f"the name and part (c) of the wording {BERG_NANAVATI_2016}",
             wording="(c) Provide details of any conflict of interest of the reviewers"),
    ),
)

EVALUATION = Checklist(
    key="rameses-ii",
    title="RAMESES II reporting standards for realist evaluations",
    citation="Wong G, Westhorp G, Manzano A, Greenhalgh J, Jagosh J, Greenhalgh T. RAMESES II "
    "reporting standards for realist evaluations. BMC Medicine 2016;14:96. "
    "doi:10.1186/s12916-016-0643-1",
    items=(
        _checked(_title(1, "evaluation"),
                 "In the title, identify the document as a realist evaluation"),
        _checked(Item(2, "Summary or abstract", "Summary or abstract",
                      "The programme, setting, purpose, questions, strategy, methods, findings "
                      "and conclusions, in brief.", ("summary",)),
                 "Journal articles will usually require an abstract, while reports and other "
                 "forms of publication will usually benefit from a short summary."),
        _checked(Item(3, "Introduction", "Rationale for evaluation",
                      "The evaluation's purpose and what it implies for focus and design.",
                      _aspect(Aspect.RATIONALE)),
                 "Explain the purpose of the evaluation and the implications for its focus and "
                 "design"),
        _checked(Item(4, "Introduction", "Programme theory",
                      "The initial programme theory (or theories).", ("initial_theories",)),
                 "Describe the initial programme theory (or theories) that underpin the "
                 "programme, policy or initiative"),
        _checked(Item(5, "Introduction", "Evaluation questions, objectives and focus",
                      "The questions and objectives, and how programme theory set the scope.",
                      ("question",)),
                 "State the evaluation question(s) and specify the objectives for the "
                 "evaluation. Describe whether and how the programme theory was used to define "
                 "the scope and focus of the evaluation"),
        _checked(Item(6, "Introduction", "Ethical approval",
                      "Whether ethical approval was needed and obtained.",
                      _aspect(Aspect.ETHICS)),
                 "State whether the realist evaluation required and has gained ethical approval "
                 "from the relevant authorities, providing details as appropriate. If ethical "
                 "approval was deemed unnecessary, explain why"),
        _checked(Item(7, "Methods", "Rationale for using realist evaluation",
                      "Why a realist approach was chosen and, if relevant, adapted.",
                      _aspect(Aspect.REALIST_RATIONALE)),
                 "Explain why a realist evaluation approach was chosen and (if relevant) "
                 "adapted"),
        Item(8, "Methods", "Environment surrounding the evaluation",
             "The environment in which the evaluation took place.", _aspect(Aspect.SETTING),
             check=PARTLY,
             check_note=f"the name's start ('Environment surro…') in {BMC_2016_TABLE}; the "
             f"wording in {RAMESES_II_CHECKLIST_COPY}",
             wording="Describe the environment in which the evaluation took place"),
        Item(9, "Methods", "Describe the programme policy, initiative or product evaluated",
             "The programme evaluated: its parts, resources and how it was meant to work.",
             _aspect(Aspect.PROGRAMME), check=PARTLY,
             check_note=f"only the name's start ('Describe the programme policy,') in "
             f"{RAMESES_II_CHECKLIST_COPY}"),
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
        _main_findings(15),
        _shared_discussion(16, "Summary of findings"),
        _shared_discussion(17, "Comparison with existing literature"),
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
