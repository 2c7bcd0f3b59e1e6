"""Query-string filters for the programme theory list."""

import django_filters

from ichub.drf import IntegerFilter
from programme_theories.models import ProgrammeTheory


class ProgrammeTheoryFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="review__slug", help_text="Review slug")
    stage = django_filters.ChoiceFilter(choices=ProgrammeTheory.Stage.choices)
    theme = IntegerFilter(field_name="theme_id", help_text="Theme id")

    class Meta:
        model = ProgrammeTheory
        fields = ["review", "stage", "theme"]
