from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

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
    ScreeningPair,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningState,
    SearchRecord,
    SourceDocument,
)
from evidence.screening.states import counted, refresh_states


class ExcerptInline(admin.StackedInline):
    model = Excerpt
    extra = 0
    fields = ["key", "kind", "text", "page", "section", "location_note"]


class AppraisalInline(admin.TabularInline):
    model = Appraisal
    extra = 0
    fields = ["criterion", "judgement", "excerpt", "reviewer", "reviewer_label", "note"]
    raw_id_fields = ["excerpt", "reviewer"]


@admin.register(SourceDocument)
class SourceDocumentAdmin(SimpleHistoryAdmin):
    list_display = [
        "short_citation", "title", "kind", "year", "inclusion_status", "excluded_at_stage", "review"
    ]
    list_filter = ["review", "kind", "inclusion_status", "excluded_at_stage", "phase", "year"]
    search_fields = ["title", "authors", "doi", "citation_key", "container"]
    inlines = [AppraisalInline, ExcerptInline]

    def get_readonly_fields(self, request, obj=None):
        """A saved source stays in its review.

        Its screening decisions, states and summary counts, excerpts and CMOC
        links all belong to that review; moving the source alone would leave
        them counted there while the source showed up in another review.
        """
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["review"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        # Reverting to a past version saves that version's instance, review included: a
        # version from before a move (possible until the field became read-only) would
        # move the source back.
        if change:
            obj.review_id = SourceDocument.objects.values_list("review_id", flat=True).get(
                pk=obj.pk)
        super().save_model(request, obj, form, change)

    @admin.display(description="citation", ordering="authors")
    def short_citation(self, obj):
        return obj.short_citation


@admin.register(Excerpt)
class ExcerptAdmin(SimpleHistoryAdmin):
    list_display = ["key", "source", "kind", "page", "section"]
    list_filter = ["kind", "source__review"]
    search_fields = ["text", "key", "source__title", "source__authors"]
    list_select_related = ["source"]
    autocomplete_fields = ["source"]


@admin.register(Appraisal)
class AppraisalAdmin(SimpleHistoryAdmin):
    list_display = ["source", "criterion", "judgement", "excerpt", "reviewer", "reviewer_label"]
    list_filter = ["criterion", "judgement", "source__review"]
    search_fields = ["source__title", "source__authors", "note"]
    list_select_related = ["source", "excerpt", "reviewer"]
    raw_id_fields = ["source", "excerpt", "reviewer"]


@admin.register(ScreeningCount)
class ScreeningCountAdmin(admin.ModelAdmin):
    list_display = ["review", "stage", "count", "note"]
    list_filter = ["review", "stage"]
    search_fields = ["note", "review__title"]


@admin.register(ScreeningProtocol)
class ScreeningProtocolAdmin(admin.ModelAdmin):
    list_display = ["review", "required_reviewers"]
    search_fields = ["review__title", "keywords"]


@admin.register(ExclusionReason)
class ExclusionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "review", "order"]
    list_filter = ["review"]
    search_fields = ["label"]


@admin.register(SearchRecord)
class SearchRecordAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "records_found", "searched_on", "review"]
    list_filter = ["review", "kind"]
    search_fields = ["label", "note"]


class _KeepsScreeningStates:
    """An admin edit of a decision or resolution settles its source's states again.

    The pages count evidence.models.ScreeningState rows, which the services keep;
    the admin writes rows directly, so it refreshes them in the same transaction.
    """

    def _counted(self, source_ids):
        """{review: (its source ids, their summary counts)}, taken before the write."""
        by_review = {}
        for source in SourceDocument.objects.filter(pk__in=source_ids).select_related("review"):
            by_review.setdefault(source.review, set()).add(source.pk)
        return {review: (ids, counted(review=review, source_ids=ids))
                for review, ids in by_review.items()}

    def _refresh(self, before):
        for review, (ids, counts) in before.items():
            refresh_states(review=review, source_ids=ids, before=counts)

    def save_model(self, request, obj, form, change):
        # The row may have moved to another source: both sources' states change.
        moved = set(type(obj).objects.filter(pk=obj.pk).values_list("source_id", flat=True))
        before = self._counted(moved | {obj.source_id})
        super().save_model(request, obj, form, change)
        self._refresh(before)

    def delete_model(self, request, obj):
        before = self._counted({obj.source_id})
        super().delete_model(request, obj)
        self._refresh(before)

    def delete_queryset(self, request, queryset):
        before = self._counted(set(queryset.values_list("source_id", flat=True)))
        super().delete_queryset(request, queryset)
        self._refresh(before)


