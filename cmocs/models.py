"""CMOCs, their elements, the evidence bearing on them, and their lineage."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cmocs.querysets import EvidenceLinkQuerySet
from evidence.models import Excerpt
from ichub.fields import NaturalSortKeyField
from ichub.models import Review
from ichub.versioning import VersionedRecord
from programme_theories.models import ProgrammeTheory


class ElementManager(models.Manager):
    def get_by_natural_key(self, review_slug, key):
        return self.get(review__slug=review_slug, key=key)

    def for_review(self, review):
        return self.filter(review=review)


class Element(models.Model):
    """What Context, Mechanism and Outcome share: review-scoped, reusable text."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=100, help_text="Short key unique within the review")
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ElementManager()

    class Meta:
        abstract = True
        ordering = ["review", "key"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:77] + "…"

    def natural_key(self):
        return (self.review.slug, self.key)

    natural_key.dependencies = ["ichub.review"]


class Context(Element):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="contexts")
    history = HistoricalRecords()

    class Meta(Element.Meta):
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="context_unique_key"),
        ]


class Mechanism(Element):
    class Kind(models.TextChoices):
        RESOURCE = "resource", "Resource"
        REASONING = "reasoning", "Reasoning"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="mechanisms")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta(Element.Meta):
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="mechanism_unique_key"),
            models.CheckConstraint(
                condition=Q(kind__in=["resource", "reasoning"]), name="mechanism_kind_valid"
            ),
        ]

    def __str__(self):
        return f"[{self.get_kind_display()}] {super().__str__()}"


class Outcome(Element):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="outcomes")
    history = HistoricalRecords()

    class Meta(Element.Meta):
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="outcome_unique_key"),
        ]


class Provenance(models.TextChoices):
    """Whose claim a link or an assignment is: the source's, or the project's reading of it.

    A methodologist must be able to tell what a paper says from what ichub's
    curators read into it, so every reading names itself and explains itself.
    """

    REPORTED = "reported", "Reported by the source"
    PROJECT_READING = "project_reading", "The project's reading"


class CMOCQuerySet(models.QuerySet):
    def for_review(self, review):
        return self.filter(review=review)

    def initial(self):
        return self.filter(stage=CMOC.Stage.INITIAL)

    def refined(self):
        return self.filter(stage=CMOC.Stage.REFINED)

    def active(self):
        return self.filter(status=CMOC.Status.ACTIVE)

    def in_reading_order(self):
        """By review and stage, then codes in natural order ("1a, 2, 9b, 10, 11"), as the
        review's tables number them; every list and nested read uses this order."""
        return self.order_by("review_id", "stage", "code_key", "id")

    def in_dashboard_order(self):
        """Refined CMOCs first (the review's findings), then initial ones, codes in natural
        order: the dashboard and the CMOC list page read them this way."""
        return self.order_by("review_id", "-stage", "code_key", "id")  # "refined" > "initial"

    def with_elements(self):
        return self.select_related(
            "context", "mechanism_resource", "mechanism_reasoning", "outcome", "theory"
        )


class CMOCManager(models.Manager.from_queryset(CMOCQuerySet)):
    def get_by_natural_key(self, review_slug, stage, code):
        return self.get(review__slug=review_slug, stage=stage, code=code)


