from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent, Mechanism, Outcome


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    extra = 0
    fields = ["excerpt", "element", "stance", "provenance", "reading", "note"]
    raw_id_fields = ["excerpt"]


class ElementAdmin(SimpleHistoryAdmin):
    list_display = ["key", "text", "review"]
    list_filter = ["review"]
    search_fields = ["key", "text"]


admin.site.register(Context, ElementAdmin)
admin.site.register(Outcome, ElementAdmin)


@admin.register(Mechanism)
class MechanismAdmin(ElementAdmin):
    list_display = ["key", "kind", "text", "review"]
    list_filter = ["kind", "review"]


@admin.register(CMOC)
class CMOCAdmin(SimpleHistoryAdmin):
    list_display = [
        "code", "stage", "status", "theory", "theory_provenance", "review", "version", "updated_at"
    ]
    list_filter = ["review", "stage", "status", "theory"]
    search_fields = [
        "code", "statement", "context__text", "mechanism_resource__text",
        "mechanism_reasoning__text", "outcome__text",
    ]
    list_select_related = ["theory", "review"]
    autocomplete_fields = ["context", "mechanism_resource", "mechanism_reasoning", "outcome"]
    readonly_fields = ["version", "created_by", "updated_by", "created_at", "updated_at"]
    inlines = [EvidenceLinkInline]

    def save_model(self, request, obj, form, change):
        """Admin edits bump the version too, so API clients holding an ETag see the change.

        Counted from the stored row, not the form's object: a history revert
        hands over the old version's number, which would reissue a live ETag.
        """
        if change:
            obj.version = CMOC.objects.values_list("version", flat=True).get(pk=obj.pk) + 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(SimpleHistoryAdmin):
    list_display = ["cmoc", "excerpt", "element", "stance", "provenance"]
    list_filter = ["stance", "element", "cmoc__review"]
    search_fields = ["cmoc__code", "excerpt__text", "excerpt__source__title", "note"]
    list_select_related = ["cmoc", "excerpt__source"]
    raw_id_fields = ["cmoc", "excerpt"]


@admin.register(LineageEvent)
class LineageEventAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "review", "phase", "certainty", "decided_on"]
    list_filter = ["kind", "certainty", "review"]
    search_fields = ["key", "rationale", "phase"]
    filter_horizontal = ["inputs", "outputs"]
    raw_id_fields = ["evidence", "decided_by"]
