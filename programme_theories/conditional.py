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

from django.db.models.expressions import RawSQL
from django.utils.cache import get_conditional_response

from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from ichub.models import Membership, Review

# Models whose rows appear nested in a theory detail, apart from the CMOCs themselves.
NESTED_WITH_HISTORY = (EvidenceLink, Excerpt, SourceDocument, Context, Mechanism, Outcome)


def _fingerprint_sql():
    """One scalar subquery: the CMOCs' count, version sum and latest edit, and the newest
    history id of every nested model, as text (CAST and || mean the same on both databases).

    Written once as SQL because building the same thing from ORM subqueries on
    every request cost more than running it (the point of an ETag is to be cheap).
    Each MAX(history_id) is answered from the end of a primary-key index.
    """
    cmocs = CMOC._meta.db_table
    parts = [
        "CAST(COUNT(*) AS TEXT)",
        "CAST(COALESCE(SUM(version), 0) AS TEXT)",
        "COALESCE(CAST(MAX(updated_at) AS TEXT), '')",
        *(f"COALESCE((SELECT CAST(MAX(history_id) AS TEXT) FROM "
          f"{model.history.model._meta.db_table}), '')" for model in NESTED_WITH_HISTORY),
        # Evidence from another review shows only while that review is public
        # (EvidenceLink.objects.shown_with_cmocs): any review's edit, its visibility
        # included, must change the ETag. Reviews are few, so this reads a small table.
        f"COALESCE((SELECT CAST(MAX(updated_at) AS TEXT) FROM {Review._meta.db_table}), '')",
    ]
    joined = " || '-' || ".join(parts)
    return f"SELECT {joined} FROM {cmocs} WHERE theory_id = %s"


FINGERPRINT_SQL = _fingerprint_sql()


# The reader's memberships, as a count and the newest id: joining or leaving any review
# changes it, and with it which other private reviews' evidence the body shows.
READER_SQL = (
    "SELECT CAST(COUNT(*) AS TEXT) || ':' || COALESCE(CAST(MAX(id) AS TEXT), '') "
    f"FROM {Membership._meta.db_table} WHERE user_id = %s"
)


def theory_content_etag(theories, pk, reader=None):
    """The content ETag of theory `pk` for `reader` if `theories` (already scoped) holds it,
    else None.

    One query, whatever the theory's size. Evidence from another private review
    is shown to its members only (EvidenceLink.objects.shown_with_cmocs), so the
    reader's memberships are part of the fingerprint.
    """
    reader_id = reader.pk if reader is not None and reader.is_authenticated else None
    row = (
        theories.filter(pk=pk)
        .order_by()
        .annotate(nested=RawSQL(FINGERPRINT_SQL, (pk,)), reader=RawSQL(READER_SQL, (reader_id,)))
        .values_list("version", "updated_at", "review__slug", "theme__name", "nested", "reader")
        .first()
    )
    if row is None:
        return None
    staff = bool(reader_id and reader.is_staff)
    fingerprint = hashlib.blake2b(repr((row, staff)).encode(), digest_size=8).hexdigest()
    return f'"theory-{pk}-v{row[0]}-{fingerprint}"'


def not_modified(request, etag):
    """A 304 response when the request's If-None-Match holds `etag`, else None."""
    if etag is None or request.method not in ("GET", "HEAD"):
        return None
    response = get_conditional_response(request, etag=etag)
    if response is not None and response.status_code == 304:
        response["ETag"] = etag
        return response
    return None
