"""Sources, what happened to them in screening and appraisal, and their excerpts."""

import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower, Substr
from simple_history.models import HistoricalRecords

from evidence.names import name_groups
from ichub.models import Review
from ichub.permissions import OWNER, has_role
from ichub.versioning import Versioned

_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


_INITIALS = re.compile(r"^(?:[A-Z]\.\s*-?\s*)+$|^[A-Z]$")


def _surnames(authors: str) -> list[str]:
    """Surnames from 'Robert, E., Zongo, S., Rajan, D. and Ridde, V.' (initials dropped).

    Reference lists separate authors by commas as well as by 'and', so a
    comma-separated token that is only initials belongs to the name before it.
    """
    authors = re.sub(r"\bet al\.?", "", authors)
    tokens = [t.strip() for part in name_groups(authors) for t in part.split(",")]
    return [t for t in tokens if t and not _INITIALS.match(t)]


def normalise_doi(doi: str) -> str:
    """A DOI without URL or 'doi:' prefix, lower-cased: DOIs are case-insensitive."""
    return _DOI_PREFIX.sub("", (doi or "").strip()).strip().lower()


class SourceDocumentQuerySet(models.QuerySet):
    def for_review(self, review):
        return self.filter(review=review)

    def included(self):
        return self.filter(inclusion_status=SourceDocument.Inclusion.INCLUDED)

    def excluded(self):
        return self.filter(inclusion_status=SourceDocument.Inclusion.EXCLUDED)

    @transaction.atomic
    def delete(self):
        """Delete the sources, first taking them out of their reviews' screening summaries."""
        _forget_screening(self.values_list("review_id", "pk"))
        return super().delete()


def _forget_screening(review_and_source_ids):
    """Take sources about to be deleted out of the kept screening states and summaries.

    The cascade would delete their ScreeningState rows but leave the review's
    ScreeningSummary counting them (evidence.screening.states.forget_sources).
    A whole review's deletion does not come here: its summary goes with it.
    """
    from evidence.screening.states import forget_sources  # the screening code reads models

    by_review = {}
    for review_id, pk in review_and_source_ids:
        by_review.setdefault(review_id, set()).add(pk)
    for review_id, ids in by_review.items():
        forget_sources(review_id=review_id, source_ids=ids)


class SourceDocumentManager(models.Manager.from_queryset(SourceDocumentQuerySet)):
    def get_by_natural_key(self, review_slug, citation_key):
        return self.get(review__slug=review_slug, citation_key=citation_key)


def year_suffix(year, citation_key):
    """The 'b' of 'Aunger et al. (2022b)': reviews tell same-author, same-year works
    apart by a letter, which ichub keeps at the end of the citation key."""
    match = re.search(rf"{year}([a-z])$", citation_key or "")
    return match.group(1) if match else ""


@functools.lru_cache(maxsize=8192)
def short_citation(authors, year, title, citation_key):
    """'Pearson and Watson (2018)' from a source's columns (read paths that skip instances).

    A pure function of its arguments, so it is memoised: splitting author lists
    was a tenth of a large theory detail's time, and the same sources recur.
    """
    surnames = _surnames(authors)
    if not surnames:
        lead = title[:60]
    elif len(surnames) == 1 and "et al" not in authors:
        lead = surnames[0]
    elif len(surnames) == 2 and "et al" not in authors:
        lead = f"{surnames[0]} and {surnames[1]}"
    else:
        lead = f"{surnames[0]} et al."
    return f"{lead} ({year}{year_suffix(year, citation_key)})" if year else lead


