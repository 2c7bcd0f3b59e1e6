from django import forms

from evidence.models import Excerpt, SourceDocument
from evidence.search import search_sources


class SourceFilterForm(forms.Form):
    """The source list's filters; every one optional, bad values simply ignored."""

    q = forms.CharField(required=False, label="Search title, authors, DOI")
    kind = forms.ChoiceField(required=False, label="Kind",
                             choices=[("", "Any kind"), *SourceDocument.Kind.choices])
    inclusion = forms.ChoiceField(required=False, label="Inclusion",
                                  choices=[("", "Any"), *SourceDocument.Inclusion.choices])
    year = forms.IntegerField(required=False, min_value=1000, max_value=9999, label="Year")

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["inclusion"]:
            queryset = queryset.filter(inclusion_status=data["inclusion"])
        if data["year"]:
            queryset = queryset.filter(year=data["year"])
        return search_sources(queryset, data["q"])


class ExcerptForm(forms.ModelForm):
    class Meta:
        model = Excerpt
        fields = ["text", "kind", "page", "section", "location_note"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        labels = {"text": "Excerpt text", "location_note": "Other location (e.g. line, table)"}
