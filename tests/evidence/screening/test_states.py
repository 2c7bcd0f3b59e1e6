"""Every writer of screening decisions keeps the stored ScreeningState rows equal to the rule.

The review-wide pages count evidence.models.ScreeningState rows instead of
settling every source per request, so a writer that forgets to refresh them
gives wrong counts. After each writer (the services, the whole-review and
archive restores, the shipped-review loader, the admin, the benchmark's COPY
loader and the data migration) the stored rows must equal what
evidence.models.screening.screening_status says source by source.
"""

import importlib
import io
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from bench.pages import build_screened_review
from evidence.importers.services import import_sources
from evidence.models import (
    ScreeningDecision,
    ScreeningPair,
    ScreeningPairCount,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningReviewerSummary,
    ScreeningStage,
    ScreeningState,
    ScreeningSummary,
    SourceDocument,
)
from evidence.screening import states
from evidence.screening.services import (
    configure_screening,
    record_decision,
    resolve_conflict,
    undo_last_decision,
)
from evidence.screening.summary import FIELDS
from ichub.models import Review
from reports.transfer import export_review_text, import_review, parse_document
from reports.transfer.archive import import_archive, write_archive
from tests.conftest import make_user
from tests.evidence.importers import samples

TA, FT = ScreeningStage.TITLE_ABSTRACT, ScreeningStage.FULL_TEXT


def _stored(review):
    return {
        (row.source_id, row.stage): (row.state, row.decisions, row.includes, row.excludes,
                                     row.resolution)
        for row in ScreeningState.objects.filter(review=review)
    }


def _rule(review):
    """The per-source rule: one entry per (source, stage) with a decision or a resolution."""
    required = ScreeningProtocol.for_review(review).required_reviewers
    expected = {}
    sources = SourceDocument.objects.filter(review=review).prefetch_related(
        "screening_decisions", "screening_resolutions")
    for source in sources:
        for stage in ScreeningStage.values:
            status = source.screening_status(stage, required)
            if not status.decisions and status.resolution is None:
                continue
            votes = [d.decision for d in status.decisions]
            expected[source.pk, stage] = (
                status.decision if status.is_final else status.state, len(votes),
                votes.count("include"), votes.count("exclude"),
                status.resolution.decision if status.resolution else "",
            )
    return expected


def _stored_pairs(review):
    return {
        (p.source_id, p.stage, p.first_reviewer_id, p.second_reviewer_id):
            (p.first_label, p.second_label)
        for p in ScreeningPair.objects.filter(review=review)
    }


def _pair_rule(review):
    """Each reviewer's blind decision: their latest one that revises nothing; paired by item."""
    blind = {}
    for d in ScreeningDecision.objects.filter(source__review=review, supersedes=None).order_by(
            "decided_at", "id"):
        blind[d.source_id, d.stage, d.reviewer_id] = d.decision  # the later one wins
    pairs = {}
    for (source, stage, a), label_a in blind.items():
        for (other, other_stage, b), label_b in blind.items():
            if (other, other_stage) == (source, stage) and a < b:
                pairs[source, stage, a, b] = (label_a, label_b)
    return pairs


def _stored_summary(review):
    stages = {row.stage: {f: getattr(row, f) for f in FIELDS}
              for row in ScreeningSummary.objects.filter(review=review)}
    reviewers = {(row.stage, row.reviewer_id): row.awaiting_decided
                 for row in ScreeningReviewerSummary.objects.filter(review=review)}
    pairs = {(row.stage, row.first_reviewer_id, row.second_reviewer_id, row.first_label,
               row.second_label): row.items
             for row in ScreeningPairCount.objects.filter(review=review)}
    return ({stage: counts for stage, counts in stages.items() if any(counts.values())},
            {key: n for key, n in reviewers.items() if n},
            {key: n for key, n in pairs.items() if n})


