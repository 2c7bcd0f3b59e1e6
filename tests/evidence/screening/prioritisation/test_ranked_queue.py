"""The ranked queue: before a model, while a retrain runs, after; blind across reviewers; off."""

import pytest

from evidence.models import PrioritisationSettings, Ranking, ScreeningProtocol, SourceDocument
from evidence.screening.prioritisation import services as prioritisation_services
from evidence.screening.queue import queue_for
from evidence.screening.services import record_decision, resolve_conflict
from tests.evidence.screening.prioritisation.labelled import irrelevant, relevant

TA = "title_abstract"


def decide(run_on_commit, user, source, decision):
    with run_on_commit():
        record_decision(user=user, source=source, stage=TA, decision=decision,
                        exclusion_reason=None)


def trained_sources(ranking):
    return {pk for pk, _ in ranking.trained_on}


def test_it_keeps_the_plain_order_when_prioritisation_is_off(run_on_commit, editor, ranking_corpus):
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    assert queue.ranked is None
    assert queue.next_source == ranking_corpus[1]  # lowest id not yet screened
    assert not Ranking.objects.exists()


def test_it_keeps_the_plain_order_and_says_why_until_an_include_and_an_exclude(
        run_on_commit, editor, ranking_corpus, prioritised):
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, ranking_corpus[1], "exclude")
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    assert queue.next_source == ranking_corpus[2]
    assert "at least one include and one exclude" in queue.ranked.note
    assert not Ranking.objects.exists(), "no model, so nothing logged as served"


def test_it_offers_likely_relevant_records_first_with_the_reason(
        run_on_commit, editor, ranking_corpus, prioritised):
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    ranking = queue.ranked.ranking
    assert ranking.status == Ranking.Status.READY
    assert queue.next_source.pk in {s.pk for s in relevant(ranking_corpus)[1:]}
    assert queue.ranked.reason and all(weight > 0 for _, weight in queue.ranked.reason)
    # The log says what was served: model, settings, seed, what it learnt from, when.
    assert ranking.model and ranking.settings["exploration"] == 0 and ranking.seed == 0
    assert sorted(ranking.trained_on) == sorted([[ranking_corpus[0].pk, 0],
                                                 [relevant(ranking_corpus)[0].pk, 1]])
    assert ranking.trained_at and ranking.first_served_at
    assert queue.ranked.likely_relevant_unseen is not None


def test_it_serves_the_last_ranking_while_a_retrain_runs(
        run_on_commit, editor, ranking_corpus, prioritised, settings):
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    first = Ranking.objects.get(status=Ranking.Status.READY)
    # A backend that stores tasks without running them: the retrain is still pending.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    offered = queue_for(ranking_corpus[0].review, TA, editor).next_source
    decide(run_on_commit, editor, offered, "include")
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    assert queue.ranked.training and queue.ranked.ranking == first
    assert queue.next_source is not None


def test_it_leaves_a_burst_of_decisions_to_the_newest_request(
        editor, ranking_corpus, prioritised):
    from evidence.screening.prioritisation.services import schedule_retrain, train

    # Recorded without running their retrains (as when the worker is behind).
    record_decision(user=editor, source=ranking_corpus[0], stage=TA, decision="exclude")
    record_decision(user=editor, source=relevant(ranking_corpus)[0], stage=TA,
                    decision="include")
    older = schedule_retrain(review=ranking_corpus[0].review, reviewer=editor)
    newer = schedule_retrain(review=ranking_corpus[0].review, reviewer=editor)
    assert train(older) is None and not Ranking.objects.filter(pk=older.pk).exists()
    assert train(newer).status == Ranking.Status.READY


def test_it_trains_nothing_when_nothing_changed_since_the_last_ranking(
        run_on_commit, editor, ranking_corpus, prioritised):
    from evidence.screening.prioritisation.services import schedule_retrain, train

    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    assert Ranking.objects.filter(status=Ranking.Status.READY).count() == 1
    again = schedule_retrain(review=ranking_corpus[0].review, reviewer=editor)
    assert train(again) is None, "the last ranking still holds"
    assert Ranking.objects.count() == 1
    # A change of settings makes it stale at once.
    PrioritisationSettings.objects.filter(pk=prioritised.pk).update(exploration_percent=10)
    changed = schedule_retrain(review=ranking_corpus[0].review, reviewer=editor)
    assert train(changed).settings["exploration"] == 0.1


def test_it_restores_the_plain_order_when_turned_off(
        run_on_commit, editor, ranking_corpus, prioritised):
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    assert queue_for(ranking_corpus[0].review, TA, editor).next_source != ranking_corpus[1]
    PrioritisationSettings.objects.filter(pk=prioritised.pk).update(enabled=False)
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    assert queue.ranked is None and queue.next_source == ranking_corpus[1]