class SourceDocument(Versioned):
    class Kind(models.TextChoices):
        POLICY_GUIDANCE = "policy_guidance", "Policy or guidance document"
        EMPIRICAL_STUDY = "empirical_study", "Empirical study"
        KEY_INFORMANT_INTERVIEW = "key_informant_interview", "Key-informant interview"
        GREY_LITERATURE = "grey_literature", "Grey literature"
        SUBSTANTIVE_THEORY = "substantive_theory", "Substantive theory"
        OTHER = "other", "Other"

    class Phase(models.TextChoices):
        THEORY_GLEANING = "theory_gleaning", "Theory gleaning"
        THEORY_TESTING = "theory_testing", "Theory testing"

    class Inclusion(models.TextChoices):
        PENDING = "pending", "Not yet decided"
        INCLUDED = "included", "Included"
        EXCLUDED = "excluded", "Excluded"

    class Stage(models.TextChoices):
        TITLE_ABSTRACT = "title_abstract", "Title and abstract screening"
        FULL_TEXT = "full_text", "Full-text screening"
        RELEVANCE = "relevance", "Relevance"
        RICHNESS = "richness", "Richness"
        RIGOUR = "rigour", "Rigour"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sources")
    citation_key = models.SlugField(
        max_length=100, help_text="Short key unique within the review, e.g. embuldeniya2018."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.EMPIRICAL_STUDY)
    reference_type = models.CharField(
        max_length=40,
        blank=True,
        help_text="CSL type as imported ('article-journal', 'report', 'chapter'…); blank: "
        "exports derive it from the kind",
    )
    authors = models.TextField(
        blank=True,
        help_text="As cited, e.g. 'Pearson, C. and Watson, N.'; separate names with ';' "
        "when one holds 'and' ('Department of Health and Social Care; NHS England')",
    )
    genre = models.CharField(
        max_length=100,
        blank=True,
        help_text="CSL genre: the kind of thesis or report ('Master's thesis', "
        "'Government document')",
    )
    editors = models.TextField(blank=True, help_text="Editors, as authors are written")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.TextField()
    container = models.CharField(
        max_length=500, blank=True, help_text="Journal, book or proceedings it appeared in"
    )
    publisher = models.CharField(
        max_length=300, blank=True, help_text="Publisher, institution or university"
    )
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    abstract = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True,
        help_text="The record's own keywords or subject headings, one a line (from its import).",
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    inclusion_status = models.CharField(
        max_length=10, choices=Inclusion.choices, default=Inclusion.PENDING
    )
    excluded_at_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    exclusion_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SourceDocumentManager()

    class Meta:
        ordering = ["review", "authors", "year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "citation_key"], name="source_unique_citation_key"
            ),
            models.UniqueConstraint(
                "review",
                Lower("doi"),
                condition=~Q(doi=""),
                name="source_unique_doi_ci",
                violation_error_message="A source with this DOI already exists in this review.",
            ),
            models.CheckConstraint(
                condition=Q(inclusion_status="excluded") | Q(excluded_at_stage=""),
                name="source_exclusion_stage_only_when_excluded",
            ),
        ]
        indexes = [
            models.Index(fields=["review", "kind", "year"]),
            # The flow names each stage's first exclusions by author: read in this order, a
            # page stops after a few rows. Authors only by their start, as a long author
            # list would not fit a btree entry.
            models.Index(F("review"), F("inclusion_status"), F("excluded_at_stage"),
                         Substr("authors", 1, 100), F("year"), F("id"),
                         name="source_exclusions_by_author"),
            # The title/abstract queue's first unscreened source: pending ones in id order.
            models.Index(fields=["review", "id"], condition=Q(inclusion_status="pending"),
                         name="source_pending_by_id"),
        ]

    def __str__(self):
        return self.short_citation

    @transaction.atomic
    def delete(self, *args, **kwargs):
        """Delete the source, first taking it out of its review's screening summary."""
        _forget_screening([(self.review_id, self.pk)])
        return super().delete(*args, **kwargs)

    def natural_key(self):
        return (self.review.slug, self.citation_key)

    natural_key.dependencies = ["ichub.review"]

    @property
    def short_citation(self):
        """'Pearson and Watson (2018)': the form the review's text cites sources in."""
        return short_citation(self.authors, self.year, self.title, self.citation_key)

    @property
    def year_suffix(self):
        return year_suffix(self.year, self.citation_key)

    def screening_status(self, stage, required):
        """Where this source stands at a screening stage (awaiting, settled, conflict, resolved).

        Reads `screening_decisions` and `screening_resolutions` through .all(), so
        a list of sources prefetched with the current decisions costs no query each.
        """
        from .screening import screening_status

        decisions = [
            d for d in self.screening_decisions.all() if d.is_current and d.stage == stage
        ]
        resolution = next((r for r in self.screening_resolutions.all() if r.stage == stage), None)
        status = screening_status(decisions, required, resolution)
        status.source, status.stage = self, stage
        return status

    def appraisal_decision(self, appraisals=None):
        """The review's decision at its appraisal steps, derived from the ratings.

        Realist appraisal runs in order: a source must be relevant (able to test
        the programme theories) before its richness matters, and rich before its
        rigour does. The first step whose whole-source ratings all say "does not
        meet" excludes the source there; mixed or "unclear" ratings leave it
        disputed; a step nobody has rated leaves it pending. Ratings by users and
        label-only ratings ("LK and RG", transcribed from a paper) count alike,
        so a shipped review's exclusions read from its appraisal rows. Reads
        `appraisals` through .all() so a prefetched list costs no query each;
        a caller that read the ratings already passes them as `appraisals`.
        """
        by_criterion = {}
        for appraisal in self.appraisals.all() if appraisals is None else appraisals:
            if appraisal.excerpt_id is None:
                by_criterion.setdefault(appraisal.criterion, []).append(appraisal)
        for criterion in Appraisal.Criterion.values:
            ratings = by_criterion.get(criterion, [])
            judgements = {a.judgement for a in ratings}
            if not ratings:
                return AppraisalDecision(AppraisalDecision.PENDING, criterion, ratings)
            if judgements == {Appraisal.Judgement.DOES_NOT_MEET}:
                return AppraisalDecision(AppraisalDecision.EXCLUDED, criterion, ratings)
            if judgements != {Appraisal.Judgement.MEETS}:
                return AppraisalDecision(AppraisalDecision.DISPUTED, criterion, ratings)
        return AppraisalDecision(AppraisalDecision.INCLUDED, "", [])

    def clean(self):
        self.doi = normalise_doi(self.doi)
        if self.inclusion_status != self.Inclusion.EXCLUDED and self.excluded_at_stage:
            raise ValidationError(
                {"excluded_at_stage": "Only an excluded source has an exclusion stage."}
            )


