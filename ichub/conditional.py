"""Conditional GET for nested reads: an ETag from a cheap aggregate, and 304 on a match.

A theory detail nests its CMOCs, their elements, evidence links, excerpts and
sources, so the theory's own `version` does not tell whether the body
changed. Its content ETag adds a fingerprint of one small query: the CMOCs'
count, version sum and latest edit, plus the newest history row of each
nested model. Every change to those models goes through `save()`/`delete()`
and so leaves a history row (django-simple-history), which makes the newest
history id a cheap, index-only "anything changed?" counter. It is
conservative: an edit anywhere in those tables changes every theory's ETag,
costing a client one full response, never a stale one. The theme's name and
the review's slug, shown in the body but unversioned, are read in the same
query. The same ETag keys the cached rendered body (programme_theories.api).

The ETag keeps the `"theory-<id>-v<version>"` prefix the If-Match rules
(ichub.etags) read, so the same header serves both conditional GET and
optimistic writes.
"""

import hashlib

from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.cache import get_conditional_response

from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument

# Models whose rows appear nested in a theory detail, apart from the CMOCs themselves.
NESTED_WITH_HISTORY = (EvidenceLink, Excerpt, SourceDocument, Context, Mechanism, Outcome)


def _newest_history_id(model):
    return Subquery(
        model.history.model.objects.order_by("-history_id").values("history_id")[:1],
        output_field=IntegerField(),
    )


def theory_content_etag(theories, pk):
    """The content ETag of theory `pk` if `theories` (already scoped) holds it, else None.

    One query, whatever the theory's size.
    """
    cmocs = CMOC.objects.filter(theory=OuterRef("pk")).order_by().values("theory")
    row = (
        theories.filter(pk=pk)
        .order_by()
        .annotate(
            cmoc_count=Coalesce(Subquery(cmocs.annotate(n=Count("pk")).values("n")), Value(0)),
            cmoc_versions=Subquery(cmocs.annotate(v=Sum("version")).values("v")),
            cmoc_edited=Subquery(cmocs.annotate(t=Max("updated_at")).values("t")),
            **{
                f"history_{model._meta.model_name}": _newest_history_id(model)
                for model in NESTED_WITH_HISTORY
            },
        )
        .values("version", "updated_at", "review__slug", "theme__name", "cmoc_count", "cmoc_versions", "cmoc_edited",
                *(f"history_{model._meta.model_name}" for model in NESTED_WITH_HISTORY))
        .first()
    )
    if row is None:
        return None
    fingerprint = hashlib.blake2b(repr(sorted(row.items())).encode(), digest_size=8).hexdigest()
    return f'"theory-{pk}-v{row["version"]}-{fingerprint}"'


def not_modified(request, etag):
    """A 304 response when the request's If-None-Match holds `etag`, else None."""
    if etag is None or request.method not in ("GET", "HEAD"):
        return None
    response = get_conditional_response(request, etag=etag)
    if response is not None and response.status_code == 304:
        response["ETag"] = etag
        return response
    return None
