from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ichub.models import Membership, OperationalDefinition, Review


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OperationalDefinitionInline(admin.StackedInline):
    model = OperationalDefinition
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "method", "visibility", "year", "doi"]
    list_filter = ["method", "visibility"]
    search_fields = ["title", "slug", "question", "doi", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tests_theories_of"]
    inlines = [OperationalDefinitionInline, MembershipInline]


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
