"""Cohen's kappa and raw agreement, checked against a worked example."""

import pytest

from evidence.models import ScreeningDecision
from evidence.screening.agreement import cohens_kappa, review_agreement
from evidence.screening.services import record_decision

TA = ScreeningDecision.Stage.TITLE_ABSTRACT
#                 source: 1    2    3    4    5    6    7    8    9    10
REVIEWER_A = ["include"] * 5 + ["exclude"] * 4 + ["maybe"]
REVIEWER_B = ["include"] * 3 + ["exclude"] * 5 + ["maybe"] * 2


def test_it_computes_kappa_for_the_worked_example():
    """Ten sources; A says I I I I I E E E E M, B says I I I E E E E E M M.

    Agreements: sources 1-3 (I), 6-8 (E) and 10 (M) = 7, so p_o = 7/10 = 0.70.
    A's label counts: I 5, E 4, M 1; B's: I 3, E 5, M 2.
    p_e = (5*3 + 4*5 + 1*2) / 10^2 = (15 + 20 + 2) / 100 = 0.37.
    kappa = (0.70 - 0.37) / (1 - 0.37) = 0.33 / 0.63 = 0.5238...
    """
    raw, kappa = cohens_kappa(list(zip(REVIEWER_A, REVIEWER_B, strict=True)))
    assert raw == pytest.approx(0.70)
    assert kappa == pytest.approx(0.33 / 0.63)


def test_it_gives_no_kappa_when_chance_agreement_is_certain():
    assert cohens_kappa([("include", "include")] * 4) == (1.0, None)
    assert cohens_kappa([]) == (None, None)


def test_it_reports_the_worked_example_per_stage_and_pair(editor, editor2, batch, reasons):
    for source, a, b in zip(batch, REVIEWER_A, REVIEWER_B, strict=True):
        for user, verdict in ((editor, a), (editor2, b)):
            record_decision(
                user=user, source=source, stage=TA, decision=verdict,
                exclusion_reason=reasons[0] if verdict == "exclude" else None,
            )
    # A later change of mind does not count: agreement is on the blind first decisions.
    record_decision(user=editor2, source=batch[3], stage=TA, decision="include")

    by_stage = {row["stage"]: row for row in review_agreement(batch[0].review)}
    ta = by_stage[TA]
    assert ta["n"] == 10
    assert ta["raw_agreement"] == pytest.approx(0.70)
    assert ta["kappa"] == pytest.approx(0.33 / 0.63)
    assert ta["pairs"] == [
        {
            "reviewers": ["eddie_editor", "edna_editor"],
            "n": 10,
            "agreed": 7,
            "raw_agreement": pytest.approx(0.70),
            "kappa": pytest.approx(0.33 / 0.63),
        }
    ]
    assert by_stage["full_text"] == {
        "stage": "full_text", "label": "Full-text screening", "n": 0,
        "raw_agreement": None, "kappa": None, "pairs": [],
    }


def test_it_reads_agreement_in_one_query(editor, editor2, batch, django_assert_num_queries):
    for source in batch:
        record_decision(user=editor, source=source, stage=TA, decision="include")
        record_decision(user=editor2, source=source, stage=TA, decision="maybe")
    with django_assert_num_queries(1):
        review_agreement(batch[0].review)
