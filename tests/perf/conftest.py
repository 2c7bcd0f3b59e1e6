"""Synthetic reviews for the speed tests: the same generator the benchmark uses."""

import pytest

from bench.synthetic import generate_synthetic_review
from ichub.models import Membership, Review


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
