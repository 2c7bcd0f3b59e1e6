"""Whole-review export and restore, and the review's file downloads, over the API."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.importers import MAX_IMPORT_BYTES
from ichub.permissions import get_review_for_user
from reports.downloads import DOWNLOADS
from reports.responses import download_response, export_response
from reports.transfer import TransferRefused, import_review, parse_document

MAX_REVIEW_IMPORT_BYTES = 20 * MAX_IMPORT_BYTES


class ReviewExportView(APIView):
    """GET the whole review as one JSON document (natural keys; re-imports to the same data)."""

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request, slug):
        return export_response(get_review_for_user(request.user, slug))


class ReviewImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A document from GET /api/reviews/{slug}/export/")


class ReviewImportView(APIView):
    """POST an export to restore its review; the caller becomes its owner.

    The review must not exist yet (409 if it does); links to reviews that are
    not in this database are skipped and listed in the report.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    serializer_class = ReviewImportSerializer

    @extend_schema(responses={201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = ReviewImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > MAX_REVIEW_IMPORT_BYTES:
            return Response(
                {"file": [f"The file is over the {MAX_REVIEW_IMPORT_BYTES:,}-byte limit."]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            report = import_review(document=parse_document(upload), user=request.user)
        except TransferRefused as refusal:
            return Response({"file": [refusal.message]}, status=refusal.status)
        return Response(report.as_dict(), status=status.HTTP_201_CREATED)


class ReviewDownloadView(APIView):
    """GET one of the review's files: CMOC table, evidence matrix, sources, RAMESES report."""

    @extend_schema(
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DOWNLOADS))],
        responses={200: OpenApiTypes.BINARY},
    )
    def get(self, request, slug, name):
        download = DOWNLOADS.get(name)
        if download is None:
            raise Http404("No such download.")
        review = get_review_for_user(request.user, slug)
        return download_response(review, name, download)

