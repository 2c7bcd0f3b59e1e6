"""The job resource: GET /api/jobs/{id}/, a review's jobs, cancel and retry.

Jobs are seen by whoever started them and by the review's members; they are
cancelled and retried by whoever started them and the review's editors and
owners (Job.can_control). Anyone else gets 404, as for a private review.
"""

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from ichub.drf import ID_REGEX
from ichub.jobs.files import result_response
from ichub.jobs.models import Job
from ichub.jobs.services import JobStateConflict, cancel_job, retry_job
from ichub.permissions import get_review_for_user
from ichub.throttling import UserWindowThrottle

# Poll counts on SQLite without Redis: this process's memory (see JobPollThrottle).
_POLL_COUNTS = LocMemCache("ichub-job-polls", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class JobPollThrottle(UserWindowThrottle):
    """The user rate for the job endpoints, counted off the database on SQLite.

    Counting a request is a write, and on SQLite a running job holds the one
    write lock for as long as its transaction runs: each poll for its progress
    (or a cancel) would wait for the job it is about, then time out. So on
    SQLite (one machine) without REDIS_URL, job requests are counted in each
    app server process's memory: with N processes a caller gets at most N
    times the rate on these cheap requests.
    """

    def counting_cache(self):
        if not settings.THROTTLE_CACHE and connection.vendor == "sqlite":
            return _POLL_COUNTS
        return super().counting_cache()


class JobConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total", allow_null=True)
    percent = serializers.IntegerField(allow_null=True)


class JobSerializer(serializers.ModelSerializer):
    review = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = JobProgressSerializer(source="*", read_only=True)
    messages = serializers.ListField(child=serializers.CharField(), read_only=True)
    result = serializers.JSONField(read_only=True, allow_null=True)
    can_cancel = serializers.BooleanField(read_only=True)
    can_retry = serializers.BooleanField(read_only=True)
    file_url = serializers.SerializerMethodField(
        help_text="Where the job's owner downloads the file it made (an export), once made."
    )

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "review", "owner", "progress", "messages", "result",
            "result_url", "file_url", "error", "attempts", "can_cancel", "can_retry",
            "created_at", "started_at", "finished_at",
        ]
        read_only_fields = fields

    def get_file_url(self, job) -> str | None:
        if not job.result_file:
            return None
        return reverse("api:job-file", args=[job.pk], request=self.context.get("request"))


def _get_job_for_user(user, pk, *, control=False):
    """The job, or 404 if the user may not see it; 403 if they may see but not control it."""
    job = get_object_or_404(
        Job.objects.visible_to(user).select_related("review", "owner"), pk=pk
    )
    if control and not job.can_control(user):
        raise PermissionDenied("Only whoever started the job and the review's editors may.")
    return job


class JobViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your jobs and your reviews' jobs, newest first; poll one for its progress."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = ID_REGEX  # anything else is a 404 from the router, not a 500

    throttle_classes = [JobPollThrottle]

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user).select_related("review", "owner")

    def get_object(self):
        return _get_job_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        """Download the file the job made; only whoever started it may (404 for others)."""
        job = _get_job_for_user(request.user, pk)
        if not job.can_download(request.user):
            raise Http404("No file for you here: whoever started the job downloads it.")
        return result_response(job)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a queued or running job (409 once it has finished)."""
        job = _get_job_for_user(request.user, pk, control=True)
        try:
            job = cancel_job(job=job)
        except JobStateConflict as conflict:
            raise JobConflict(str(conflict)) from conflict
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Run a failed, cancelled or dead job again (409 for a live or finished one)."""
        job = _get_job_for_user(request.user, pk, control=True)
        try:
            job = retry_job(job=job)
        except JobStateConflict as conflict:
            raise JobConflict(str(conflict)) from conflict
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ReviewJobListView(ListAPIView):
    """GET a review's jobs, newest first (its members see them all)."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [JobPollThrottle]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no slug
            return Job.objects.none()
        review = get_review_for_user(self.request.user, self.kwargs["slug"])
        return (
            Job.objects.visible_to(self.request.user)
            .filter(review=review)
            .select_related("review", "owner")
        )