def test_it_ranks_each_reviewer_blind_to_the_others_pending_decisions(
        run_on_commit, editor, editor2, ranking_corpus, prioritised):
    rel, irr = relevant(ranking_corpus), irrelevant(ranking_corpus)
    decide(run_on_commit, editor, irr[0], "exclude")
    decide(run_on_commit, editor, rel[0], "include")
    decide(run_on_commit, editor2, irr[1], "exclude")
    decide(run_on_commit, editor2, rel[1], "include")
    mine = Ranking.objects.latest_ready(ranking_corpus[0].review, editor)
    theirs = Ranking.objects.latest_ready(ranking_corpus[0].review, editor2)
    assert trained_sources(mine) == {irr[0].pk, rel[0].pk}
    assert trained_sources(theirs) == {irr[1].pk, rel[1].pk}
    # Another reviewer's pending decisions do not even reorder my queue.
    assert queue_for(ranking_corpus[0].review, TA, editor).next_source.pk in mine.order[:1]


def test_it_learns_from_settled_and_resolved_decisions_for_everyone(
        run_on_commit, owner, editor, editor2, ranking_corpus, prioritised):
    rel, irr = relevant(ranking_corpus), irrelevant(ranking_corpus)
    for user in (editor, editor2):  # both agree: settled, visible to all
        decide(run_on_commit, user, irr[0], "exclude")
    decide(run_on_commit, editor, rel[0], "include")  # a conflict, then resolved
    decide(run_on_commit, editor2, rel[0], "exclude")
    ranking = Ranking.objects.latest_ready(ranking_corpus[0].review, editor)
    assert irr[0].pk in trained_sources(ranking)
    with run_on_commit():
        resolve_conflict(user=owner, source=rel[0], stage=TA, decision="include",
                         note="About system leaders after all.")
    for user in (editor, editor2, owner):
        ranking = Ranking.objects.latest_ready(ranking_corpus[0].review, user)
        assert [rel[0].pk, 1] in ranking.trained_on and [irr[0].pk, 0] in ranking.trained_on


def test_it_counts_screened_since_the_last_include(
        run_on_commit, editor, ranking_corpus, prioritised):
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    for source in irrelevant(ranking_corpus)[:3]:
        decide(run_on_commit, editor, source, "exclude")
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    assert queue.ranked.since_last_include == 3
    assert not queue.ranked.since_last_include_capped
    assert queue.percent_screened == round(100 * 4 / 30)


def test_it_counts_back_since_the_last_include_only_so_far(
        run_on_commit, editor, ranking_corpus, prioritised, monkeypatch):
    """The count stops at the cap (one bounded query) and says it may be more."""
    monkeypatch.setattr(prioritisation_services, "SINCE_LAST_INCLUDE_CAP", 2)
    for source in irrelevant(ranking_corpus)[:3]:
        decide(run_on_commit, editor, source, "exclude")
    queue = queue_for(ranking_corpus[0].review, TA, editor)
    assert (queue.ranked.since_last_include, queue.ranked.since_last_include_capped) == (2, True)


@pytest.mark.parametrize("required", [1])
def test_it_never_decides_anything_by_itself(
        run_on_commit, editor, ranking_corpus, prioritised, required):
    ScreeningProtocol.objects.create(review=ranking_corpus[0].review, required_reviewers=required)
    decide(run_on_commit, editor, irrelevant(ranking_corpus)[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    statuses = {s.inclusion_status for s in type(ranking_corpus[0]).objects.filter(
        review=ranking_corpus[0].review).exclude(
            pk__in=[irrelevant(ranking_corpus)[0].pk, relevant(ranking_corpus)[0].pk])}
    assert statuses == {"pending"}
    assert queue_for(ranking_corpus[0].review, TA, editor).left == 28


def test_it_learns_from_the_sources_keywords_too(run_on_commit, editor, ranking_corpus,
                                                 prioritised):
    # An off-topic title and abstract, but the record's keywords are the review's topic.
    tagged = irrelevant(ranking_corpus)[-1]
    tagged.keywords = "leadership\nintegrated care\nsystem leaders\npartnership"
    tagged.save()
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    order = Ranking.objects.get(status=Ranking.Status.READY).order
    others = [order.index(s.pk) for s in irrelevant(ranking_corpus)[1:-1]]
    assert order.index(tagged.pk) < min(others)


def test_it_walks_the_ranking_past_screened_sources_a_step_at_a_time(
        run_on_commit, editor, ranking_corpus, prioritised, monkeypatch):
    review = ranking_corpus[0].review
    decide(run_on_commit, editor, ranking_corpus[0], "exclude")
    decide(run_on_commit, editor, relevant(ranking_corpus)[0], "include")
    ranking = queue_for(review, TA, editor).ranked.ranking
    ahead = ranking.order[:5]
    for pk in ahead:  # the top five, screened since; no retrain (on-commit work not run)
        record_decision(user=editor, source=SourceDocument.objects.get(pk=pk), stage=TA,
                        decision="exclude")
    monkeypatch.setattr(prioritisation_services, "RANKED_STEP", 2)

    queue = queue_for(review, TA, editor)

    assert queue.ranked.ranking == ranking
    assert queue.next_source.pk == ranking.order[5]
    # Sources the ranking does not know (all ranked ones screened) come in plain order.
    Ranking.objects.filter(pk=ranking.pk).update(order=ahead)
    assert queue_for(review, TA, editor).next_source.pk == min(
        s.pk for s in ranking_corpus if s.pk not in {*ahead, ranking_corpus[0].pk,
                                                     relevant(ranking_corpus)[0].pk})
