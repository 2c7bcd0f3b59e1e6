"""Synthetic reviews for the speed tests: the same generator the benchmark uses."""

import pytest
from django.apps import apps
from django.db import connection

from bench.synthetic import generate_synthetic_review
from ichub.models import Membership, Review

DATA_APPS = ("ichub", "evidence", "cmocs", "programme_theories")


def analyze_on_postgresql():
    """Fresh planner statistics for the data tables, as autovacuum keeps them in production.

    Autovacuum never sees a test's uncommitted rows, and may record a table as
    empty while a test fills it: then PostgreSQL planned the evidence-links count
    as nested loops over "empty" tables and ran past the statement timeout (503)
    on 2,400 links. ANALYZE inside the test's transaction counts its own rows.
    """
    if connection.vendor != "postgresql":
        return
    tables = sorted({model._meta.db_table for app in DATA_APPS
                     for model in apps.get_app_config(app).get_models()})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


@pytest.fixture
def make_synthetic(db):
    """make_synthetic(scale, private_for=None) -> Review, generated with seed 7.

    With `private_for={user: role}` the review is private and those users are members.
    """

    def make(scale, private_for=None, seed=7):
        review, _ = generate_synthetic_review(
            scale=scale, seed=seed, slug=f"synthetic-{str(scale).replace('.', '-')}"
        )
        if private_for is not None:
            Review.objects.filter(pk=review.pk).update(visibility=Review.Visibility.PRIVATE)
            for user, role in private_for.items():
                Membership.objects.create(review=review, user=user, role=role)
            review.refresh_from_db()
        analyze_on_postgresql()
        return review

    return make


@pytest.fixture
def theory(make_synthetic, owner, editor, viewer):
    """The first theory of a small private synthetic review that owner/editor/viewer belong to."""
    from programme_theories.models import ProgrammeTheory

    review = make_synthetic(
        0.05,
        private_for={
            owner: Membership.Role.OWNER,
            editor: Membership.Role.EDITOR,
            viewer: Membership.Role.VIEWER,
        },
    )
    return ProgrammeTheory.objects.filter(review=review).order_by("pk").first()
