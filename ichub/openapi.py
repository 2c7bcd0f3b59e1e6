"""The OpenAPI schema says what the API does: who may call, and every status it answers.

Schemathesis checks the API against this schema with every check (tests/api),
and clients are generated from it (tests/api/test_generated_client.py), so a
status the schema leaves out is a bug in the schema: a generated client raises
on it, a fuzzer reports it. drf-spectacular documents the success responses it
can see; the refusals every operation shares are added here.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions

from ichub.permissions import ReviewAccess

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "`{\"detail\": \"...\"}`, or each refused field's name with its messages "
        "(`non_field_errors` for the record as a whole)."
    ),
    "additionalProperties": {},
}

# status -> why any operation may answer it
EVERY_OPERATION = {
    "400": "The request is refused: a parameter, header or body field is invalid.",
    "401": "The token is unknown, expired or revoked (or a write was sent anonymously).",
    "403": "Signed in, but without the role this needs on the review.",
    "404": "No such record, or none this user may see.",
    "429": "Too many requests: wait for the Retry-After seconds.",
}
WITH_BODY = {
    "409": "A conflicting change (a key taken meanwhile, or records still depending on this one).",
    "413": "The request body is over the size limit.",
    "415": "The body is not of the declared content type.",
}
WRITES = {"409": WITH_BODY["409"]}


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self):
        """Reads of ReviewAccess views are open to anonymous readers of public reviews."""
        auths = super().get_auth()
        anonymous_reads = self.method in permissions.SAFE_METHODS and any(
            isinstance(permission, ReviewAccess) for permission in self.view.get_permissions()
        )
        if anonymous_reads and {} not in auths:
            auths.append({})
        return auths


def add_refusals(result, generator, request, public):
    """Postprocessing hook: every operation documents the refusals it can answer."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            statuses = dict(EVERY_OPERATION)
            if method in {"post", "put", "patch", "delete"}:
                statuses.update(WRITES)
            if "requestBody" in operation:
                statuses.update(WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                if status not in responses:
                    responses[status] = {"description": description, "content": error}
    return result
