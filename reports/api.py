"""Whole-review export and restore, and the review's file downloads, over the API."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from ichub.jobs.api import JobSerializer
from ichub.jobs.services import start_job
from ichub.permissions import get_review_for_user
from reports.downloads import DOWNLOADS
from reports.responses import download_response, export_response
from reports.services import start_review_import
from reports.tasks import build_review_file_job, export_review_archive_job, export_review_job
from reports.transfer import TransferRefused


def _job_accepted(job, request):
    return Response(
        JobSerializer(job, context={"request": request}).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": reverse("api:job-detail", args=[job.pk])},
    )


def _start_file_job(request, slug, task, params=None):
    """Anyone who may read the review may have its file made; the job is theirs."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sign in to start a job: its file is kept for whoever started it.")
    review = get_review_for_user(request.user, slug)
    job = start_job(task=task, owner=request.user, review=review, params=params or {})
    return _job_accepted(job, request)


class ReviewExportView(APIView):
    """GET the whole review as one JSON document (natural keys; re-imports to the same data).

    POST makes the same document as a job (202): a large review's export then
    never runs inside a request; the job's `file_url` serves it to its starter.
    """

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request, slug):
        return export_response(get_review_for_user(request.user, slug), reader=request.user)

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, slug):
        return _start_file_job(request, slug, export_review_job)


class ReviewArchiveExportView(APIView):
    """POST makes the whole review plus the bytes of its stored files (full texts) as a zip,
    as a job (202): `review.json` is the JSON export, `files/<sha256>` each stored file.
    POST the zip to /api/reviews/import/ to restore the review with its files elsewhere."""

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, slug):
        return _start_file_job(request, slug, export_review_archive_job)


class ReviewImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A document from GET /api/reviews/{slug}/export/, or the zip made by "
                  "POST /api/reviews/{slug}/export/archive/ (the document with its files)")


class ReviewImportView(APIView):
    """POST an export to restore its review as a job; the caller becomes its owner.

    The file (up to ICHUB_JOB_UPLOAD_MAX_BYTES) is streamed to storage and
    restored by a worker: 202 with the job, whose `result` is the restore's
    report once it succeeds. A file that is not an export is refused at once
    (400), and so is one whose review exists (409); links to reviews that are
    not in this database are skipped and listed in the report.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    serializer_class = ReviewImportSerializer

    @extend_schema(responses={202: JobSerializer, 409: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = ReviewImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.JOB_UPLOAD_MAX_BYTES:
            return Response(
                {"file": [f"The file is over the {settings.JOB_UPLOAD_MAX_BYTES:,}-byte limit."]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            job = start_review_import(upload=upload, user=request.user)
        except TransferRefused as refusal:
            return Response({"file": [refusal.message]}, status=refusal.status)
        return _job_accepted(job, request)


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

    @extend_schema(
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DOWNLOADS))],
        request=None, responses={202: JobSerializer},
    )
    def post(self, request, slug, name):
        """Make the file as a job (202), for a review large enough that GET would time out."""
        if name not in DOWNLOADS:
            raise Http404("No such download.")
        return _start_file_job(request, slug, build_review_file_job, {"name": name})

