"""The hub: reviews, who belongs to them, and each review's own vocabulary."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from ichub.versioning import Versioned


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public reviews, plus private ones the user is a member of (staff see all)."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self
        if user is None or not user.is_authenticated:
            return self.filter(visibility=Review.Visibility.PUBLIC)
        return self.filter(
            Q(visibility=Review.Visibility.PUBLIC) | Q(memberships__user=user)
        ).distinct()

    def editable_by(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            memberships__user=user,
            memberships__role__in=[Membership.Role.OWNER, Membership.Role.EDITOR],
        ).distinct()


class ReviewManager(models.Manager.from_queryset(ReviewQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Review(Versioned):
    class Method(models.TextChoices):
        REALIST_REVIEW = "realist_review", "Realist review"
        RAPID_REALIST_REVIEW = "rapid_realist_review", "Rapid realist review"
        REALIST_EVALUATION = "realist_evaluation", "Realist evaluation"
        QUALITATIVE_CASE_STUDY = "qualitative_case_study", "Qualitative case study"
        OTHER = "other", "Other"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=500)
    question = models.TextField(blank=True)
    method = models.CharField(max_length=30, choices=Method.choices, default=Method.REALIST_REVIEW)
    reporting_standard = models.CharField(
        max_length=200, blank=True, help_text="e.g. RAMESES publication standards"
    )
    summary = models.TextField(blank=True)
    authors = models.CharField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    citation = models.TextField(blank=True)
    doi = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    tests_theories_of = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="tested_by",
        verbose_name="bears on the theories of",
        help_text="Reviews whose programme theories this one's evidence bears on: a realist "
        "evaluation testing them, or a later study the project reads against them.",
    )
    notes = models.TextField(
        blank=True, help_text="Gaps and caveats: what the sources do not say."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ReviewManager()

    class Meta:
        ordering = ["title"]
        constraints = [
            # `PRIV` beside `priv` would be two reviews one link could confuse, and would
            # let a slug conflict say more than "some review holds it" (SECURITY.md).
            models.UniqueConstraint(
                Lower("slug"), name="review_slug_unique_any_case",
                violation_error_message="A review with this slug already exists.",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def role_of(self, user):
        """The user's role here, or None. Staff act as owners everywhere."""
        if user is None or not user.is_authenticated:
            return None
        if user.is_staff:
            return Membership.Role.OWNER
        # One value, not a model: a related manager's instance re-reads a deferred review_id
        # (a second query, and DoesNotExist if a concurrent request removed the row between).
        return self.memberships.filter(user=user).values_list("role", flat=True).first()

    @property
    def is_realist(self):
        """True for a realist review or evaluation: the only methods RAMESES standards are for.

        A qualitative case study (the 2025 study) or another kind of record is not
        assessed against them: its checklist, report and quality self-assessment say
        the standards do not apply instead of listing every realist item as missing.
        """
        return self.method in {
            self.Method.REALIST_REVIEW, self.Method.RAPID_REALIST_REVIEW,
            self.Method.REALIST_EVALUATION,
        }

    def evidence_reviews(self):
        """Reviews whose excerpts may bear on this review's CMOCs: itself and its testers."""
        return [self.pk, *self.tested_by.values_list("pk", flat=True)]


class MembershipManager(models.Manager):
    def get_by_natural_key(self, review_slug, username):
        return self.get(review__slug=review_slug, user__username=username)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="membership_unique_user"),
        ]
        ordering = ["review", "user"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.review}"

    def natural_key(self):
        return (self.review.slug, self.user.username)

    natural_key.dependencies = ["ichub.review"]


class OperationalDefinitionManager(models.Manager):
    def get_by_natural_key(self, review_slug, element):
        return self.get(review__slug=review_slug, element=element)


class OperationalDefinition(Versioned):
    """A review's own wording of what counts as context, mechanism or outcome.

    Reviews define these differently, and coders must apply the review's own
    definition, so it is stored per review rather than fixed in the app.
    """

    class Element(models.TextChoices):
        CONTEXT = "context", "Context"
        MECHANISM = "mechanism", "Mechanism"
        MECHANISM_RESOURCE = "mechanism_resource", "Mechanism (resource)"
        MECHANISM_REASONING = "mechanism_reasoning", "Mechanism (reasoning)"
        OUTCOME = "outcome", "Outcome"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="definitions")
    element = models.CharField(max_length=30, choices=Element.choices)
    text = models.TextField()
    source_note = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = OperationalDefinitionManager()

    class Meta:
        ordering = ["review", "order", "element"]
        constraints = [
            models.UniqueConstraint(fields=["review", "element"], name="definition_unique_element"),
        ]

    def __str__(self):
        return f"{self.get_element_display()} ({self.review.slug})"

    def natural_key(self):
        return (self.review.slug, self.element)

    natural_key.dependencies = ["ichub.review"]


class ThrottleWindow(models.Model):
    """How many API requests one caller (a user or an address) made in the current window.

    DRF's stock throttles keep a list of timestamps in the cache, which with a
    database cache costs six statements and a COMMIT on every API request, more
    than a conditional GET itself. One row per caller and scope, bumped by a
    single upsert (ichub.throttling), gives the same protection in one statement
    and lives in the shared database, so every app server sees the same count.

    Rows of callers who stopped calling would pile up forever, so a database
    trigger (migration 0010) deletes up to 100 rows whose window has ended each
    time a caller starts a new window: no extra statement on any request.
    """

    key = models.CharField(max_length=200, primary_key=True)
    started = models.BigIntegerField(help_text="Start of the current window, in epoch seconds.")
    expires = models.BigIntegerField(
        default=0, db_index=True, help_text="End of the current window, in epoch seconds."
    )
    hits = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.key}: {self.hits} since {self.started}"