def _summary_rule(review):
    """The summary recounted from the per-source rule and the current decisions."""
    states = _rule(review)
    stages = {}
    for (source, stage), (state, decisions, _, _, resolution) in states.items():
        counts = stages.setdefault(stage, dict.fromkeys(FIELDS, 0))
        counts["screened"] += 1
        counts[{"awaiting": "awaiting", "include": "included", "exclude": "excluded",
                "conflict": "conflicts"}[state]] += 1
        counts["resolved"] += bool(resolution and decisions)
        if stage == TA and state == "include" and (source, FT) not in states:
            stages.setdefault(FT, dict.fromkeys(FIELDS, 0))["unscreened"] += 1
    reviewers = Counter(
        (d.stage, d.reviewer_id)
        for d in ScreeningDecision.objects.filter(source__review=review, is_current=True)
        if states[d.source_id, d.stage][0] == "awaiting"
    )
    pairs = Counter((stage, a, b, *labels)
                    for (_, stage, a, b), labels in _pair_rule(review).items())
    return ({stage: counts for stage, counts in stages.items() if any(counts.values())},
            dict(reviewers), dict(pairs))


def _backlog(review):
    """The review's title/abstract backlog as the triggers keep it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT unscreened FROM evidence_screeningbacklog WHERE review_id = %s",
                       [review.pk])
        return cursor.fetchone()[0]


def _backlog_rule(review):
    """Pending sources with no title/abstract decision or resolution."""
    pending = SourceDocument.objects.filter(review=review, inclusion_status="pending")
    return sum(1 for source in pending.prefetch_related("screening_decisions",
                                                        "screening_resolutions")
               if not any(d.stage == TA and d.is_current for d in source.screening_decisions.all())
               and not any(r.stage == TA for r in source.screening_resolutions.all()))


def _exclusions(review):
    """(the exclusion totals the triggers keep, the same counted from the sources)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT stage, excluded FROM evidence_exclusiontally "
                       "WHERE review_id = %s AND excluded > 0", [review.pk])
        kept = dict(cursor.fetchall())
    counted = Counter(SourceDocument.objects.filter(review=review, inclusion_status="excluded")
                      .exclude(excluded_at_stage="").values_list("excluded_at_stage", flat=True))
    return kept, dict(counted)


def _assert_kept(review):
    assert _stored(review) == _rule(review)
    assert _stored_pairs(review) == _pair_rule(review)
    assert _stored_summary(review) == _summary_rule(review)
    assert _backlog(review) == _backlog_rule(review)
    kept, counted = _exclusions(review)
    assert kept == counted


def _delete(review):
    ScreeningResolution.objects.filter(source__review=review).delete()
    decisions = ScreeningDecision.objects.filter(source__review=review)
    while decisions.exists():
        decisions.filter(superseded_by__isnull=True).delete()
    review.delete()


@pytest.fixture
def screened(review, batch, owner, editor, editor2):
    """Settled, conflicting, awaiting, revised and resolved sources at both stages."""
    vote = record_decision
    vote(user=editor, source=batch[0], stage=TA, decision="include")
    _assert_kept(review)
    vote(user=editor2, source=batch[0], stage=TA, decision="include")
    vote(user=editor, source=batch[1], stage=TA, decision="include")
    vote(user=editor2, source=batch[1], stage=TA, decision="exclude")
    vote(user=editor, source=batch[2], stage=TA, decision="maybe")
    vote(user=editor, source=batch[2], stage=TA, decision="exclude")  # a revision
    vote(user=editor, source=batch[3], stage=TA, decision="maybe")
    vote(user=editor2, source=batch[3], stage=TA, decision="maybe")
    vote(user=editor, source=batch[0], stage=FT, decision="include")
    _assert_kept(review)
    resolve_conflict(user=owner, source=batch[1], stage=TA, decision="include", note="Both.")
    _assert_kept(review)
    assert _stored(review)[batch[1].pk, TA][0] == "include"
    return review


