"""ETags from version columns, and the If-Match rules for versioned records.

An ETag here is `"<label>-<id>-v<version>"`, built from the `version` column
alone, so it can be computed from one single-column query without loading or
serialising the record (programme_theories.conditional extends it for nested reads).
Writes to versioned records (CMOCs, programme theories, reviews, sources) must send If-Match:
without it 428 (the client has not shown which version it edited), with a
stale one 412.
"""

import re

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from ichub.versioning import StaleVersion

# An optional "-<fingerprint>" suffix is a nested read's content ETag
# (programme_theories.conditional).
_ETAG = re.compile(
    r'^(?:W/)?"?(?P<label>[a-z_]+)-(?P<pk>\d+)-v(?P<version>\d+)(?:-[0-9a-f]+)?"?$'
)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send If-Match with the ETag of the version you edited, so nobody's change is lost."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    default_detail = "Someone changed this record since you read it: reload and redo your edit."

    def __init__(self, current_version):
        super().__init__()
        # Set after init: APIException would turn the version number into a string.
        self.detail = {"detail": self.detail, "current_version": current_version}


def etag_for(label, pk, version):
    return f'"{label}-{pk}-v{version}"'


def expected_version(request, *, label, record):
    """The version the client says it edited, from If-Match (RFC 9110, 13.1.1).

    Raises 428 when If-Match is missing. `*`, or a list holding this record's
    current ETag, names the version just read (`record.version`; the service's
    conditional UPDATE still refuses it if someone wins a race meanwhile).
    Comparison is strong: a weak ETag never matches. Anything else cannot
    match the current version: the first strong ETag of this record gives its
    (stale) version, and no ETag of this record gives 0, which the services
    refuse as stale (412) inside their atomic check.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return record.version
    versions = []
    for candidate in header.split(","):
        candidate = candidate.strip()
        match = _ETAG.match(candidate)
        if match and not candidate.startswith("W/") and match["label"] == label and (
            int(match["pk"]) == record.pk
        ):
            versions.append(int(match["version"]))
    if record.version in versions:
        return record.version
    return versions[0] if versions else 0


IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    location=OpenApiParameter.HEADER,
    required=True,
    type=str,
    description='The ETag of the version you edited, e.g. "cmoc-12-v3" (from GET\'s ETag).',
)
ERROR_400 = OpenApiResponse(description="Invalid input: the body names each faulty field")


def etag_response_header(label):
    """The ETag response header, documented for a versioned record's reads and writes."""
    return OpenApiParameter(
        name="ETag", location=OpenApiParameter.HEADER, type=str, response=[200, 201],
        description=f'The version, e.g. "{label}-12-v3": send it back as If-Match to edit.',
    )


def with_etag(response, label, record):
    response["ETag"] = etag_for(label, record.pk, record.version)
    return response


def precondition_responses():
    """The 412/428 responses every versioned write documents."""
    error = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "current_version": {"type": "integer", "nullable": True},
        },
    }
    return {
        412: OpenApiResponse(error, description="If-Match is stale: someone changed it first"),
        428: OpenApiResponse(error, description="If-Match is missing"),
    }


class IfMatchUpdateMixin:
    """ETag on reads and If-Match on PUT/PATCH for a ModelViewSet of a Versioned model.

    For records edited by plain serializers (reviews, sources): the version is
    claimed and the serializer saved in one transaction, so of two clients that
    read the same version exactly one write lands; the other gets 412.
    """

    etag_label = ""

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        return with_etag(Response(self.get_serializer(record).data), self.etag_label, record)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        record = self.get_object()
        version = expected_version(request, label=self.etag_label, record=record)
        serializer = self.get_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            try:
                record.claim_version(version, user=request.user)
            except StaleVersion as exc:
                raise PreconditionFailed(exc.current_version) from exc
            record._history_user = request.user
            serializer.save()
        return with_etag(Response(serializer.data), self.etag_label, record)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


def if_match_schema(label, serializer, **retrieve):
    """extend_schema_view arguments documenting IfMatchUpdateMixin's headers and answers."""
    etag = etag_response_header(label)
    write = extend_schema(parameters=[IF_MATCH_PARAMETER, etag],
                          responses={200: serializer, 400: ERROR_400,
                                     **precondition_responses()})
    return {"retrieve": extend_schema(parameters=[etag], **retrieve), "update": write,
            "partial_update": write}
