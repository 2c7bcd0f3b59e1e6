"""A source's full text, its extracted pages, and the anchors that tie excerpts to them."""

import re
import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .sources import Excerpt, SourceDocument


def full_text_path(instance, filename):
    """Stored under a random name: the uploader's file name is kept as data, never as a path."""
    return f"fulltexts/{instance.source.review_id}/{uuid.uuid4().hex}"


# The only storage names full_text_path makes: a restored document may name no other file.
STORED_NAME = re.compile(r"^fulltexts/[0-9]+/[0-9a-f]{32}$")


class FullTextQuerySet(models.QuerySet):
    def for_review(self, review):
        return self.filter(source__review=review)


class FullText(models.Model):
    """The one current full text of a source; replacing it re-anchors the excerpts."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        HTML = "html", "HTML"
        TEXT = "text", "Plain text"
        MARKDOWN = "markdown", "Markdown"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for extraction"
        EXTRACTING = "extracting", "Extracting text"
        READY = "ready", "Ready"
        FAILED = "failed", "Extraction failed"

    source = models.OneToOneField(
        SourceDocument, on_delete=models.CASCADE, related_name="full_text"
    )
    file = models.FileField(upload_to=full_text_path, max_length=300)
    format = models.CharField(max_length=10, choices=Format.choices)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.TextField(blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    char_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    extracted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = FullTextQuerySet.as_manager()

    class Meta:
        ordering = ["source"]

    def __str__(self):
        return f"Full text of {self.source} ({self.get_format_display()})"

    @property
    def is_ready(self):
        return self.status == self.Status.READY

    @property
    def content_type(self):
        return {"pdf": "application/pdf", "html": "text/html", "markdown": "text/markdown"}.get(
            self.format, "text/plain"
        )

    def text_between(self, start, end):
        """The document text in [start, end) from the pages that cover it (one query)."""
        pages = self.pages.filter(start__lt=max(end, start + 1), end__gt=start).order_by("number")
        text = "".join(p.text for p in pages)
        first = pages[0].start if pages else 0
        return text[start - first:end - first], (pages[0].number if pages else None)


class FullTextPage(models.Model):
    """One page of extracted text; `start` is its offset in the whole document's text.

    The document text is the pages joined in order, so an offset names one
    character for good: search and anchors read pages, never the file.
    """

    full_text = models.ForeignKey(FullText, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["full_text", "number"]
        constraints = [
            models.UniqueConstraint(fields=["full_text", "number"], name="fulltext_page_unique"),
        ]
        indexes = [models.Index(fields=["full_text", "start"])]

    def __str__(self):
        return f"p. {self.number} of {self.full_text.source}"


class ExcerptAnchor(models.Model):
    """Where an excerpt sits in its source's full text (W3C TextPosition + TextQuote).

    An anchor outlives the text it points into: when the full text is replaced
    and the quote cannot be found again, the anchor is marked orphaned and the
    excerpt is kept and shown, because the excerpt is evidence in its own right.
    """

    excerpt = models.OneToOneField(Excerpt, on_delete=models.CASCADE, related_name="anchor")
    full_text = models.ForeignKey(
        FullText, null=True, blank=True, on_delete=models.SET_NULL, related_name="anchors"
    )
    page = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    orphaned = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="anchor_nonempty"),
        ]

    def __str__(self):
        state = "orphaned" if self.orphaned else f"p. {self.page}"
        return f"Anchor of {self.excerpt_id} ({state}, {self.start}–{self.end})"

    def as_selectors(self):
        """The W3C Web Annotation selectors for this anchor."""
        return [
            {"type": "TextPositionSelector", "start": self.start, "end": self.end},
            {"type": "TextQuoteSelector", "exact": self.exact, "prefix": self.prefix,
             "suffix": self.suffix},
        ]


class ImportedCode(models.Model):
    """A code from another tool's codebook, kept until a reviewer maps it to a CMOC slot.

    REFI-QDA codes are free-form themes; only a person can say whether "Trust"
    is a context, a mechanism or an outcome, so an import stores the codebook
    as it came (with the excerpts coded with each code) and the mapping step
    turns chosen codes into elements.
    """

    class Mapping(models.TextChoices):
        UNMAPPED = "", "Not mapped yet"
        SKIP = "skip", "Skip"
        CONTEXT = "context", "Context"
        MECHANISM_RESOURCE = "mechanism_resource", "Mechanism (resource)"
        MECHANISM_REASONING = "mechanism_reasoning", "Mechanism (reasoning)"
        OUTCOME = "outcome", "Outcome"

    review = models.ForeignKey("ichub.Review", on_delete=models.CASCADE,
                               related_name="imported_codes")
    guid = models.CharField(max_length=40)
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    origin = models.CharField(max_length=200, blank=True, help_text="The tool that exported it")
    mapping = models.CharField(max_length=20, choices=Mapping.choices, blank=True)
    element_key = models.CharField(max_length=100, blank=True,
                                   help_text="The element made from it by the mapping step")
    excerpts = models.ManyToManyField(Excerpt, blank=True, related_name="imported_codes")

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "guid"], name="imported_code_unique_guid"),
        ]

    def __str__(self):
        return self.name
