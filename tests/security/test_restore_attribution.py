"""Forged attribution through the API restore.

Issue 17 (Medium): `POST /api/reviews/import/` took `created_by`, `updated_by`,
`reviewer` and `decided_by` from the document, naming any existing user, so an
attacker's review claimed that other people screened sources, wrote CMOCs and
linked evidence. Over the API every row is now the importer's; the names in
the document survive only as labels. The operator's command still matches users.
"""

import pytest

from cmocs import services
from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent
from evidence.models import Appraisal, ScreeningDecision, ScreeningResolution
from ichub.models import Review
from programme_theories.models import ProgrammeTheory
from reports.transfer import export_review_text, import_review, parse_document
from tests.api.conftest import build_review_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted(review, owner, editor, outsider):
    """An export of a review whose rows name the owner or the editor (and one the outsider)."""
    rows = build_review_rows(review, owner)
    services.refine_cmoc(cmoc=rows.cmoc, user=owner, rationale="Sharper", code="CMOC 1b",
                         statement="Vision helps more.")
    ScreeningDecision.objects.create(source=rows.source, stage="title_abstract",
                                     reviewer=outsider, decision="include")
    ScreeningDecision.objects.create(source=rows.source, stage="title_abstract",
                                     reviewer=editor, decision="include")
    ScreeningResolution.objects.create(source=rows.source, stage="title_abstract",
                                       decision="include", resolved_by=owner, note="Agreed")
    Appraisal.objects.create(source=rows.source, criterion="rigour", judgement="meets",
                             reviewer=editor)
    return export_review_text(review).replace('"test-review"', '"forged"').encode()


def test_it_attributes_every_row_of_a_users_restore_to_the_importer(crafted, outsider):
    """What the API's restore job runs: import_review with the requesting user."""
    report = import_review(document=parse_document(crafted), user=outsider).as_dict()

    forged = Review.objects.get(slug="forged")
    cmocs = CMOC.objects.filter(review=forged)
    assert cmocs.count() == 2
    assert set(cmocs.values_list("created_by", "updated_by")) == {(outsider.pk, outsider.pk)}
    theory = ProgrammeTheory.objects.get(review=forged)
    assert (theory.created_by, theory.updated_by) == (outsider, outsider)
    assert {c.created_by for c in Context.objects.filter(review=forged)} == {outsider}
    assert {link.created_by for link in EvidenceLink.objects.filter(cmoc__review=forged)} == {
        outsider}
    assert {e.decided_by for e in LineageEvent.objects.filter(review=forged)} == {outsider}
    appraisal = Appraisal.objects.get(source__review=forged)
    assert (appraisal.reviewer, appraisal.reviewer_label) == (None, "eddie_editor")
    decisions = ScreeningDecision.objects.filter(source__review=forged)
    assert set(decisions.values_list("reviewer", flat=True)) == {outsider.pk}
    assert decisions.count() == 1  # one person's decision; the other's cannot become theirs
    assert ScreeningResolution.objects.get(source__review=forged).resolved_by == outsider
    assert report["attributed_to_you"] == ["eddie_editor", "olivia_owner"]
    assert any("screened by someone else" in s["reason"] for s in report["skipped"])


def test_it_keeps_usernames_when_the_operator_restores(crafted, owner, editor, outsider):
    report = import_review(document=parse_document(crafted))

    forged = Review.objects.get(slug="forged")
    assert set(CMOC.objects.filter(review=forged).values_list("created_by", flat=True)) == {
        owner.pk}
    assert set(ScreeningDecision.objects.filter(source__review=forged).values_list(
        "reviewer", flat=True)) == {outsider.pk, editor.pk}
    assert Appraisal.objects.get(source__review=forged).reviewer == editor
    assert report.attributed_to_you == set()
