"""Query-string filters for the CMOC, element and evidence-link lists."""

import django_filters

from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from cmocs.search import search_cmocs
from ichub.drf import IntegerFilter


class CMOCFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="review__slug", help_text="Review slug")
    theory = IntegerFilter(field_name="theory_id", help_text="Programme theory id")
    stage = django_filters.ChoiceFilter(choices=CMOC.Stage.choices)
    status = django_filters.ChoiceFilter(choices=CMOC.Status.choices)
    source = IntegerFilter(
        method="filter_source", help_text="CMOCs with evidence from this source (id)"
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the code, statement or elements"
    )

    class Meta:
        model = CMOC
        fields = ["review", "theory", "stage", "status", "source", "search"]

    def filter_source(self, queryset, name, value):
        # A subquery, not a join, so a CMOC with many excerpts from the source appears once.
        linked = EvidenceLink.objects.filter(excerpt__source_id=value).values("cmoc_id")
        return queryset.filter(pk__in=linked)

    def filter_search(self, queryset, name, value):
        return search_cmocs(queryset, value)


class _ElementFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="review__slug", help_text="Review slug")
    search = django_filters.CharFilter(field_name="text", lookup_expr="icontains")


class ContextFilter(_ElementFilter):
    class Meta:
        model = Context
        fields = ["review", "search"]


class MechanismFilter(_ElementFilter):
    kind = django_filters.ChoiceFilter(choices=Mechanism.Kind.choices)

    class Meta:
        model = Mechanism
        fields = ["review", "kind", "search"]


class OutcomeFilter(_ElementFilter):
    class Meta:
        model = Outcome
        fields = ["review", "search"]


class EvidenceLinkFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="cmoc__review__slug", help_text="Review slug")
    cmoc = IntegerFilter(field_name="cmoc_id")
    source = IntegerFilter(field_name="excerpt__source_id")
    stance = django_filters.ChoiceFilter(choices=EvidenceLink.Stance.choices)
    element = django_filters.ChoiceFilter(choices=EvidenceLink.Element.choices)

    class Meta:
        model = EvidenceLink
        fields = ["review", "cmoc", "source", "stance", "element"]