@dataclass(frozen=True)
class AppraisalDecision:
    """Where a source stands in appraisal: the outcome, the step, and the ratings behind it."""

    outcome: str
    criterion: str
    ratings: list

    INCLUDED = "included"
    EXCLUDED = "excluded"
    DISPUTED = "disputed"
    PENDING = "pending"

    @property
    def by_users(self):
        """True when someone in ichub rated it, rather than only transcribed labels."""
        return any(a.reviewer_id for a in self.ratings)


class ScreeningCountManager(models.Manager):
    def get_by_natural_key(self, review_slug, stage):
        return self.get(review__slug=review_slug, stage=stage)


class ScreeningCount(models.Model):
    """How many records reached a stage of the review's flow.

    Stored as numbers, not rows, because most records a review screens (the
    ICS review's 5,716) never enter the tool one by one.
    """

    class Stage(models.TextChoices):
        IDENTIFIED = "identified", "Records identified"
        TITLE_ABSTRACT = "title_abstract", "Screened by title and abstract"
        FULL_TEXT = "full_text", "Screened by full text"
        RELEVANCE = "relevance", "Assessed for relevance"
        RICHNESS = "richness", "Assessed for richness"
        RIGOUR = "rigour", "Assessed for rigour"
        INCLUDED = "included", "Included"

    STAGE_ORDER = [choice for choice, _ in Stage.choices]

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="screening_counts")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank when not reported"
    )
    note = models.TextField(blank=True, help_text="Where the number comes from, or why it is blank")

    objects = ScreeningCountManager()

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "stage"], name="screening_count_unique_stage"
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.count if self.count is not None else '—'}"

    def natural_key(self):
        return (self.review.slug, self.stage)

    natural_key.dependencies = ["ichub.review"]


