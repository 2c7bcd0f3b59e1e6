"""Whole-review export and restore, and the review's file downloads, over the API."""

from django.conf import settings
from django.http import Http404, HttpResponse
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
from reports.downloads import (
    DOWNLOADS,
    EXPORT,
    MATRIX_FILES,
    MATRIX_OPTIONS,
    build_download,
    delivery,
)
from reports.responses import attachment, export_response, streamed_response
from reports.services import file_job_for, start_review_import
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


LARGE = ("On a review with more than ICHUB_DOWNLOAD_JOB_SOURCES sources the answer is 202: "
         "the file is made by a job (Location: /api/jobs/{id}/, whose `file_url` serves it); "
         "a GET while the caller's same job is under way answers that job. Anonymous "
         "callers get 401 there: a job's file is kept for whoever started it.")


def _job_for_get(request, review, name, matrix=None):
    """A large review's file, asked for by GET: the caller's job making it (202)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("On a review this size the file is made by a job: sign in "
                               "(a job's file is kept for whoever started it).")
    job = file_job_for(user=request.user, review=review, name=name, matrix=matrix)
    return _job_accepted(job, request)


class ReviewExportView(APIView):
    """GET the whole review as one JSON document (natural keys; re-imports to the same data).

    POST makes the same document as a job (202): a large review's export then
    never runs inside a request; the job's `file_url` serves it to its starter.
    """

    @extend_schema(description=LARGE, responses={(200, "application/json"): OpenApiTypes.OBJECT,
                                                 202: JobSerializer})
    def get(self, request, slug):
        review = get_review_for_user(request.user, slug)
        if delivery(review, EXPORT) == "job":  # each section is sorted in memory
            return _job_for_get(request, review, EXPORT)
        return export_response(review, reader=request.user)

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


MATRIX_BODY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "include_retired": {"type": "boolean", "default": False, "description":
                            "Every CMOC as a column: initial, superseded, merged and dropped "
                            "ones too (the page's \"Include superseded ...\")"},
        "hide_empty": {"type": "boolean", "default": False, "description":
                       "Only sources with evidence on the columns' CMOCs as rows"},
    },
}
MATRIX_QUERY = [
    OpenApiParameter(option, OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                     description="Evidence matrix only: "
                                 + MATRIX_BODY["properties"][option]["description"])
    for option in MATRIX_OPTIONS
]


def _matrix_options(name, given, parse):
    """The evidence matrix's options; 400 naming each one that is unknown, misplaced or not
    a boolean. `parse(value)` is True/False, or None for a value it does not take."""
    errors, options = {}, {}
    for option, value in given.items():
        if option not in MATRIX_OPTIONS:
            errors[option] = [f"Not an option; the evidence matrix takes "
                              f"{' and '.join(MATRIX_OPTIONS)}."]
        elif name not in MATRIX_FILES:
            errors[option] = ["Only the evidence matrix (evidence-matrix.csv, "
                              "evidence-matrix.xlsx) takes this option."]
        elif (parsed := parse(value)) is None:
            errors[option] = ["Give true or false."]
        else:
            options[option] = parsed
    if errors:
        raise serializers.ValidationError(errors)
    if name not in MATRIX_FILES:
        return None
    return {option: options.get(option, False) for option in MATRIX_OPTIONS}


def _body_options(request, name):
    data = request.data
    if not isinstance(data, dict):  # a form body (QueryDict) or a JSON list
        if not hasattr(data, "dict"):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        data = {key: data.get(key) for key in data}
    return _matrix_options(name, data, lambda v: v if isinstance(v, bool) else None)


def _query_options(request, name):
    given = {option: request.query_params.get(option) for option in MATRIX_OPTIONS
             if option in request.query_params}
    return _matrix_options(name, given, lambda v: {"true": True, "false": False}.get(v))


class ReviewDownloadView(APIView):
    """GET one of the review's files: CMOC table, evidence matrix, sources, RAMESES report.

    The evidence matrix takes the matrix page's options (include_retired,
    hide_empty: true or false), as query parameters of a GET or a JSON body of a
    POST. On a large review the sources' files (RIS, BibTeX, CSL-JSON) stream.
    """

    @extend_schema(
        description=LARGE,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DOWNLOADS)),
                    *MATRIX_QUERY],
        responses={200: OpenApiTypes.BINARY, 202: JobSerializer},
    )
    def get(self, request, slug, name):
        download = DOWNLOADS.get(name)
        if download is None:
            raise Http404("No such download.")
        review = get_review_for_user(request.user, slug)
        matrix = _query_options(request, name)
        how = delivery(review, name)
        if how == "job":
            return _job_for_get(request, review, name, matrix)
        if how == "stream":
            return streamed_response(review, name, download)
        data = build_download(review, name, **(matrix or {}))
        return attachment(HttpResponse(data, content_type=download.content_type),
                          f"{review.slug}-{name}")

    @extend_schema(
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DOWNLOADS))],
        request={"application/json": MATRIX_BODY}, responses={202: JobSerializer},
    )
    def post(self, request, slug, name):
        """Make the file as a job (202), for a review large enough that GET would time out.

        The evidence matrix's options go in the body, as the page's: the job's file
        equals GET with the same options. Other files take no body (or `{}`).
        """
        if name not in DOWNLOADS:
            raise Http404("No such download.")
        matrix = _body_options(request, name)
        params = {"name": name, **({"matrix": matrix} if matrix is not None else {})}
        return _start_file_job(request, slug, build_review_file_job, params)
