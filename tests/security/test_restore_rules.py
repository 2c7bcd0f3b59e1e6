"""The whole-review restore applies the model rules the API enforces (issue 17, Low).

It called clean_fields() but not clean(), so a crafted document could link
evidence from a review that does not test the target review's theories, put a
reasoning mechanism in the resource slot, or appraise an excerpt of another
source; and NUL bytes were stored on SQLite though PostgreSQL refuses them.
"""

import pytest

from cmocs.models import EvidenceLink
from ichub.models import Membership, Review
from reports.transfer import TransferRefused, export_review_text, import_review, parse_document
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(review, owner):
    rows = build_review_rows(review, owner)
    other_source = rows.source.__class__.objects.create(
        review=review, citation_key="other2020", title="Another source", year=2020)
    rows.excerpt.__class__.objects.create(source=other_source, key="e2", text="Elsewhere.")
    return export_review_text(review).replace('"test-review"', '"crafted"')


@pytest.fixture
def untested(outsider):
    """A review the importer can read, which does not test anything."""
    review = Review.objects.create(slug="unrelated", title="Unrelated")
    Membership.objects.create(review=review, user=outsider, role=Membership.Role.OWNER)
    build_review_rows(review, outsider)
    return review


def restore(text, user):
    return import_review(document=parse_document(text.encode()), user=user)


def test_it_skips_evidence_from_a_review_that_does_not_test_this_one(exported, untested,
                                                                     outsider):
    crafted = exported.replace('["crafted", "pearson2018", "e1"]',
                               '["unrelated", "pearson2018", "e1"]')
    assert crafted != exported

    report = restore(crafted, outsider)

    assert [s["reason"] for s in report.skipped] == [
        "the excerpt's review does not test the theories of the CMOC's review"]
    assert not EvidenceLink.objects.filter(cmoc__review__slug="crafted").exists()


def test_it_refuses_a_mechanism_in_the_wrong_slot(exported, outsider):
    crafted = (exported.replace('"mechanism_resource": "r1"', '"mechanism_resource": "@"')
               .replace('"mechanism_reasoning": "m1"', '"mechanism_reasoning": "r1"')
               .replace('"mechanism_resource": "@"', '"mechanism_resource": "m1"'))
    assert crafted != exported

    with pytest.raises(TransferRefused) as refusal:
        restore(crafted, outsider)

    assert "resource mechanism" in refusal.value.message
    assert not Review.objects.filter(slug="crafted").exists()


@pytest.mark.parametrize("where", ['"Vision mattered.', '"Vision helps.', '"Delivering'])
def test_it_refuses_nul_bytes_on_every_database(exported, outsider, where):
    crafted = exported.replace(where, where + "\\u0000", 1)
    assert crafted != exported

    with pytest.raises(TransferRefused) as refusal:
        restore(crafted, outsider)

    assert "NUL" in refusal.value.message or "Null characters" in refusal.value.message
    assert not Review.objects.filter(slug="crafted").exists()


def test_it_still_restores_the_document_untouched(exported, outsider):
    report = restore(exported, outsider)

    assert report.review.slug == "crafted"
    assert EvidenceLink.objects.filter(cmoc__review__slug="crafted").count() == 1
