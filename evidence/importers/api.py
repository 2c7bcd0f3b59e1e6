"""POST /api/sources/import/: add a reference file's new references to a review."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.importers import MAX_IMPORT_BYTES, ImportRefused
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from ichub.permissions import EDITOR, get_review_for_user


class SourceImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An RIS, BibTeX, PubMed (.nbib) or Web of Science file")
    review = serializers.SlugField(help_text="Slug of the review the sources join")
    kind = serializers.ChoiceField(
        choices=SourceDocument.Kind.choices, default=SourceDocument.Kind.EMPIRICAL_STUDY
    )
    dry_run = serializers.BooleanField(default=False, help_text="Report only; write nothing")
    skip_invalid = serializers.BooleanField(
        default=False, help_text="Import the good records even if some are invalid"
    )


class SourceImportView(APIView):
    """Import sources; duplicates (same DOI, or title + year) are reported, not added.

    201 with the report when sources were created, 200 for a dry run or a file
    of duplicates only; 400 (413 for a file over 10 MB) when the file is
    refused, with nothing written.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = SourceImportSerializer

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = SourceImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = get_review_for_user(request.user, data["review"], role=EDITOR)
        upload = data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            return Response(
                {"file": [f"The file is over the {MAX_IMPORT_BYTES:,}-byte (10 MB) limit."]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            report = import_sources(
                review=review,
                data=upload.read(),
                filename=upload.name,
                kind=data["kind"],
                user=request.user,
                dry_run=data["dry_run"],
                skip_invalid=data["skip_invalid"],
            )
        except ImportRefused as refusal:
            body = {refusal.field: [refusal.message]}
            if refusal.report is not None:
                body["report"] = refusal.report.as_dict()
            return Response(body, status=refusal.status)
        created = report.created and not report.dry_run
        return Response(
            report.as_dict(), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
