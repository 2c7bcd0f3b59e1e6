"""WSS@95, RRF@10 and ATD against small examples computed by hand."""

import pytest

from evidence.screening.prioritisation import metrics

# 10 records, 3 relevant, found 1st, 3rd and 6th.
ORDER = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]


def test_it_computes_wss_at_95_by_hand():
    # 95% of 3 relevant rounds up to all 3, found after 6 of 10: 4/10 unscreened - 0.05.
    assert metrics.wss(ORDER, 0.95) == pytest.approx(0.35)


def test_it_computes_wss_at_lower_recall():
    # 2/3 recall needs 2 relevant, found after 3 records: 7/10 - 1/3.
    assert metrics.wss(ORDER, 2 / 3) == pytest.approx(0.7 - 1 / 3)


def test_it_computes_wss_of_a_perfect_and_a_worst_order():
    assert metrics.wss([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]) == pytest.approx(0.8 - 0.05)
    assert metrics.wss([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]) == pytest.approx(0.0 - 0.05)


def test_it_computes_rrf_at_10_by_hand():
    # 10% of 10 records is 1 record, which finds 1 of 3 relevant.
    assert metrics.rrf(ORDER, 0.10) == pytest.approx(1 / 3)
    # 10% of 25 records rounds up to 3.
    assert metrics.rrf([0, 1, 1] + [0] * 21 + [1], 0.10) == pytest.approx(2 / 3)


def test_it_computes_atd_by_hand():
    assert metrics.atd(ORDER) == pytest.approx((1 + 3 + 6) / 3)


def test_it_counts_unscreened_records_as_screened_last():
    # A simulation that stopped after the last relevant: 4 screened of 10.
    assert metrics.wss([0, 1, 0, 1], 0.95, total=10) == pytest.approx(0.6 - 0.05)
    assert metrics.rrf([0, 1, 0, 1], 0.10, total=10) == 0


def test_it_reports_nothing_when_there_is_nothing_to_find():
    assert metrics.wss([0, 0, 0]) is None
    assert metrics.rrf([0, 0, 0]) is None
    assert metrics.atd([0, 0, 0]) is None
