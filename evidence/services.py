"""Writes to sources and excerpts that the browser and the API share.

Screening writes live in evidence.screening.services and reference imports in
evidence.importers.services; this module holds the plain ones.
"""

from django.db import transaction

from evidence.models import Excerpt
from ichub.keys import new_key


@transaction.atomic
def create_excerpt(*, source, user, **fields):
    """A new excerpt of `source`, keyed by ichub's one key scheme (browsers type no key)."""
    excerpt = Excerpt(source=source, created_by=user, **fields)
    if not excerpt.key:
        excerpt.key = new_key("x")
    excerpt.full_clean()
    excerpt._history_user = user
    excerpt.save()
    return excerpt