def test_it_keeps_the_states_through_decisions_revisions_undo_and_resolutions(
    screened, batch, owner, editor, editor2
):
    assert _stored(screened)[batch[3].pk, TA][0] == "conflict"  # agreement on maybe only
    assert _stored(screened)[batch[2].pk, TA][0] == "awaiting"
    undo_last_decision(user=editor, review=screened, stage=FT)
    assert (batch[0].pk, FT) not in _stored(screened)
    undo_last_decision(user=editor, review=screened, stage=TA)  # the revision: back to maybe
    _assert_kept(screened)
    assert _stored(screened)[batch[2].pk, TA][:2] == ("awaiting", 1)
    # A resolution whose votes were all undone still settles the stage.
    record_decision(user=editor, source=batch[5], stage=TA, decision="include")
    record_decision(user=editor2, source=batch[5], stage=TA, decision="exclude")
    resolve_conflict(user=owner, source=batch[5], stage=TA, decision="exclude", note="Off topic.")
    undo_last_decision(user=editor, review=screened, stage=TA)
    undo_last_decision(user=editor2, review=screened, stage=TA)
    _assert_kept(screened)
    assert _stored(screened)[batch[5].pk, TA] == ("exclude", 0, 0, 0, "exclude")


def test_it_settles_the_states_again_when_the_required_reviewers_change(screened, owner, batch):
    for required in (1, 3, 2):
        configure_screening(user=owner, review=screened, required_reviewers=required)
        _assert_kept(screened)
    configure_screening(user=owner, review=screened, required_reviewers=1)
    assert _stored(screened)[batch[2].pk, TA][0] == "exclude"


def test_it_keeps_the_states_through_a_whole_review_restore_and_an_archive_restore(screened):
    text, slug = export_review_text(screened), screened.slug
    archive = io.BytesIO()
    write_archive(screened, archive)
    expected = sorted(_stored(screened).values())
    _delete(screened)
    import_review(document=parse_document(text.encode()))
    restored = Review.objects.get(slug=slug)
    _assert_kept(restored)
    assert sorted(_stored(restored).values()) == expected
    _delete(restored)
    archive.seek(0)
    import_archive(handle=archive)
    restored = Review.objects.get(slug=slug)
    _assert_kept(restored)
    assert sorted(_stored(restored).values()) == expected


