"""What a whole-review export holds: one Section per model, in the order import needs.

Each section names its plain fields and its references. A reference is written
as the target's natural key (never a database id), so the document reads the
same in any database and re-imports anywhere. To export a new model, add a
Section here; the exporter and importer need no other change.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q

from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent, Mechanism, Outcome
from evidence.models import (
    Appraisal,
    Excerpt,
    ExcerptAnchor,
    ExclusionReason,
    FullText,
    FullTextPage,
    ImportedCode,
    PrioritisationSettings,
    Ranking,
    ScreeningCount,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    SearchRecord,
    SourceDocument,
)
from ichub.models import (
    MethodStatement,
    NotApplicableItem,
    OperationalDefinition,
    QualityRating,
)
from ichub.permissions import OWNER, has_role
from programme_theories.models import Framework, ProgrammeTheory, Theme
from reports.transfer.source_keys import IDS, KEYED, PAIRS


@dataclass(frozen=True)
class Ref:
    """A reference to `model`, written as the values of the `key` lookups.

    `scope` is the lookup from the target to its review when the key holds no
    review slug (the target is then in the review being imported); a key that
    starts with a review slug may point into another review.
    """

    model: type
    key: tuple
    scope: str | None = None
    # For a target in another review: may the importing user "read" it, or must they
    # be able to "write" it (a link stored against that review's CMOC changes it)?
    access: str = "read"


@dataclass(frozen=True)
class Section:
    name: str
    model: type
    rows_of: object  # review -> Q selecting the section's rows
    fields: tuple = ()
    refs: dict = field(default_factory=dict)
    many: dict = field(default_factory=dict)
    sort: tuple = ()  # exported names that order the rows (a natural key where there is one)
    timestamps: tuple = ()  # auto_now(_add) fields whose exported values import restores
    unique_together: tuple = ()  # rows already present (from another review's import) are skipped
    # User references that record a person's own judgement. A restore over the API
    # attributes every row to its importer (issue 17: documents could name anyone);
    # a judgement by someone else keeps their name in the field given here, or with
    # None is skipped, since it cannot become the importer's.
    judged_by: dict = field(default_factory=dict)
    added: tuple = ()  # fields added since version 1: a file written before them may lack them
    # JSON fields that hold this review's source ids: {field: source_keys shape}, written as
    # citation keys (database ids differ between instances).
    source_ids: dict = field(default_factory=dict)
    # (review, reader) -> Q: the rows a reader's export may hold, where not all of them.
    for_reader: object = None


USER = Ref(get_user_model(), ("username",))
SOURCE = Ref(SourceDocument, ("citation_key",), "review")
EXCERPT = Ref(Excerpt, ("source__review__slug", "source__citation_key", "key"))
LOCAL_CMOC = Ref(CMOC, ("stage", "code"), "review")
THEORY = Ref(ProgrammeTheory, ("stage", "name"), "review")
REASON = Ref(ExclusionReason, ("label",), "review")
FULL_TEXT = Ref(FullText, ("source__citation_key",), "source__review")
LOCAL_EXCERPT = Ref(Excerpt, ("source__citation_key", "key"), "source__review")


def _in_review(path="review"):
    return lambda review: Q(**{path: review})


def _rankings_for_reader(review, reader):
    """As the ranking log: owners see every reviewer's rankings, other readers only their own
    (a ranking shows what its reviewer decided, so the export stays as blind as the queue)."""
    if has_role(reader, review, OWNER):
        return Q()
    return Q(reviewer=reader) if reader.is_authenticated else Q(pk__in=[])


def _element_section(name, model, extra_fields=()):
    return Section(
        name,
        model,
        _in_review(),
        fields=("key", *extra_fields, "text"),
        refs={"created_by": USER},
        sort=("key",),
        timestamps=("created_at",),
    )


SECTIONS = [
    Section(
        "definitions",
        OperationalDefinition,
        _in_review(),
        fields=("element", "text", "source_note", "order"),
        sort=("element",),
    ),
    Section(
        "method_statements",
        MethodStatement,
        _in_review(),
        fields=("aspect", "order", "text", "quoted", "location"),
        sort=("aspect", "order"),
    ),
    Section(
        "quality_ratings",
        QualityRating,
        _in_review(),
        fields=("standard", "rating", "note"),
        refs={"rated_by": USER},
        sort=("standard",),
        timestamps=("updated_at",),
    ),
    Section(
        "not_applicable_items",
        NotApplicableItem,
        _in_review(),
        fields=("checklist", "item", "reason"),
        refs={"set_by": USER},
        sort=("checklist", "item"),
        timestamps=("updated_at",),
    ),
    Section(
        "exclusion_reasons",
        ExclusionReason,
        _in_review(),
        fields=("label", "order"),
        sort=("label",),
    ),
    Section(
        "search_records",
        SearchRecord,
        _in_review(),
        fields=("label", "kind", "searched_on", "records_found", "note", "order"),
        sort=("label",),
    ),
    Section(
        "screening_protocol",
        ScreeningProtocol,
        _in_review(),
        fields=("required_reviewers", "keywords"),
    ),
    Section(
        "screening_counts",
        ScreeningCount,
        _in_review(),
        fields=("stage", "count", "note"),
        sort=("stage",),
    ),
    Section(
        "sources",
        SourceDocument,
        _in_review(),
        fields=(
            "citation_key",
            "kind",
            "reference_type",
            "genre",
            "authors",
            "editors",
            "year",
            "title",
            "container",
            "publisher",
            "volume",
            "issue",
            "pages",
            "doi",
            "url",
            "abstract",
            "keywords",
            "phase",
            "inclusion_status",
            "excluded_at_stage",
            "exclusion_reason",
            "notes",
        ),
        refs={"created_by": USER},
        sort=("citation_key",),
        timestamps=("created_at", "updated_at"),
        added=("reference_type", "genre", "editors", "publisher", "keywords"),
    ),
    Section(
        "frameworks",
        Framework,
        _in_review(),
        fields=("name", "kind", "citation", "description", "order"),
        refs={"source": Ref(SourceDocument, ("review__slug", "citation_key"))},
        sort=("name",),
        added=("order",),
    ),
    Section(
        "themes",
        Theme,
        _in_review("framework__review"),
        fields=("name", "order", "description", "citations"),
        refs={"framework": Ref(Framework, ("name",), "review")},
        sort=("framework", "name"),
    ),
    Section(
        "theories",
        ProgrammeTheory,
        _in_review(),
        fields=("stage", "name", "statement", "notes", "version"),
        refs={
            "theme": Ref(Theme, ("framework__name", "name"), "framework__review"),
            "revises": THEORY,
            "created_by": USER,
            "updated_by": USER,
        },
        sort=("stage", "name"),
        timestamps=("created_at", "updated_at"),
    ),
    _element_section("contexts", Context),
    _element_section("mechanisms", Mechanism, ("kind",)),
    _element_section("outcomes", Outcome),
    Section(
        "cmocs",
        CMOC,
        _in_review(),
        fields=(
            "stage", "code", "status", "theory_provenance", "theory_reading", "statement",
            "notes", "version",
        ),
        refs={
            "theory": THEORY,
            "context": Ref(Context, ("key",), "review"),
            "mechanism_resource": Ref(Mechanism, ("key",), "review"),
            "mechanism_reasoning": Ref(Mechanism, ("key",), "review"),
            "outcome": Ref(Outcome, ("key",), "review"),
            "created_by": USER,
            "updated_by": USER,
        },
        sort=("stage", "code"),
        timestamps=("created_at", "updated_at"),
    ),
    Section(
        "excerpts",
        Excerpt,
        _in_review("source__review"),
        fields=("key", "kind", "text", "page", "section", "location_note"),
        refs={"source": SOURCE, "created_by": USER},
        sort=("source", "key"),
        timestamps=("created_at",),
    ),
    # Full texts travel as their extracted pages (search, the reader and anchors need
    # nothing else) and the stored file by its storage name and SHA-256: a restore
    # beside the same storage finds the file again; the bytes are not embedded.
    Section(
        "full_texts",
        FullText,
        _in_review("source__review"),
        fields=("file", "format", "original_name", "size", "sha256", "status",
                "failure_reason", "pages_done", "page_count", "char_count", "extracted_at"),
        refs={"source": SOURCE, "uploaded_by": USER},
        sort=("source",),
        timestamps=("uploaded_at",),
    ),
    Section(
        "full_text_pages",
        FullTextPage,
        _in_review("full_text__source__review"),
        fields=("number", "start", "end", "text"),
        refs={"full_text": FULL_TEXT},
        sort=("full_text", "number"),
    ),
    Section(
        "excerpt_anchors",
        ExcerptAnchor,
        _in_review("excerpt__source__review"),
        fields=("page", "start", "end", "exact", "prefix", "suffix", "orphaned"),
        refs={"excerpt": LOCAL_EXCERPT, "full_text": FULL_TEXT},
        sort=("excerpt",),
    ),
    Section(
        "imported_codes",
        ImportedCode,
        _in_review(),
        fields=("guid", "name", "description", "origin", "mapping", "element_key"),
        refs={"parent": Ref(ImportedCode, ("guid",), "review")},
        many={"excerpts": LOCAL_EXCERPT},
        sort=("guid",),
    ),
    Section(
        "appraisals",
        Appraisal,
        _in_review("source__review"),
        fields=("criterion", "judgement", "reviewer_label", "note"),
        refs={
            "source": SOURCE,
            "excerpt": Ref(Excerpt, ("source__citation_key", "key"), "source__review"),
            "reviewer": USER,
        },
        judged_by={"reviewer": "reviewer_label"},
        sort=("source", "excerpt", "criterion"),
        timestamps=("created_at",),
    ),
    Section(
        "screening_decisions",
        ScreeningDecision,
        _in_review("source__review"),
        fields=("stage", "decision", "note", "is_current"),
        refs={
            "source": SOURCE,
            "reviewer": USER,
            "exclusion_reason": REASON,
            "supersedes": Ref(
                ScreeningDecision,
                ("source__citation_key", "stage", "reviewer__username", "decided_at"),
                "source__review",
            ),
        },
        judged_by={"reviewer": None},
        sort=("source", "stage", "reviewer", "decided_at"),
        timestamps=("decided_at",),
    ),
    Section(
        "screening_resolutions",
        ScreeningResolution,
        _in_review("source__review"),
        fields=("stage", "decision", "note"),
        refs={"source": SOURCE, "exclusion_reason": REASON, "resolved_by": USER},
        sort=("source", "stage"),
        timestamps=("resolved_at",),
    ),
    Section(
        "prioritisation",
        PrioritisationSettings,
        _in_review(),
        fields=("enabled", "exploration_percent", "exploration_mode", "version",
                "last_simulation"),
        refs={"updated_by": USER},
    ),
    # The ranking log, for reproducibility and reporting (RAMESES: how records were
    # selected). A ranking still training is not part of it.
    Section(
        "rankings",
        Ranking,
        lambda review: Q(review=review) & ~Q(status=Ranking.Status.TRAINING),
        fields=("status", "model", "settings", "seed", "trained_on", "n_included",
                "n_excluded", "order", "reasons", "likely_relevant_unseen", "trained_at",
                "seconds", "first_served_at", "error"),
        refs={"reviewer": USER},
        # Over the API a ranking by someone else is skipped, as their decisions are.
        judged_by={"reviewer": None},
        sort=("reviewer", "requested_at", "trained_at"),
        timestamps=("requested_at",),
        source_ids={"trained_on": PAIRS, "order": IDS, "reasons": KEYED},
        for_reader=_rankings_for_reader,
    ),
    Section(
        "evidence_links",
        EvidenceLink,
        # Both directions: links to this review's CMOCs, and this review's excerpts
        # bearing on another review's CMOCs (a realist evaluation testing it).
        lambda review: Q(cmoc__review=review) | Q(excerpt__source__review=review),
        fields=("element", "stance", "provenance", "reading", "note"),
        refs={
            "cmoc": Ref(CMOC, ("review__slug", "stage", "code"), access="write"),
            "excerpt": EXCERPT,
            "created_by": USER,
        },
        sort=("cmoc", "excerpt", "element"),
        timestamps=("created_at",),
        unique_together=("cmoc", "excerpt", "element"),
    ),
    Section(
        "lineage_events",
        LineageEvent,
        _in_review(),
        fields=(
            "key",
            "kind",
            "phase",
            "rationale",
            "certainty",
            "decided_by_label",
            "decided_on",
        ),
        refs={"decided_by": USER},
        many={"inputs": LOCAL_CMOC, "outputs": LOCAL_CMOC, "evidence": EXCERPT},
        sort=("key",),
        timestamps=("created_at",),
    ),
]
