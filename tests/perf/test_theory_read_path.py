"""The serializer-free theory detail gives exactly what the DRF serializer gives."""

import json

from django.test import RequestFactory
from rest_framework.request import Request

from cmocs.models import CMOC
from evidence.models import SourceDocument
from programme_theories.api import ProgrammeTheoryViewSet
from programme_theories.read_paths import theory_detail_data
from programme_theories.serializers import ProgrammeTheoryDetailSerializer


def prefetched(theory, user):
    view = ProgrammeTheoryViewSet(action="retrieve", kwargs={"pk": theory.pk}, format_kwarg=None)
    view.request = Request(RequestFactory().get("/"))
    view.request.user = user
    return view.get_queryset().get(pk=theory.pk), view


def test_it_equals_the_serializers_output(make_synthetic, staff, editor):
    review = make_synthetic(0.05)
    theory = review.theories.order_by("pk").first()
    cmoc = CMOC.objects.filter(theory=theory).first()
    CMOC.objects.filter(pk=cmoc.pk).update(created_by=editor, notes="A caveat.", context=None)
    SourceDocument.objects.filter(review=review).update(year=None)  # citation without a year
    loaded, view = prefetched(theory, staff)
    expected = ProgrammeTheoryDetailSerializer(loaded, context=view.get_serializer_context()).data
    ours = theory_detail_data(view.get_queryset(), theory.pk)
    assert len(ours["cmocs"]) >= 5 and ours["cmocs"][0]["evidence"]
    assert json.dumps(ours, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_it_reads_three_queries_and_nothing_outside_the_scope(
    make_synthetic, staff, django_assert_num_queries
):
    from programme_theories.models import ProgrammeTheory

    review = make_synthetic(0.05)
    theory = review.theories.order_by("pk").first()

    with django_assert_num_queries(3):
        data = theory_detail_data(ProgrammeTheory.objects.all(), theory.pk)

    assert data["id"] == theory.pk and len(data["cmocs"]) == theory.cmocs.count()
    assert theory_detail_data(ProgrammeTheory.objects.exclude(pk=theory.pk), theory.pk) is None
