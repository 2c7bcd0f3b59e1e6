"""Two reviewers deciding the same source at the same moment: both decisions land."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from evidence.models import (
    ScreeningDecision,
    ScreeningReviewerSummary,
    ScreeningSummary,
    SourceDocument,
)
from evidence.screening.services import record_decision

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="SQLite serialises all writers anyway"),
]


def test_it_lands_both_of_two_simultaneous_decisions(editor, editor2, batch):
    source = batch[0]
    barrier = threading.Barrier(2)
    errors = []

    def decide(user):
        try:
            barrier.wait(timeout=5)
            record_decision(user=user, source=source, stage="title_abstract", decision="include")
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(user,)) for user in (editor, editor2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    current = ScreeningDecision.objects.current().filter(source=source)
    assert sorted(current.values_list("reviewer__username", flat=True)) == [
        "eddie_editor", "edna_editor"
    ]
    # The second writer waited for the first, so it saw the source settle.
    status = SourceDocument.objects.get(pk=source.pk).screening_status("title_abstract", 2)
    assert (status.state, status.decision) == ("settled", "include")


def test_it_counts_both_of_two_simultaneous_decisions_on_two_sources_in_the_summary(
    editor, editor2, batch
):
    """Both add to the review's summary row, which neither found: the counts are not lost."""
    barrier = threading.Barrier(2)
    errors = []

    def decide(user, source):
        try:
            barrier.wait(timeout=5)
            record_decision(user=user, source=source, stage="title_abstract", decision="include")
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=pair)
               for pair in ((editor, batch[0]), (editor2, batch[1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    row = ScreeningSummary.objects.get(review=batch[0].review, stage="title_abstract")
    assert (row.screened, row.awaiting) == (2, 2)
    decided = ScreeningReviewerSummary.objects.filter(review=batch[0].review)
    assert sorted(decided.values_list("reviewer__username", "awaiting_decided")) == [
        ("eddie_editor", 1), ("edna_editor", 1)]
