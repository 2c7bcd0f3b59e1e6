from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ichub.models import (
    Membership,
    MethodStatement,
    NotApplicableItem,
    OperationalDefinition,
    QualityRating,
    Review,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OperationalDefinitionInline(admin.StackedInline):
    model = OperationalDefinition
    extra = 0


class MethodStatementInline(admin.StackedInline):
    """The authors' own words on each aspect of the method (quoted = verbatim)."""

    model = MethodStatement
    extra = 0
    fields = ["aspect", "order", "text", "quoted", "location"]


class QualityRatingInline(admin.TabularInline):
    model = QualityRating
    extra = 0
    fields = ["standard", "rating", "note", "rated_by"]
    raw_id_fields = ["rated_by"]


class NotApplicableItemInline(admin.TabularInline):
    """Checklist items the team says do not apply to the review, with why."""

    model = NotApplicableItem
    extra = 0
    fields = ["checklist", "item", "reason", "set_by"]
    raw_id_fields = ["set_by"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "method", "visibility", "year", "doi"]
    list_filter = ["method", "visibility"]
    search_fields = ["title", "slug", "question", "doi", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tests_theories_of"]
    inlines = [
        OperationalDefinitionInline, MethodStatementInline, QualityRatingInline,
        NotApplicableItemInline, MembershipInline,
    ]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "review", "role", "created_at"]
    list_filter = ["role", "review"]
    search_fields = ["user__username", "review__title", "review__slug"]
    autocomplete_fields = ["user", "review"]


@admin.register(OperationalDefinition)
class OperationalDefinitionAdmin(admin.ModelAdmin):
    list_display = ["review", "element", "text"]
    list_filter = ["element", "review"]
    search_fields = ["text", "review__title"]


@admin.register(MethodStatement)
class MethodStatementAdmin(SimpleHistoryAdmin):
    list_display = ["review", "aspect", "order", "quoted", "location"]
    list_filter = ["aspect", "quoted", "review"]
    search_fields = ["text", "location", "review__title"]


@admin.register(NotApplicableItem)
class NotApplicableItemAdmin(SimpleHistoryAdmin):
    list_display = ["review", "checklist", "item", "reason"]
    list_filter = ["checklist", "review"]
    search_fields = ["reason", "review__title", "review__slug"]
    raw_id_fields = ["set_by"]
