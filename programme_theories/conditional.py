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

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.cache import get_conditional_response

from cmocs.models import CMOC, Context, EvidenceLink, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from ichub.models import Membership, Review
from programme_theories.models import ProgrammeTheory

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


def _reader_sql(vendor):
    """One scalar subquery: the private reviews other than the theory's own that the
    reader belongs to AND whose excerpts are linked to the theory's CMOCs, as ordered ids.

    That set is exactly what makes one reader's body differ from another's
    (EvidenceLink.objects.shown_with_cmocs): public reviews' evidence shows to
    everyone, another private review's to its members only. For nearly every
    reader it is empty, so readers with different memberships still share one
    ETag and one kept body; joining or leaving such a review changes it. Staff
    see everything and get their own marker instead (theory_content_etag).
    Written with IN/EXISTS rather than joins: it starts from the reader's few
    memberships and stops at the first link found for each.
    """
    ids = ("string_agg(CAST(id AS TEXT), ',' ORDER BY id)" if vendor == "postgresql"
           else "group_concat(id, ',')")  # SQLite: in the ordered subquery's order
    return (
        f"SELECT COALESCE({ids}, '') FROM ("
        f"SELECT m.review_id AS id FROM {Membership._meta.db_table} m WHERE m.user_id = %s"
        f" AND m.review_id IN (SELECT r.id FROM {Review._meta.db_table} r"
        f" WHERE r.visibility <> '{Review.Visibility.PUBLIC}')"
        f" AND m.review_id <> (SELECT t.review_id FROM {ProgrammeTheory._meta.db_table} t"
        " WHERE t.id = %s)"
        f" AND EXISTS (SELECT 1 FROM {EvidenceLink._meta.db_table} l"
        f" WHERE l.cmoc_id IN (SELECT c.id FROM {CMOC._meta.db_table} c WHERE c.theory_id = %s)"
        f" AND l.excerpt_id IN (SELECT e.id FROM {Excerpt._meta.db_table} e"
        f" WHERE e.source_id IN (SELECT s.id FROM {SourceDocument._meta.db_table} s"
        " WHERE s.review_id = m.review_id)))"
        " ORDER BY m.review_id) readable"
    )


def theory_content_etag(theories, pk, reader=None):
    """The content ETag of theory `pk` for `reader` if `theories` (already scoped) holds it,
    else None.

    One query, whatever the theory's size. Evidence from another private review
    is shown to its members only (EvidenceLink.objects.shown_with_cmocs), so the
    other private reviews of that kind the reader belongs to are part of the
    fingerprint (usually none: then every reader gets the same ETag).
    """
    if reader is not None and reader.is_authenticated and reader.is_staff:
        reader_id, staff = None, True  # reads every link: one body for all staff
    else:
        reader_id, staff = (reader.pk if reader is not None and reader.is_authenticated
                            else None), False
    readable = RawSQL(_reader_sql(connection.vendor), (reader_id, pk, pk))
    row = (
        theories.filter(pk=pk)
        .order_by()
        .annotate(nested=RawSQL(FINGERPRINT_SQL, (pk,)), readable=readable)
        .values_list("version", "updated_at", "review__slug", "theme__name", "nested",
                     "readable")
        .first()
    )
    if row is None:
        return None
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
