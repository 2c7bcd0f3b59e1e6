"""The naive baseline: a theory detail as stock DRF nested ModelSerializers, no prefetching.

Kept only in the benchmark, to show what ichub's read path saves: every
CMOC, element, evidence link, excerpt and source is fetched lazily, one
query at a time, and encoded by DRF's standard-library JSON renderer.
"""

from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer

from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from programme_theories.models import ProgrammeTheory


class SourceOut(serializers.ModelSerializer):
    class Meta:
        model = SourceDocument
        fields = ["id", "citation_key", "authors", "year", "title", "container", "doi"]


class ExcerptOut(serializers.ModelSerializer):
    source = SourceOut()

    class Meta:
        model = Excerpt
        fields = ["id", "key", "text", "kind", "page", "section", "source"]


class EvidenceOut(serializers.ModelSerializer):
    excerpt = ExcerptOut()

    class Meta:
        model = EvidenceLink
        fields = ["id", "element", "stance", "note", "excerpt"]


def _element(model):
    class ElementOut(serializers.ModelSerializer):
        class Meta:
            fields = ["id", "text"]

    ElementOut.Meta.model = model
    return ElementOut


class CMOCOut(serializers.ModelSerializer):
    context = _element(Context)()
    mechanism_resource = _element(Mechanism)()
    mechanism_reasoning = _element(Mechanism)()
    outcome = _element(Outcome)()
    evidence = EvidenceOut(source="evidence_links", many=True)

    class Meta:
        model = CMOC
        fields = [
            "id", "code", "stage", "status", "statement", "notes", "version", "context",
            "mechanism_resource", "mechanism_reasoning", "outcome", "evidence",
        ]


class TheoryOut(serializers.ModelSerializer):
    cmocs = CMOCOut(many=True)

    class Meta:
        model = ProgrammeTheory
        fields = ["id", "name", "stage", "statement", "notes", "version", "cmocs"]


class NaiveTheoryDetail(generics.RetrieveAPIView):
    queryset = ProgrammeTheory.objects.all()
    serializer_class = TheoryOut
    renderer_classes = [JSONRenderer]


urlpatterns = [
    path("bench/naive-theory/<int:pk>/", NaiveTheoryDetail.as_view()),
    path("", include("ichub.urls")),
]
