"""The model and the query strategy, on small data built here."""

import numpy as np
import pytest

from evidence.screening.prioritisation.engine import (
    ELAS_U4,
    Model,
    Settings,
    can_train,
    features,
    queue_order,
    retrain_due,
)
from evidence.screening.prioritisation.simulation import (
    Dataset,
    draw_priors,
    screening_order,
    simulate,
)

from .labelled import rows


def _dataset(n=60):
    records = rows(n)
    return Dataset([r["title"] + " " + r["abstract"] for r in records],
                   np.array([r["label_included"] for r in records]))


def test_it_ranks_with_asreviews_default_model_unless_told_otherwise():
    # BENCHMARKS.md's parity run checks these values screen in ASReview's own order.
    assert Settings() == ELAS_U4
    assert (ELAS_U4.classifier, ELAS_U4.c, ELAS_U4.include_weight) == ("svm", 0.11, 9.8)
    assert not ELAS_U4.strip_accents and ELAS_U4.retrain_share == 0


def test_it_needs_an_include_and_an_exclude_to_train():
    assert not can_train([])
    assert not can_train([0, 0])
    assert not can_train([1])
    assert can_train([1, 0, 0])


def test_it_uses_word_pairs_as_features():
    _, vocabulary = features(["integrated care leadership", "wheat yield"], Settings())
    assert "integrated care" in vocabulary and "wheat yield" in vocabulary


@pytest.mark.parametrize("classifier", ["svm", "logistic", "nb"])
def test_it_ranks_unseen_relevant_records_above_the_rest(classifier):
    data = _dataset()
    settings = Settings(classifier=classifier)
    matrix, _ = features(data.texts, settings)
    train = [5, 0, 1, 2]  # one relevant, three not
    model = Model(settings, seed=0).fit(matrix[train], data.labels[train])
    pool = np.setdiff1d(np.arange(len(data.labels)), train)
    order = queue_order(model.scores(matrix[pool]), settings, np.random.default_rng(0))
    ranked = data.labels[pool][order]
    n_relevant = ranked.sum()
    assert ranked[:n_relevant].all(), "every relevant record comes before every other"


def test_it_explains_a_high_rank_with_the_terms_that_weigh_most():
    data = _dataset()
    settings = Settings()
    matrix, vocabulary = features(data.texts, settings)
    model = Model(settings, seed=0).fit(matrix[[5, 0, 1]], data.labels[[5, 0, 1]])
    [reasons] = model.explain(matrix, [11], vocabulary, top=3)
    terms = [term for term, _ in reasons]
    assert terms and all(weight > 0 for _, weight in reasons)
    assert any(word in " ".join(terms) for word in ("leadership", "trust", "care", "partnership",
                                                    "system"))


def test_it_offers_the_highest_score_first_without_exploration():
    order = queue_order([0.1, 0.9, -0.5, 0.4], Settings(), np.random.default_rng(0))
    assert list(order) == [1, 3, 0, 2]


def test_it_gives_about_the_exploration_share_of_slots_to_other_records():
    scores = np.linspace(1, 0, 1000)  # already in score order: any change is exploration
    order = queue_order(scores, Settings(exploration=0.1), np.random.default_rng(1))
    assert sorted(order) == list(range(1000)), "a permutation: nothing lost or repeated"
    # About 10% of the first 200 slots go to random records, most of them from further down.
    from_further_down = int(np.sum(order[:200] >= 200))
    assert 5 <= from_further_down <= 40
    assert list(queue_order(scores, Settings(), np.random.default_rng(1))[:200]) == list(range(200))


def test_it_explores_the_least_certain_records_in_uncertain_mode():
    scores = [3.0, 2.0, 0.01, -2.0, 1.0]
    order = queue_order(scores, Settings(exploration=1.0, exploration_mode="uncertain"),
                        np.random.default_rng(0))
    assert list(order) == [2, 4, 1, 3, 0]  # closest to the boundary first


def test_it_draws_the_same_priors_as_asreview_for_a_seed():
    labels = np.array([0, 1, 0, 0, 1, 1, 0, 0, 1, 0])
    # asreview simulate draws with check_random_state(prior_seed).choice per class.
    expected = list(np.random.RandomState(7).choice([1, 4, 5, 8], 2, replace=False))
    expected += list(np.random.RandomState(7).choice([0, 2, 3, 6, 7, 9], 1, replace=False))
    assert draw_priors(labels, 2, 1, 7) == expected


def test_it_refuses_more_priors_than_the_data_has():
    with pytest.raises(ValueError, match="only 1"):
        draw_priors(np.array([0, 1, 0]), 2, 1, 0)


def test_it_finds_the_relevant_records_early_in_a_simulation():
    report = simulate(_dataset(), prior_included=1, prior_excluded=1, seed=3)
    assert report["records"] == 60 and report["relevant"] == 10
    assert report["wss@95"] > 0.5
    assert report["rrf@10"] > 0.5


def test_it_reproduces_a_simulation_with_a_fixed_seed():
    data = _dataset()
    settings = Settings(exploration=0.2)
    first = simulate(data, seed=11, settings=settings)
    again = simulate(data, seed=11, settings=settings)
    first.pop("seconds"), again.pop("seconds")
    assert first == again


def test_it_screens_in_file_order_until_it_can_train():
    # No priors: the first records (all irrelevant here) come in file order until an include.
    report = simulate(_dataset(), prior_included=0, prior_excluded=0, seed=0)
    assert report["atd"] >= 6  # the first relevant record is the 6th in the file


def test_it_retrains_after_every_decision_at_first_then_after_a_share_of_new_labels():
    settings = Settings(retrain_share=0.02)
    assert retrain_due(10, 1, settings) and retrain_due(99, 1, settings)
    assert not retrain_due(100, 1, settings) and retrain_due(100, 2, settings)
    assert not retrain_due(1000, 19, settings) and retrain_due(1000, 20, settings)
    assert retrain_due(1000, 1, Settings(retrain_share=0.0)), "0: after every decision"


def test_it_bounds_the_trainings_of_a_long_simulation():
    # Labels the text cannot predict, so the simulated reviewer screens nearly everything.
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    n = 1000
    texts = [" ".join(rng.choice(words, 12)) for _ in range(n)]
    labels = np.zeros(n, dtype=int)
    labels[rng.choice(n, 30, replace=False)] = 1
    data = Dataset(texts, labels)
    report = simulate(data, seed=0, settings=Settings(retrain_share=0.02))
    assert report["atd"] > 200, "the relevant records are found late: most records screened"
    # Every decision up to 100 labels, then one per 2% new labels (rounded down):
    # about 220 trainings for 1,000 records, where one per decision would be ~1,000.
    assert report["trainings"] <= 230


def test_it_folds_accents_only_when_the_settings_say_so():
    texts = ["café crème", "cafe creme", "tea"] * 3
    _, folded = features(texts, Settings(strip_accents=True))
    _, kept = features(texts, Settings(strip_accents=False))
    assert "café" not in folded and "cafe" in folded
    assert {"café", "cafe"} <= set(kept)


def test_it_reports_progress_as_relevant_records_found():
    data = _dataset()
    seen = []
    _, order, _ = screening_order(data, seed=3,
                                  on_progress=lambda found, total: seen.append((found, total)))
    to_find = int(data.labels.sum()) - 1  # one include is a prior
    assert len(seen) == len(order)  # one report per record screened
    assert seen == [(int(data.labels[order[:i + 1]].sum()), to_find)
                    for i in range(len(order))]
    assert seen[-1] == (to_find, to_find)
