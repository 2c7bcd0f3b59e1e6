"""REST endpoints for programme theories, the detail nesting every CMOC and its evidence."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cmocs.api import cmocs_with_evidence
from cmocs.models import CMOC
from ichub import representations
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
from ichub.permissions import EDITOR, require_role
from ichub.versioning import StaleVersion
from programme_theories import services
from programme_theories.conditional import not_modified, theory_content_etag
from programme_theories.filters import ProgrammeTheoryFilter
from programme_theories.models import ProgrammeTheory
from programme_theories.read_paths import theory_detail_data
from programme_theories.serializers import (
    ProgrammeTheoryDetailSerializer,
    ProgrammeTheorySerializer,
)

ETAG_LABEL = "theory"
ETAG_RESPONSE_HEADER = etag_response_header(ETAG_LABEL)


class ProgrammeTheoryViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    filterset_class = ProgrammeTheoryFilter

    def get_serializer_class(self):
        if self.action == "list":
            return ProgrammeTheorySerializer
        return ProgrammeTheoryDetailSerializer

    def get_queryset(self):
        queryset = self.scope(ProgrammeTheory.objects.all()).select_related(
            "review", "theme", "created_by", "updated_by"
        )
        if self.action == "list":
            cmocs = CMOC.objects.only("id", "theory", "code", "stage", "status").in_reading_order()
        else:
            cmocs = cmocs_with_evidence(CMOC.objects.all(), self.request.user)
        return queryset.prefetch_related(Prefetch("cmocs", queryset=cmocs)).order_by(
            "review_id", "stage", "theme__order", "name", "id"
        )

    def _get_theory_for_user(self):
        return self.get_object()

    def _fresh(self, theory):
        return self.get_queryset().get(pk=theory.pk)

    @extend_schema(parameters=[ETAG_RESPONSE_HEADER])
    def retrieve(self, request, *args, **kwargs):
        # A cheap aggregate answers If-None-Match before anything is loaded or rendered.
        pk = int(self.kwargs["pk"])  # the router's ID_REGEX admits digits only
        theories = self.scope(ProgrammeTheory.objects.all())
        etag = theory_content_etag(theories, pk, request.user)
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        if etag is None:
            raise NotFound()
        if representations.wanted(request):
            if (kept := representations.kept_response(request, etag)) is not None:
                return kept
        # The detail serializer's dict, read as plain rows (several times faster).
        data = theory_detail_data(theories, pk, request.user)
        if data is None:
            raise NotFound()
        response = Response(data)
        response["ETag"] = etag
        if representations.wanted(request):
            # Render now, not in finalize_response, so the bytes can be kept for the next reader.
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            body = response.rendered_content  # renders on every read: once, here
            representations.keep(etag, body)
            response.content = body  # marks the response rendered
        return representations.vary_on_encoding(response)

    @extend_schema(parameters=[ETAG_RESPONSE_HEADER],
                   responses={201: ProgrammeTheoryDetailSerializer, 400: ERROR_400})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        review = fields.pop("review")
        require_role(request.user, review, EDITOR)
        theory = self._fresh(services.create_theory(review=review, user=request.user, **fields))
        return with_etag(
            Response(self.get_serializer(theory).data, status=status.HTTP_201_CREATED),
            ETAG_LABEL, theory,
        )

    @extend_schema(
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={200: ProgrammeTheoryDetailSerializer, 400: ERROR_400,
                   **precondition_responses()},
    )
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        theory = self._get_theory_for_user()
        version = expected_version(request, label=ETAG_LABEL, record=theory)
        serializer = self.get_serializer(theory, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            services.update_theory(theory=theory, user=request.user, expected_version=version,
                                   **serializer.validated_data)
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        theory = self._fresh(theory)
        return with_etag(Response(self.get_serializer(theory).data), ETAG_LABEL, theory)

    @extend_schema(
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={200: ProgrammeTheoryDetailSerializer, 400: ERROR_400,
                   **precondition_responses()},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(parameters=[IF_MATCH_PARAMETER],
                   responses={204: OpenApiResponse(description="Deleted"),
                              **precondition_responses()})
    def destroy(self, request, *args, **kwargs):
        theory = self._get_theory_for_user()
        version = expected_version(request, label=ETAG_LABEL, record=theory)
        try:
            services.delete_theory(theory=theory, user=request.user, expected_version=version)
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