@admin.register(ScreeningDecision)
class ScreeningDecisionAdmin(_KeepsScreeningStates, admin.ModelAdmin):
    """Read-mostly: decisions are changed by revising them in the app, which keeps the old one."""

    list_display = ["source", "stage", "reviewer", "decision", "exclusion_reason", "is_current",
                    "decided_at"]
    list_filter = ["stage", "decision", "is_current", "source__review"]
    search_fields = ["source__title", "source__citation_key", "reviewer__username", "note"]
    list_select_related = ["source", "reviewer", "exclusion_reason"]
    raw_id_fields = ["source", "reviewer", "supersedes", "exclusion_reason"]


@admin.register(ScreeningResolution)
class ScreeningResolutionAdmin(_KeepsScreeningStates, admin.ModelAdmin):
    list_display = ["source", "stage", "decision", "resolved_by", "resolved_at"]
    list_filter = ["stage", "decision", "source__review"]
    search_fields = ["source__title", "source__citation_key", "note"]
    list_select_related = ["source", "resolved_by"]
    raw_id_fields = ["source", "resolved_by", "exclusion_reason"]


@admin.register(PrioritisationSettings)
class PrioritisationSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["review", "enabled", "exploration_percent", "exploration_mode"]
    list_filter = ["enabled", "exploration_mode"]
    search_fields = ["review__title", "review__slug"]


@admin.register(Ranking)
class RankingAdmin(admin.ModelAdmin):
    """The ranking log: read-only, because a logged ranking must say what was really served."""

    list_display = ["id", "review", "reviewer", "status", "n_included", "n_excluded",
                    "trained_at", "first_served_at", "seconds"]
    list_filter = ["status", "review"]
    search_fields = ["review__title", "reviewer__username"]
    list_select_related = ["review", "reviewer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FullText)
class FullTextAdmin(SimpleHistoryAdmin):
    list_display = ("source", "format", "status", "page_count", "uploaded_at")
    list_filter = ("format", "status")
    search_fields = ("source__citation_key", "source__title", "original_name")
    raw_id_fields = ("source", "uploaded_by")
    readonly_fields = ("sha256", "size", "pages_done", "page_count", "char_count",
                       "extracted_at")


@admin.register(FullTextPage)
class FullTextPageAdmin(admin.ModelAdmin):
    """Extracted text, written by extraction: read here, never edited (anchors index it)."""

    list_display = ("full_text", "number", "start", "end")
    search_fields = ("full_text__source__citation_key", "text")
    raw_id_fields = ("full_text",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ExcerptAnchor)
class ExcerptAnchorAdmin(SimpleHistoryAdmin):
    list_display = ("excerpt", "page", "start", "end", "orphaned")
    list_filter = ("orphaned",)
    search_fields = ("exact", "excerpt__source__citation_key")
    raw_id_fields = ("excerpt", "full_text")


@admin.register(ImportedCode)
class ImportedCodeAdmin(admin.ModelAdmin):
    list_display = ("name", "review", "origin", "mapping", "element_key")
    list_filter = ("mapping", "review")
    search_fields = ("name", "description", "guid")
    raw_id_fields = ("parent", "excerpts")


class _DerivedAdmin(admin.ModelAdmin):
    """Read-only: these rows are derived from the decisions and rebuilt by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        """Yes for a row, so that deleting its source or review can cascade to it.

        The admin asks this of every row a deletion would take with it, and a
        "no" made a screened review or source undeletable (403). A row alone is
        never deleted (delete_view refuses, the list has no delete action): the
        services rebuild these rows, and a missing one would put counts out of step.
        """
        return obj is not None

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied("Derived screening rows go only with their source or review.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ScreeningState)
class ScreeningStateAdmin(_DerivedAdmin):
    list_display = ("source", "stage", "state", "decisions", "includes", "excludes", "resolution")
    list_filter = ("stage", "state", "review")
    search_fields = ("source__citation_key", "source__title")
    list_select_related = ("source",)


@admin.register(ScreeningPair)
class ScreeningPairAdmin(_DerivedAdmin):
    list_display = ("source", "stage", "first_reviewer", "first_label", "second_reviewer",
                    "second_label")
    list_filter = ("stage", "review")
    search_fields = ("source__citation_key", "first_reviewer__username",
                     "second_reviewer__username")
    list_select_related = ("source", "first_reviewer", "second_reviewer")
