"""`migrate` makes the database cache tables: no `createcachetable` step anywhere.

The README's PostgreSQL commands (`migrate`, then `load_shipped_reviews`) used
to give "relation ichub_representation_cache does not exist" on every theory
detail. Here the tables are dropped, ichub's migrations are undone to before
them and run again, and a theory detail is read through the cache.
"""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from programme_theories.models import ProgrammeTheory

pytestmark = pytest.mark.django_db(transaction=True)

CACHE_TABLES = {"ichub_cache", "ichub_representation_cache"}
BEFORE_CACHE_TABLES = "0008_checklist_not_applicable_and_versions"


def cache_tables():
    return CACHE_TABLES & set(connection.introspection.table_names())


def test_it_makes_the_cache_tables_in_migrate_and_the_theory_detail_reads_through_them(
    review, viewer, token_client
):
    theory = ProgrammeTheory.objects.create(review=review, name="Being", stage="initial_rough",
                                            statement="s")
    try:
        call_command("migrate", "ichub", BEFORE_CACHE_TABLES, verbosity=0)
        removed = cache_tables()
        call_command("migrate", verbosity=0)
    finally:
        call_command("migrate", verbosity=0)  # never leave the test database behind
    made = cache_tables()
    caches["representations"].clear()

    response = token_client(viewer).get(f"/api/theories/{theory.pk}/")

    assert removed == set() and made == CACHE_TABLES
    assert response.status_code == 200 and response.json()["name"] == "Being"
    assert caches["representations"].get(response["ETag"]) is not None