class CMOC(VersionedRecord):
    """One context–mechanism–outcome configuration.

    Written in Dalkin et al.'s form M(resource) + C → M(reasoning) = O. The code
    ("CMOC 1") is unique only within a stage, because reviews renumber their
    refined CMOCs and reuse numbers the initial ones had.
    """

    class Stage(models.TextChoices):
        INITIAL = "initial", "Initial"
        REFINED = "refined", "Refined"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUPERSEDED = "superseded", "Superseded (refined or split)"
        MERGED = "merged", "Merged into another"
        DROPPED = "dropped", "Dropped"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="cmocs")
    code = models.CharField(max_length=50)
    # Natural order of codes ("1a, 2, 9b, 10, 11"): the one order of CMOCs everywhere.
    code_key = NaturalSortKeyField(source="code", max_length=150)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    theory = models.ForeignKey(
        ProgrammeTheory, null=True, blank=True, on_delete=models.SET_NULL, related_name="cmocs"
    )
    statement = models.TextField()
    context = models.ForeignKey(
        Context, null=True, blank=True, on_delete=models.RESTRICT, related_name="cmocs"
    )
    mechanism_resource = models.ForeignKey(
        Mechanism,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="cmocs_as_resource",
        limit_choices_to={"kind": Mechanism.Kind.RESOURCE},
    )
    mechanism_reasoning = models.ForeignKey(
        Mechanism,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="cmocs_as_reasoning",
        limit_choices_to={"kind": Mechanism.Kind.REASONING},
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.RESTRICT, related_name="cmocs"
    )
    # RESTRICT, not PROTECT: an element a CMOC uses cannot be deleted on its own,
    # but deleting the whole review (which cascades to both) must still work.
    theory_provenance = models.CharField(
        max_length=20,
        choices=Provenance.choices,
        default=Provenance.REPORTED,
        help_text="Whether the review itself puts this CMOC under its theory, or ichub reads it so",
    )
    theory_reading = models.TextField(
        blank=True, help_text="Why the project reads the CMOC as belonging to its theory"
    )
    notes = models.TextField(blank=True, help_text="Caveats, e.g. what the sources leave out")
    objects = CMOCManager()

    class Meta(VersionedRecord.Meta):
        verbose_name = "CMOC"
        verbose_name_plural = "CMOCs"
        ordering = ["review", "stage", "code_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "stage", "code"], name="cmoc_unique_code"),
            models.CheckConstraint(condition=Q(version__gte=1), name="cmoc_version_positive"),
            models.CheckConstraint(
                condition=~Q(mechanism_resource=models.F("mechanism_reasoning"))
                | Q(mechanism_resource__isnull=True),
                name="cmoc_mechanism_slots_differ",
            ),
            models.CheckConstraint(
                condition=Q(theory_provenance="reported") | ~Q(theory_reading=""),
                name="cmoc_theory_reading_explained",
                violation_error_message="A theory assignment that is the project's reading "
                "must say why.",
            ),
        ]
        indexes = [
            models.Index(fields=["review", "stage", "status"]),
            models.Index(fields=["review", "stage", "code_key", "id"], name="cmoc_reading_order"),
        ]

    def __str__(self):
        return f"{self.code} ({self.get_stage_display().lower()})"

    def natural_key(self):
        return (self.review.slug, self.stage, self.code)

    natural_key.dependencies = [
        "ichub.review",
        "programme_theories.programmetheory",
        "cmocs.context",
        "cmocs.mechanism",
        "cmocs.outcome",
    ]

    @property
    def theory_is_inferred(self):
        """True when the theory (theme) is ichub's reading, which pages hide unless asked."""
        return self.theory_provenance == Provenance.PROJECT_READING

    @property
    def is_open(self):
        """Only an active CMOC can be refined, merged, split or dropped."""
        return self.status == self.Status.ACTIVE

    def has_no_lineage(self):
        """True when nothing but its creation is recorded: only such a CMOC may be deleted.

        A CMOC that was refined, merged, split or dropped, or that came out of
        such a decision, is part of the review's record, so it is dropped instead.
        """
        created = LineageEvent.Kind.CREATED
        return not (self.lineage_as_input.exclude(kind=created).exists()
                    or self.lineage_as_output.exclude(kind=created).exists())

    def clean(self):
        """Every element must be of this review, and each mechanism in its own slot.

        A reasoning mechanism in the resource slot would silently corrupt the
        Dalkin formula the review reports, so it is refused here, where the
        admin, the forms, the API and the services all pass.
        """
        errors = {}
        for field in ("context", "mechanism_resource", "mechanism_reasoning", "outcome", "theory"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and related.review_id != self.review_id:
                errors[field] = f"The {field.replace('_', ' ')} belongs to another review."
        for field, kind in (
            ("mechanism_resource", Mechanism.Kind.RESOURCE),
            ("mechanism_reasoning", Mechanism.Kind.REASONING),
        ):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and field not in errors and related.kind != kind:
                errors[field] = f"This slot takes a {kind} mechanism, not a {related.kind} one."
        if errors:
            raise ValidationError(errors)


class EvidenceLink(models.Model):
    """An excerpt bearing on one element of a CMOC (or on the whole), with a stance."""

    class Element(models.TextChoices):
        CONTEXT = "context", "Context"
        MECHANISM_RESOURCE = "mechanism_resource", "Mechanism (resource)"
        MECHANISM_REASONING = "mechanism_reasoning", "Mechanism (reasoning)"
        OUTCOME = "outcome", "Outcome"
        WHOLE = "whole", "Whole configuration"

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CHALLENGES = "challenges", "Challenges"
        REFINES = "refines", "Refines"

    cmoc = models.ForeignKey(CMOC, on_delete=models.CASCADE, related_name="evidence_links")
    excerpt = models.ForeignKey(Excerpt, on_delete=models.CASCADE, related_name="evidence_links")
    element = models.CharField(max_length=20, choices=Element.choices, default=Element.WHOLE)
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.SUPPORTS)
    provenance = models.CharField(
        max_length=20,
        choices=Provenance.choices,
        default=Provenance.REPORTED,
        help_text="Reported by the source (the review cites it for this CMOC), or the "
        "project's reading of the excerpt",
    )
    reading = models.TextField(
        blank=True, help_text="The project's reading: why this excerpt bears on the CMOC so"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["cmoc", "element", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cmoc", "excerpt", "element"], name="evidence_link_unique"
            ),
            models.CheckConstraint(
                condition=Q(provenance="reported") | ~Q(reading=""),
                name="evidence_link_reading_explained",
                violation_error_message="A link that is the project's reading must explain "
                "that reading.",
            ),
        ]

    def __str__(self):
        return f"{self.excerpt.source.short_citation} {self.stance} {self.cmoc} ({self.element})"

    @property
    def is_project_reading(self):
        """True when the link is ichub's reading of the excerpt, not a citation by the review.

        Reports and exports mark such links so nobody takes them for the paper's evidence.
        """
        return self.provenance == Provenance.PROJECT_READING

    def clean(self):
        """Evidence crosses reviews only where one review's evidence bears on the other's theories.

        A realist evaluation testing a review's programme theories, or a later
        study the project reads against them, may bring its excerpts to that
        review's CMOCs; any other cross-review link would mix unrelated evidence
        bases and is refused.
        """
        if not (self.cmoc_id and self.excerpt_id):
            return
        excerpt_review = self.excerpt.source.review
        cmoc_review = self.cmoc.review
        if excerpt_review.pk == cmoc_review.pk:
            return
        if (excerpt_review.visibility == Review.Visibility.PRIVATE
                and cmoc_review.visibility == Review.Visibility.PUBLIC):
            # Readers of the public review would see the private excerpt (issue 17).
            raise ValidationError({"excerpt": "This excerpt belongs to a private review, so "
                                   "it cannot be shown on a public review's CMOC."})
        if not cmoc_review.tested_by.filter(pk=excerpt_review.pk).exists():
            raise ValidationError(
                {
                    "excerpt": "This excerpt comes from another review whose evidence is not "
                    "declared as bearing on this review's theories."
                }
            )