class MethodStatementManager(models.Manager):
    def get_by_natural_key(self, review_slug, aspect, order):
        return self.get(review__slug=review_slug, aspect=aspect, order=order)


class MethodStatement(models.Model):
    """What a review's authors say about one aspect of their method, in their words.

    Reports and the RAMESES checklists read these instead of printing a
    placeholder. They are kept apart from `Review.notes` (ichub's own account of
    what the sources leave out) so the authors' text and the project's gap notes
    can never be confused; `quoted` marks text copied verbatim from the paper.
    """

    class Aspect(models.TextChoices):
        ABSTRACT = "abstract", "Abstract"
        RATIONALE = "rationale", "Rationale for the review"
        REALIST_RATIONALE = "realist_rationale", "Rationale for a realist approach"
        CHANGES = "changes", "Changes in the review process"
        SCOPING = "scoping", "Scoping the literature"
        SEARCH = "search", "Search: sources, dates and limits"
        SELECTION_APPRAISAL = "selection_appraisal", "Selection and appraisal"
        DATA_EXTRACTION = "data_extraction", "Data extraction"
        ANALYSIS_SYNTHESIS = "analysis_synthesis", "Analysis and synthesis"
        ETHICS = "ethics", "Ethics"
        SUMMARY = "summary", "Summary of findings"
        STRENGTHS_LIMITATIONS = "strengths_limitations", "Strengths and limitations"
        COMPARISON = "comparison", "Comparison with existing literature"
        CONCLUSIONS = "conclusions", "Conclusion and recommendations"
        FUNDING = "funding", "Funding and conflicts of interest"
        # What RAMESES II asks of a realist evaluation beyond a synthesis's method.
        SETTING = "setting", "Environment surrounding the evaluation"
        PROGRAMME = "programme", "The programme, policy or initiative evaluated"
        DESIGN = "design", "Evaluation design"
        DATA_COLLECTION = "data_collection", "Data collection methods"
        RECRUITMENT = "recruitment", "Recruitment process and sampling strategy"
        PARTICIPANTS = "participants", "Details of participants"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="method_statements")
    aspect = models.CharField(max_length=30, choices=Aspect.choices)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    quoted = models.BooleanField(
        default=False, help_text="The text is the authors' own words, copied verbatim"
    )
    location = models.CharField(
        max_length=300, blank=True, help_text="Where in the paper, e.g. 'Methods: Search'"
    )
    # Bumped by every edit so two editors' changes cannot overwrite each other (412).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = MethodStatementManager()

    class Meta:
        ordering = ["review", "aspect", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "aspect", "order"], name="method_statement_unique_order"
            ),
        ]

    def __str__(self):
        return f"{self.get_aspect_display()} ({self.review.slug})"

    def natural_key(self):
        return (self.review.slug, self.aspect, self.order)

    natural_key.dependencies = ["ichub.review"]


class QualityRatingManager(models.Manager):
    def get_by_natural_key(self, review_slug, standard):
        return self.get(review__slug=review_slug, standard=standard)


class QualityRating(models.Model):
    """A review team's own rating of its work against one RAMESES quality standard.

    A self-assessment, not ichub's judgement: the team picks a rating and says
    why. `standard` is a key of `reports.quality.STANDARDS`.
    """

    class Rating(models.TextChoices):
        INADEQUATE = "inadequate", "Inadequate"
        ADEQUATE = "adequate", "Adequate"
        GOOD = "good", "Good"
        EXCELLENT = "excellent", "Excellent"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="quality_ratings")
    standard = models.CharField(max_length=40)
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    note = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = QualityRatingManager()

    class Meta:
        ordering = ["review", "standard"]
        constraints = [
            models.UniqueConstraint(fields=["review", "standard"], name="quality_rating_unique"),
        ]

    def __str__(self):
        return f"{self.standard}: {self.get_rating_display() or 'not rated'} ({self.review.slug})"

    def natural_key(self):
        return (self.review.slug, self.standard)

    natural_key.dependencies = ["ichub.review"]


class NotApplicableItemManager(models.Manager):
    def get_by_natural_key(self, review_slug, checklist, item):
        return self.get(review__slug=review_slug, checklist=checklist, item=item)


class NotApplicableItem(models.Model):
    """A RAMESES checklist item the review team says does not apply to their review, and why.

    Without it a checklist can only say "no" for an item a review has no
    reason to report (ethics for a review of published papers, say), which
    reads as a fault. The reason is required, so "not applicable" is always a
    stated judgement and never a silent gap; removing the row makes the item
    count again, and history keeps both. `checklist` is a key of
    `reports.rameses_standards.CHECKLISTS`.
    """

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="not_applicable_items"
    )
    checklist = models.CharField(max_length=40)
    item = models.PositiveSmallIntegerField()
    reason = models.TextField(help_text="Why the item does not apply to this review")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = NotApplicableItemManager()

    class Meta:
        ordering = ["review", "checklist", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "checklist", "item"], name="not_applicable_item_unique"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="not_applicable_item_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.checklist} item {self.item} not applicable ({self.review.slug})"

    def natural_key(self):
        return (self.review.slug, self.checklist, self.item)

    natural_key.dependencies = ["ichub.review"]