def test_it_keeps_the_states_through_admin_edits_and_deletions(screened, batch, client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    decision = ScreeningDecision.objects.get(source=batch[0], stage=TA, reviewer__username=
                                             "edna_editor")
    form = {"source": batch[4].pk, "stage": TA, "reviewer": decision.reviewer_id,
            "decision": "exclude", "note": "", "is_current": "on"}
    url = reverse("admin:evidence_screeningdecision_change", args=[decision.pk])
    assert client.post(url, form).status_code == 302  # moved to another source
    _assert_kept(screened)
    assert _stored(screened)[batch[0].pk, TA][:2] == ("awaiting", 1)
    resolution = ScreeningResolution.objects.get(source=batch[1])
    url = reverse("admin:evidence_screeningresolution_delete", args=[resolution.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    _assert_kept(screened)
    assert _stored(screened)[batch[1].pk, TA][0] == "conflict"
    changelist = reverse("admin:evidence_screeningdecision_changelist")
    chosen = list(ScreeningDecision.objects.filter(source=batch[4]).values_list("pk", flat=True))
    response = client.post(changelist, {"action": "delete_selected", "post": "yes",
                                         "_selected_action": chosen})
    assert response.status_code == 302
    assert not ScreeningDecision.objects.filter(source=batch[4]).exists()
    _assert_kept(screened)


def test_it_keeps_the_states_of_the_benchmark_copy_loader_and_the_shipped_loader(db):
    users = [make_user(f"screener{n}") for n in (1, 2, 3)]
    review = build_screened_review(120, "copied", users)
    _assert_kept(review)
    assert {state for state, *_ in _stored(review).values()} == {
        "include", "exclude", "conflict"}
    assert len(_stored_pairs(review)) > 50
    call_command("load_shipped_reviews")
    for shipped in Review.objects.exclude(pk=review.pk):
        _assert_kept(shipped)


def test_it_fills_the_states_of_existing_decisions_in_the_data_migration(screened, owner):
    configure_screening(user=owner, review=screened, required_reviewers=3)
    expected = _stored(screened)
    ScreeningState.objects.all().delete()
    ScreeningPair.objects.all().delete()
    migration = importlib.import_module("evidence.migrations.0012_screening_state")
    with connection.cursor() as cursor:  # what the schema editor runs it on, inside the test
        migration.fill_states(None, SimpleNamespace(execute=cursor.execute))
    assert _stored(screened) == expected == _rule(screened)
    assert _stored_pairs(screened) == _pair_rule(screened)


def test_it_fills_the_summaries_of_existing_states_in_the_data_migration(screened):
    expected = _stored_summary(screened)
    ScreeningSummary.objects.all().delete()
    ScreeningReviewerSummary.objects.all().delete()
    ScreeningPairCount.objects.all().delete()
    with connection.cursor() as cursor:
        editor = SimpleNamespace(execute=cursor.execute)
        importlib.import_module("evidence.migrations.0013_screening_summary").fill_summaries(
            None, editor)
        importlib.import_module("evidence.migrations.0016_screening_pair_count").fill_counts(
            None, editor)
    assert _stored_summary(screened) == expected == _summary_rule(screened)
    assert expected[0][TA]["conflicts"] == 1 and expected[0][FT]["awaiting"] == 1


def test_it_takes_deleted_sources_out_of_the_summary(screened, batch, client, owner,
                                                     token_client):
    """Deleting a source deletes its states (a cascade); the summary must not keep counting it."""
    assert _stored_summary(screened)[0][TA]["included"] == 2  # batch 0 and the resolved batch 1
    client.force_login(owner)
    url = reverse("evidence:delete", args=[screened.slug, batch[0].pk])
    assert client.post(url).status_code == 302
    _assert_kept(screened)
    assert token_client(owner).delete(f"/api/sources/{batch[1].pk}/").status_code == 204
    _assert_kept(screened)
    SourceDocument.objects.filter(pk__in=[batch[2].pk, batch[3].pk]).delete()
    _assert_kept(screened)
    assert _stored_summary(screened) == ({}, {}, {})


def test_it_takes_a_deleted_batch_larger_than_one_step_out_of_the_summary(
    screened, batch, monkeypatch
):
    monkeypatch.setattr(states, "FORGET_STEP", 2)
    SourceDocument.objects.filter(pk__in=[source.pk for source in batch[:5]]).delete()
    _assert_kept(screened)


def test_it_keeps_the_backlog_and_exclusion_totals_through_every_kind_of_source_write(
    screened, batch, owner, token_client
):
    """The backlog and exclusion totals (kept by triggers) follow sources however they change."""
    _assert_kept(screened)
    assert _backlog(screened) == 6  # batch 4-9
    other = Review.objects.create(slug="other-review", title="Another review")
    assert _backlog(other) == 0
    import_sources(review=screened, data=samples.ZOTERO_RIS.encode())
    SourceDocument.objects.bulk_create([
        SourceDocument(review=screened, citation_key=f"bulk{n}", title=f"Bulk {n}")
        for n in range(3)])
    _assert_kept(screened)
    SourceDocument.objects.filter(pk__in=[batch[6].pk, batch[0].pk]).update(
        inclusion_status="excluded", excluded_at_stage=TA)  # one unscreened, one screened
    api = token_client(owner)
    response = api.patch(f"/api/sources/{batch[7].pk}/", {"inclusion_status": "included"},
                         format="json", HTTP_IF_MATCH=api.get(
                             f"/api/sources/{batch[7].pk}/").headers["ETag"])
    assert response.status_code == 200, response.content
    _assert_kept(screened)
    assert _exclusions(screened)[0][TA] >= 2
    SourceDocument.objects.filter(pk=batch[6].pk).update(inclusion_status="pending",
                                                         excluded_at_stage="")
    SourceDocument.objects.filter(pk=batch[0].pk).update(excluded_at_stage=FT)
    SourceDocument.objects.filter(pk=batch[8].pk).update(review=other)  # moved (as the admin may)
    _assert_kept(screened)
    assert _backlog(other) == 1
    record_decision(user=owner, source=batch[9], stage=TA, decision="include")
    batch[4].delete()
    _assert_kept(screened)
    assert _backlog(screened) == _backlog_rule(screened) > 0
    other_id = other.pk
    other.delete()
    with connection.cursor() as cursor:
        for table in ("evidence_screeningbacklog", "evidence_exclusiontally"):
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE review_id = %s",  # noqa: S608
                           [other_id])
            assert cursor.fetchone()[0] == 0
