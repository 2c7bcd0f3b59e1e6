"""Query-string filters for the source and excerpt lists."""

import django_filters

from evidence.models import Excerpt, SourceDocument, normalise_doi
from evidence.search import search_excerpts, search_sources
from ichub.drf import BooleanFilter, IntegerFilter


class SourceFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="review__slug", help_text="Review slug")
    kind = django_filters.ChoiceFilter(choices=SourceDocument.Kind.choices)
    included = BooleanFilter(
        method="filter_included", help_text="true: included sources; false: all others"
    )
    year = IntegerFilter(field_name="year")
    doi = django_filters.CharFilter(
        method="filter_doi", help_text="A DOI, with or without https://doi.org/ (any case)"
    )
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the record")

    class Meta:
        model = SourceDocument
        fields = ["review", "kind", "included", "year", "doi", "search"]

    def filter_included(self, queryset, name, value):
        included = SourceDocument.Inclusion.INCLUDED
        return queryset.filter(inclusion_status=included) if value else queryset.exclude(
            inclusion_status=included
        )

    def filter_doi(self, queryset, name, value):
        return queryset.filter(doi__iexact=normalise_doi(value))

    def filter_search(self, queryset, name, value):
        return search_sources(queryset, value)


class ExcerptFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="source__review__slug", help_text="Review slug")
    source = IntegerFilter(field_name="source_id")
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the excerpt")

    class Meta:
        model = Excerpt
        fields = ["review", "source", "search"]

    def filter_search(self, queryset, name, value):
        return search_excerpts(queryset, value)
