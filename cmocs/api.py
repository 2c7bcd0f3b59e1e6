"""REST endpoints for CMOCs (with lineage and its operations), elements and evidence links.

Every CMOC write goes through `cmocs.services`; these views only check who
may write, read If-Match, and translate the services' answers to HTTP.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cmocs import services
from cmocs.filters import (
    CMOCFilter,
    ContextFilter,
    EvidenceLinkFilter,
    MechanismFilter,
    OutcomeFilter,
)
from cmocs.lineage import lineage_graph
from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent, Mechanism, Outcome
from cmocs.serializers import (
    CMOCSerializer,
    ContextSerializer,
    DropSerializer,
    EvidenceLinkSerializer,
    LineageEventSerializer,
    LineageGraphSerializer,
    MechanismSerializer,
    MergeSerializer,
    OperationResultSerializer,
    OutcomeSerializer,
    RefineSerializer,
    SplitSerializer,
)
from evidence.models import Excerpt
from evidence.serializers import brief_excerpt_columns
from ichub.drf import ScopedViewSetMixin
from ichub.etags import (
    ERROR_400,
    IF_MATCH_PARAMETER,
    PreconditionFailed,
    etag_response_header,
    expected_version,
    precondition_responses,
    with_etag,
)
from ichub.permissions import EDITOR, require_role, scope_to_visible
from ichub.versioning import StaleVersion

ETAG_LABEL = "cmoc"
ETAG_RESPONSE_HEADER = etag_response_header(ETAG_LABEL)


def nested_evidence_queryset(reader):
    """Evidence links with excerpt and citation, reading only the columns the JSON shows."""
    return (
        EvidenceLink.objects.shown_with_cmocs(reader)
        .select_related("excerpt__source")
        .only("id", "cmoc", "element", "stance", "provenance", "reading", "note", "excerpt",
              *brief_excerpt_columns("excerpt__"))
        .order_by("element", "id")
    )


def cmocs_with_evidence(queryset, reader):
    """CMOCs with elements and evidence in three queries, in natural code order."""
    return (
        queryset.with_elements()
        .select_related("review", "created_by", "updated_by")
        .prefetch_related(Prefetch("evidence_links", queryset=nested_evidence_queryset(reader)))
        .in_reading_order()
    )


class CMOCViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = CMOCSerializer
    filterset_class = CMOCFilter

    def get_queryset(self):
        return cmocs_with_evidence(self.scope(CMOC.objects.all()), self.request.user)

    def _get_cmoc_for_user(self):
        return self.get_object()

    def _fresh(self, cmoc):
        return self.get_queryset().get(pk=cmoc.pk)

    def _expected_version(self, cmoc):
        return expected_version(self.request, label=ETAG_LABEL, record=cmoc)

    @extend_schema(parameters=[ETAG_RESPONSE_HEADER])
    def retrieve(self, request, *args, **kwargs):
        cmoc = self._get_cmoc_for_user()
        return with_etag(Response(self.get_serializer(cmoc).data), ETAG_LABEL, cmoc)

    @extend_schema(
        parameters=[ETAG_RESPONSE_HEADER],
        responses={201: CMOCSerializer, 400: ERROR_400},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        review = fields.pop("review")
        require_role(request.user, review, EDITOR)
        cmoc = services.create_cmoc(review=review, user=request.user, **fields)
        cmoc = self._fresh(cmoc)
        return with_etag(
            Response(self.get_serializer(cmoc).data, status=status.HTTP_201_CREATED),
            ETAG_LABEL, cmoc,
        )

    @extend_schema(
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={200: CMOCSerializer, 400: ERROR_400, **precondition_responses()},
    )
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        cmoc = self._get_cmoc_for_user()
        version = self._expected_version(cmoc)
        serializer = self.get_serializer(cmoc, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            services.update_cmoc(
                cmoc=cmoc, user=request.user, expected_version=version,
                **serializer.validated_data,
            )
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        cmoc = self._fresh(cmoc)
        return with_etag(Response(self.get_serializer(cmoc).data), ETAG_LABEL, cmoc)

    @extend_schema(
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={200: CMOCSerializer, 400: ERROR_400, **precondition_responses()},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        parameters=[IF_MATCH_PARAMETER],
        responses={204: OpenApiResponse(description="Deleted"), 400: ERROR_400,
                   **precondition_responses()},
    )
    def destroy(self, request, *args, **kwargs):
        cmoc = self._get_cmoc_for_user()
        version = self._expected_version(cmoc)
        try:
            services.delete_cmoc(cmoc=cmoc, user=request.user, expected_version=version)
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="The CMOC's whole lineage: ancestors, descendants and events",
                   responses=LineageGraphSerializer)
    @action(detail=True, methods=["get"])
    def lineage(self, request, pk=None):
        graph = lineage_graph(self._get_cmoc_for_user())
        return Response(LineageGraphSerializer(graph).data)

    def _operation_response(self, event, outputs):
        outputs = list(self.get_queryset().filter(pk__in=[c.pk for c in outputs]))
        event = (
            LineageEvent.objects.select_related("decided_by")
            .prefetch_related(
                "inputs", "outputs",
                Prefetch("evidence", queryset=Excerpt.objects.select_related("source")),
            )
            .get(pk=event.pk)
        )
        body = {
            "event": LineageEventSerializer(event).data,
            "outputs": self.get_serializer(outputs, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(summary="Refine: one CMOC becomes a new one; the old is kept, superseded",
                   request=RefineSerializer,
                   responses={201: OperationResultSerializer, 400: ERROR_400})
    @action(detail=True, methods=["post"])
    def refine(self, request, pk=None):
        cmoc = self._get_cmoc_for_user()
        fields = self._validated(RefineSerializer)
        new = services.refine_cmoc(cmoc=cmoc, user=request.user, **fields)
        return self._operation_response(new.lineage_as_output.get(), [new])

    @extend_schema(summary="Merge: two or more CMOCs become one",
                   request=MergeSerializer,
                   responses={201: OperationResultSerializer, 400: ERROR_400})
    @action(detail=False, methods=["post"])
    def merge(self, request):
        fields = self._validated(MergeSerializer)
        inputs = fields.pop("inputs")
        for review in {cmoc.review for cmoc in inputs}:
            require_role(request.user, review, EDITOR)
        new = services.merge_cmocs(inputs=inputs, user=request.user, **fields)
        return self._operation_response(new.lineage_as_output.get(), [new])

    @extend_schema(summary="Split: one CMOC becomes two or more",
                   request=SplitSerializer,
                   responses={201: OperationResultSerializer, 400: ERROR_400})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        cmoc = self._get_cmoc_for_user()
        fields = self._validated(SplitSerializer)
        created = services.split_cmoc(cmoc=cmoc, user=request.user, **fields)
        return self._operation_response(created[0].lineage_as_output.get(), created)

    @extend_schema(summary="Drop: a CMOC is abandoned, with the reason why",
                   request=DropSerializer,
                   responses={201: OperationResultSerializer, 400: ERROR_400})
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        cmoc = self._get_cmoc_for_user()
        event = services.drop_cmoc(cmoc=cmoc, user=request.user, **self._validated(DropSerializer))
        return self._operation_response(event, [])


class ContextViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = ContextSerializer
    filterset_class = ContextFilter
    model = Context

    def get_queryset(self):
        return self.scope(
            self.model.objects.select_related("review", "created_by").order_by(
                "review_id", "key", "id"
            )
        )


class MechanismViewSet(ContextViewSet):
    serializer_class = MechanismSerializer
    filterset_class = MechanismFilter
    model = Mechanism


class OutcomeViewSet(ContextViewSet):
    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    model = Outcome


class EvidenceLinkViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = EvidenceLinkSerializer
    filterset_class = EvidenceLinkFilter
    review_path = "cmoc__review"

    def get_queryset(self):
        links = self.scope(
            EvidenceLink.objects.select_related("excerpt", "created_by").order_by("cmoc_id", "id")
        )
        # Scoped by the CMOC's review; the excerpt's must be readable too (issue 17).
        return scope_to_visible(links, self.request.user, "excerpt__source__review")

    def perform_create(self, serializer):
        fields = serializer.validated_data
        require_role(self.request.user, fields["cmoc"].review, EDITOR)
        serializer.instance = services.link_evidence(user=self.request.user, **fields)
