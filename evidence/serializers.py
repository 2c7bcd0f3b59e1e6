"""JSON for sources and excerpts, including the compact forms nested in CMOCs and theories."""

from rest_framework import serializers

from evidence.importers.types import CSL_TYPES
from evidence.models import Excerpt, SourceDocument, normalise_doi
from ichub.drf import (
    MAX_TEXT,
    VisibleRelatedField,
    VisibleReviewSlugField,
    full_clean,
    refuse_reparenting,
)
from ichub.keys import new_key

# What a nested citation reads: keep querysets that feed the nested forms to these columns.
CITATION_FIELDS = ("id", "review", "citation_key", "authors", "year", "title", "doi")
EXCERPT_BRIEF_FIELDS = ("id", "source", "key", "text", "kind", "page", "section",
                        "location_note")


class SourceCitationSerializer(serializers.ModelSerializer):
    """A source as cited next to evidence: who, when, what, and its DOI."""

    citation = serializers.CharField(source="short_citation", read_only=True)

    class Meta:
        model = SourceDocument
        fields = ["id", "citation_key", "citation", "authors", "year", "title", "doi"]
        read_only_fields = fields


class ExcerptBriefSerializer(serializers.ModelSerializer):
    """An excerpt nested in evidence: its text, where it is in the source, and the source."""

    location = serializers.CharField(read_only=True)
    source = SourceCitationSerializer(read_only=True)

    class Meta:
        model = Excerpt
        fields = ["id", "key", "text", "kind", "location", "page", "section", "source"]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    review = VisibleReviewSlugField()
    citation = serializers.CharField(source="short_citation", read_only=True)
    year = serializers.IntegerField(min_value=0, max_value=32767, required=False,
                                    allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)

    class Meta:
        model = SourceDocument
        fields = [
            "id", "review", "citation_key", "citation", "kind", "reference_type", "genre",
            "authors", "editors", "year", "title", "container", "publisher", "volume", "issue",
            "pages", "doi", "url", "abstract", "keywords", "phase",
            "inclusion_status", "excluded_at_stage", "exclusion_reason", "notes",
            "created_by", "created_at", "updated_at",
        ]
        # Uniqueness (citation key, DOI) is checked by the model's full_clean(),
        # which knows the review; DRF's generated validators would demand fields.
        validators = []
        extra_kwargs = {
            "authors": {"max_length": MAX_TEXT},
            "editors": {"max_length": MAX_TEXT},
            "title": {"max_length": MAX_TEXT},
            "abstract": {"max_length": MAX_TEXT * 5},
            "keywords": {"max_length": MAX_TEXT,
                         "help_text": "The record's keywords or subject headings, one a line."},
            "exclusion_reason": {"max_length": MAX_TEXT},
            "notes": {"max_length": MAX_TEXT},
        }

    def validate_doi(self, value):
        return normalise_doi(value)

    def validate_reference_type(self, value):
        """A CSL type, so every export knows how to write the source; blank: from its kind."""
        if value and value not in CSL_TYPES:
            raise serializers.ValidationError(
                f"Unknown reference type {value!r}; use a CSL type such as article-journal, "
                "book, chapter, report or thesis."
            )
        return value

    def validate(self, attrs):
        refuse_reparenting(
            self.instance, attrs, "review", "A source cannot move to another review."
        )
        source = self.instance or SourceDocument()
        for name, value in attrs.items():
            setattr(source, name, value)
        full_clean(source)
        return attrs


class ExcerptSerializer(serializers.ModelSerializer):
    source = VisibleRelatedField(queryset=SourceDocument.objects.all())
    review = serializers.SlugRelatedField(source="source.review", slug_field="slug",
                                          read_only=True)
    key = serializers.SlugField(max_length=100, required=False)
    location = serializers.CharField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)

    class Meta:
        model = Excerpt
        fields = [
            "id", "source", "review", "key", "text", "kind", "location", "page", "section",
            "location_note", "created_by", "created_at",
        ]
        validators = []
        extra_kwargs = {"text": {"max_length": MAX_TEXT}}

    def validate(self, attrs):
        refuse_reparenting(
            self.instance, attrs, "source", "An excerpt cannot move to another source."
        )
        excerpt = self.instance or Excerpt()
        for name, value in attrs.items():
            setattr(excerpt, name, value)
        if not excerpt.key:
            excerpt.key = attrs["key"] = new_key("x")
        full_clean(excerpt)
        return attrs


def brief_excerpt_columns(prefix=""):
    """The only() paths an ExcerptBriefSerializer reads, under `prefix` (e.g. "excerpt__")."""
    return [f"{prefix}{name}" for name in EXCERPT_BRIEF_FIELDS] + [
        f"{prefix}source__{name}" for name in CITATION_FIELDS
    ]
