"""Screening fixtures: a second editor (two reviewers screen independently), a batch, reasons."""

import pytest

from evidence.models import ExclusionReason, SourceDocument
from ichub.models import Membership
from tests.conftest import make_user


@pytest.fixture
def editor2(review):
    user = make_user("edna_editor")
    Membership.objects.create(review=review, user=user, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def editor3(review):
    user = make_user("ezra_editor")
    Membership.objects.create(review=review, user=user, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def batch(review):
    """Ten imported sources awaiting title/abstract screening."""
    return [
        SourceDocument.objects.create(
            review=review,
            citation_key=f"author{2010 + i}",
            authors=f"Author{i}, A.",
            year=2010 + i,
            title=f"Leadership in integrated care, study {i}",
            abstract=f"Abstract {i}: system leadership and trust across partners.",
        )
        for i in range(10)
    ]


@pytest.fixture
def reasons(review):
    return [
        ExclusionReason.objects.create(review=review, label="Not about system leaders", order=1),
        ExclusionReason.objects.create(review=review, label="Not empirical", order=2),
    ]