class ExcerptQuerySet(models.QuerySet):
    def for_review(self, review):
        return self.filter(source__review=review)


class ExcerptManager(models.Manager.from_queryset(ExcerptQuerySet)):
    def get_by_natural_key(self, review_slug, citation_key, key):
        return self.get(
            source__review__slug=review_slug, source__citation_key=citation_key, key=key
        )


def excerpt_location(page, section, location_note):
    """'p. 4, Findings, second paragraph': where in its source an excerpt sits."""
    return ", ".join(part for part in (f"p. {page}" if page else "", section, location_note)
                     if part)


class Excerpt(models.Model):
    class Kind(models.TextChoices):
        QUOTE = "quote", "Quote"
        OBSERVATION_NOTE = "observation_note", "Observation note"
        STUDY_EXCERPT = "study_excerpt", "Study excerpt"
        SUMMARY = "summary", "Summary"

    source = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="excerpts")
    key = models.SlugField(max_length=100, help_text="Short key unique within the source")
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STUDY_EXCERPT)
    page = models.CharField(max_length=50, blank=True)
    section = models.CharField(max_length=200, blank=True)
    location_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ExcerptManager()

    class Meta:
        ordering = ["source", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="excerpt_unique_key"),
        ]

    def __str__(self):
        snippet = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"{self.source.short_citation}: {snippet}"

    def natural_key(self):
        return (*self.source.natural_key(), self.key)

    natural_key.dependencies = ["evidence.sourcedocument"]

    @property
    def location(self):
        return excerpt_location(self.page, self.section, self.location_note)


class Appraisal(models.Model):
    """A realist appraisal judgement on a source, or on one excerpt of it.

    Realist reviews appraise relevance (can it test the theory?), richness
    (conceptual thickness) and rigour (trustworthiness), and they appraise
    fragments as well as whole studies, hence the optional excerpt.
    """

    class Criterion(models.TextChoices):
        RELEVANCE = "relevance", "Relevance"
        RICHNESS = "richness", "Richness"
        RIGOUR = "rigour", "Rigour"

    class Judgement(models.TextChoices):
        MEETS = "meets", "Meets the bar"
        DOES_NOT_MEET = "does_not_meet", "Does not meet the bar"
        UNCLEAR = "unclear", "Unclear"

    source = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="appraisals")
    excerpt = models.ForeignKey(
        Excerpt, null=True, blank=True, on_delete=models.CASCADE, related_name="appraisals"
    )
    criterion = models.CharField(max_length=10, choices=Criterion.choices)
    judgement = models.CharField(max_length=15, choices=Judgement.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_label = models.CharField(
        max_length=200, blank=True, help_text="Who judged, when not a user of this instance"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "criterion", "id"]
        constraints = [
            # One current rating per user and criterion; a change of mind updates it
            # and django-simple-history keeps the old one. Label-only rows are free.
            models.UniqueConstraint(
                fields=["source", "criterion", "reviewer"],
                condition=Q(excerpt__isnull=True, reviewer__isnull=False),
                name="appraisal_one_per_reviewer_source",
            ),
            models.UniqueConstraint(
                fields=["excerpt", "criterion", "reviewer"],
                condition=Q(excerpt__isnull=False, reviewer__isnull=False),
                name="appraisal_one_per_reviewer_excerpt",
            ),
        ]

    def __str__(self):
        target = f"excerpt {self.excerpt.key}" if self.excerpt_id else str(self.source)
        return f"{self.get_criterion_display()} of {target}: {self.get_judgement_display()}"

    def editable_by(self, user):
        """Only the rater: a rating records their judgement, and an edit by anyone else
        would put words in their name (rate it yourself with a new appraisal instead)."""
        return user.is_authenticated and self.reviewer_id == user.pk

    def deletable_by(self, user):
        """The rater, or an owner clearing a rating (the deletion stays in its history)."""
        return self.editable_by(user) or has_role(user, self.source.review, OWNER)

    def clean(self):
        if self.excerpt_id and self.excerpt.source_id != self.source_id:
            raise ValidationError({"excerpt": "The excerpt must come from the appraised source."})
