"""POST /api/sources/import/: add a reference file's new references to a review."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from evidence.importers import ImportRefused
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from evidence.tasks import import_sources_job
from ichub.budget import time_budget
from ichub.jobs.api import JobSerializer
from ichub.jobs.files import save_upload
from ichub.jobs.services import start_job
from ichub.permissions import EDITOR, get_review_for_user


def start_import_job(*, review, upload, user, options):
    """Store the file and queue its import; the browser and the API both start it here."""
    params = {"upload": save_upload(upload), "filename": upload.name, **options}
    return start_job(task=import_sources_job, owner=user, review=review, params=params)


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
    encoding = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=40,
        help_text="The file's encoding, when it is not UTF-8 and cannot be told for sure",
    )
    import_positions = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text="Positions of possible duplicates (same title and year, published "
        "elsewhere) to import as new sources; others are held back",
    )
    import_all_possible = serializers.BooleanField(
        default=False, help_text="Import every possible duplicate as a new source (a file "
        "imported as a job has no preview to pick them in)",
    )


# Every decision the request can make travels with the job.
_JOB_OPTIONS = ("kind", "dry_run", "skip_invalid", "encoding", "import_positions",
                "import_all_possible")


class SourceImportView(APIView):
    """Import sources; duplicates (same DOI, or title + year) are reported, not added.

    Possible duplicates (same title and year, other journal, volume or pages)
    are listed and held back unless their positions are in `import_positions`.

    201 with the report when sources were created, 200 for a dry run or a file
    of duplicates only; 400 when the file is refused, with nothing written.
    A file over ICHUB_REFERENCE_IMPORT_JOB_BYTES (1 MB) is imported by a job
    instead: 202 with the job, whose `result` is the report once it ends
    (413 over ICHUB_JOB_UPLOAD_MAX_BYTES, 200 MB).
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    serializer_class = SourceImportSerializer

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 202: JobSerializer}
    )
    def post(self, request):
        serializer = SourceImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = get_review_for_user(request.user, data["review"], role=EDITOR)
        upload = data["file"]
        if upload.size > settings.JOB_UPLOAD_MAX_BYTES:
            return Response(
                {"file": [f"The file is over the {settings.JOB_UPLOAD_MAX_BYTES:,}-byte limit."]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        if upload.size > settings.REFERENCE_IMPORT_JOB_BYTES:
            job = start_import_job(review=review, upload=upload, user=request.user, options={
                key: data[key] for key in _JOB_OPTIONS
            })
            return Response(
                JobSerializer(job).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("api:job-detail", args=[job.pk])},
            )
        try:
            with time_budget(settings.IMPORT_TIME_BUDGET_SECONDS):
                report = import_sources(
                    review=review,
                    data=upload.read(),
                    filename=upload.name,
                    kind=data["kind"],
                    user=request.user,
                    dry_run=data["dry_run"],
                    skip_invalid=data["skip_invalid"],
                    encoding=data["encoding"],
                    import_positions=data["import_positions"],
                    import_all_possible=data["import_all_possible"],
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