class LineageEventQuerySet(models.QuerySet):
    def reported(self):
        """What the review reports (one by one or as a set), without ichub's inferred layer."""
        return self.exclude(certainty=LineageEvent.Certainty.INFERRED)


class LineageEventManager(models.Manager.from_queryset(LineageEventQuerySet)):
    def get_by_natural_key(self, review_slug, key):
        return self.get(review__slug=review_slug, key=key)


class LineageEvent(models.Model):
    """What happened to CMOCs between phases, and why.

    Shapes: created is none→one, refined one→one, merged many→one, split
    one→many, dropped one→none. The shapes span many-to-many rows, which a
    database CHECK cannot see, so `shape_errors()` checks them and the services
    in `cmocs.services` are the only writers that create events.
    """

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REFINED = "refined", "Refined"
        MERGED = "merged", "Merged"
        SPLIT = "split", "Split"
        DROPPED = "dropped", "Dropped"

    class Certainty(models.TextChoices):
        STATED = "stated", "Stated by the review"
        UNREPORTED_PAIRING = "unreported_pairing", "Reported as a set; pairing not reported"
        INFERRED = "inferred", "Inferred by ichub (the review does not say)"

    # (minimum inputs, maximum inputs, minimum outputs, maximum outputs); None = unbounded
    SHAPES = {
        Kind.CREATED: (0, 0, 1, 1),
        Kind.REFINED: (1, 1, 1, 1),
        Kind.MERGED: (2, None, 1, 1),
        Kind.SPLIT: (1, 1, 2, None),
        Kind.DROPPED: (1, 1, 0, 0),
    }

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lineage_events")
    key = models.SlugField(max_length=100, help_text="Short key unique within the review")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    inputs = models.ManyToManyField(CMOC, blank=True, related_name="lineage_as_input")
    outputs = models.ManyToManyField(CMOC, blank=True, related_name="lineage_as_output")
    phase = models.CharField(max_length=100, blank=True, help_text="e.g. Phase 1b: theory testing")
    rationale = models.TextField(blank=True)
    certainty = models.CharField(
        max_length=20,
        choices=Certainty.choices,
        default=Certainty.STATED,
        help_text="Stated one by one; reported only as a set (which input became which "
        "output is not reported); or inferred by ichub, a layer readers can hide",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(
        max_length=200, blank=True, help_text="Who decided, when not a user of this instance"
    )
    decided_on = models.DateField(null=True, blank=True)
    evidence = models.ManyToManyField(Excerpt, blank=True, related_name="lineage_events")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LineageEventManager()

    class Meta:
        ordering = ["review", "decided_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="lineage_event_unique_key"),
            models.CheckConstraint(
                condition=Q(kind="created") | ~Q(rationale=""),
                name="lineage_event_rationale_required",
                violation_error_message="Every lineage event but 'created' needs a rationale.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.key})"

    def natural_key(self):
        return (self.review.slug, self.key)

    natural_key.dependencies = ["ichub.review", "cmocs.cmoc", "evidence.excerpt"]

    @classmethod
    def shape_errors(cls, kind, n_inputs, n_outputs, certainty=Certainty.STATED):
        """Messages for an event whose input/output counts do not fit its kind.

        A set-level event (certainty `unreported_pairing`) records what a review
        reports only in aggregate, e.g. "2, 9, 4 and 5 were merged, resulting in
        the following six CMOCs": its outputs are the set the inputs went into,
        so the one-output limit of a merge (and the one-input limit of a refine)
        does not apply; the minimums still do.
        """
        min_in, max_in, min_out, max_out = cls.SHAPES[kind]
        if certainty == cls.Certainty.UNREPORTED_PAIRING:
            max_in = max_out = None
        errors = []
        if n_inputs < min_in or (max_in is not None and n_inputs > max_in):
            wanted = f"{min_in}" if min_in == max_in else f"at least {min_in}"
            errors.append(f"A {kind} event takes {wanted} input CMOC(s), not {n_inputs}.")
        if n_outputs < min_out or (max_out is not None and n_outputs > max_out):
            wanted = f"{min_out}" if min_out == max_out else f"at least {min_out}"
            errors.append(f"A {kind} event produces {wanted} output CMOC(s), not {n_outputs}.")
        return errors

    @property
    def is_set_level(self):
        return self.certainty == self.Certainty.UNREPORTED_PAIRING

    @property
    def is_inferred(self):
        return self.certainty == self.Certainty.INFERRED

    @property
    def decider(self):
        return str(self.decided_by) if self.decided_by_id else self.decided_by_label
