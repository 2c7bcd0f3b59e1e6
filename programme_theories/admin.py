from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programme_theories.models import Framework, ProgrammeTheory, Theme


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["order", "name", "description", "citations"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "review"]
    list_filter = ["kind", "review"]
    search_fields = ["name", "citation", "description"]
    inlines = [ThemeInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework__review", "framework"]
    search_fields = ["name", "description"]


@admin.register(ProgrammeTheory)
class ProgrammeTheoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "stage", "theme", "review", "version", "updated_at"]
    list_filter = ["stage", "review", "theme"]
    search_fields = ["name", "statement"]
    readonly_fields = ["version", "created_by", "updated_by", "created_at", "updated_at"]
    raw_id_fields = ["revises"]
