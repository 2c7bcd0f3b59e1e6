"""The model and query strategy that rank the title/abstract queue.

TF-IDF over words and word pairs of title, abstract and keywords, and a
class-weighted linear support vector machine from scikit-learn, retrained as
decisions come in (retrain_due). Relevant records are rare (often 1-5%), so
the excludes are weighed down (by default the includes weigh 9.8x the
excludes in total); without that the model learns mostly "exclude". The
defaults are ASReview's ELAS u4 (below): ASReview's model and settings, so
a review can report its screening as ELAS u4's (ichub also reads keywords,
which ASReview does not; without them, and with no exploration slice, the
two screen in the same order). Four rounds of tuning on datasets the
benchmark does not evaluate on (bench/screening_tuning.py; BENCHMARKS.md)
found no setting that beat it consistently on datasets it had not been
chosen on.
Nothing here touches the database, so the queue and the simulation share
one code path.
"""

import math
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

CLASSIFIER_NAMES = {"svm": "linear-svm", "logistic": "logistic-regression",
                    "nb": "multinomial-naive-bayes"}
EXPLORATION_MODES = ("random", "uncertain")


@dataclass(frozen=True)
class Settings:
    """Everything that decides a ranking, stored with each served ranking."""

    classifier: str = "svm"  # svm | logistic | nb
    c: float = 0.11  # inverse regularisation (svm, logistic)
    alpha: float = 3.8  # smoothing (nb)
    include_weight: float = 9.8  # how much more the includes weigh in total than the excludes
    max_df: float = 0.95
    sublinear_tf: bool = True
    strip_accents: bool = False  # fold accented letters (é -> e)
    exploration: float = 0.0  # share of queue slots given to the exploration rule
    exploration_mode: str = "random"  # random | uncertain
    retrain_share: float = 0.0  # retrain once this share of the labels is new (0: every one)

    def as_dict(self):
        return asdict(self)

    @property
    def model_name(self):
        """What the ranking log calls the model these settings train."""
        return f"tfidf-1-2grams+class-weighted-{CLASSIFIER_NAMES[self.classifier]}"


# ASReview LAB 3.0.8's default model (ELAS u4, asreview/models/models.py) in these
# settings, ichub's defaults: with them the engine screens in ASReview's own order
# (bench/screening_parity.py; BENCHMARKS.md).
ELAS_U4 = Settings(classifier="svm", c=0.11, include_weight=9.8, strip_accents=False,
                   retrain_share=0.0)


def text_of(title, abstract, keywords=""):
    return " ".join(part for part in (title, abstract, keywords) if part)


def features(texts, settings):
    """TF-IDF matrix of all records (fitted on all of them, labelled or not) and the vocabulary.

    Fitting on the whole pool is what the reviewer's queue can do too: the
    unlabelled records' words are known, only their labels are not.
    """
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=settings.sublinear_tf,
        max_df=settings.max_df if len(texts) > 20 else 1.0,
        strip_accents="unicode" if settings.strip_accents else None,
        dtype=np.float64,
    )
    matrix = vectorizer.fit_transform(texts)
    return matrix, vectorizer.get_feature_names_out()


def _sample_weight(labels, include_weight):
    """Weights that give the includes `include_weight` times the excludes' total, mean 1."""
    labels = np.asarray(labels)
    n_in, n_out = labels.sum(), len(labels) - labels.sum()
    weights = np.where(labels == 1, 1.0, n_in / (include_weight * n_out))
    return weights * (len(labels) / weights.sum())


def can_train(labels):
    """A model needs at least one include and one exclude."""
    labels = set(int(label) for label in labels)
    return labels == {0, 1}


class Model:
    """A classifier trained on the labelled rows of a feature matrix."""

    def __init__(self, settings, seed):
        self.settings = settings
        if settings.classifier == "svm":
            self.estimator = LinearSVC(C=settings.c, random_state=seed)
        elif settings.classifier == "logistic":
            self.estimator = LogisticRegression(C=settings.c, solver="liblinear",
                                                random_state=seed)
        elif settings.classifier == "nb":
            self.estimator = MultinomialNB(alpha=settings.alpha)
        else:
            raise ValueError(f"Unknown classifier {settings.classifier!r}.")

    def fit(self, matrix, labels):
        labels = np.asarray(labels, dtype=int)
        self.estimator.fit(
            matrix, labels, sample_weight=_sample_weight(labels, self.settings.include_weight)
        )
        return self

    def scores(self, matrix):
        """Higher means more likely relevant; 0 is the boundary (log-odds for naive Bayes)."""
        if self.settings.classifier == "nb":
            log_proba = self.estimator.predict_log_proba(matrix)
            return log_proba[:, 1] - log_proba[:, 0]
        return self.estimator.decision_function(matrix)

    def term_weights(self):
        """Each term's pull towards 'include' (positive) or 'exclude' (negative)."""
        if self.settings.classifier == "nb":
            log_prob = self.estimator.feature_log_prob_
            return log_prob[1] - log_prob[0]
        return self.estimator.coef_.ravel()

    def explain(self, matrix, rows, vocabulary, top=5):
        """For each row, the terms that weigh most towards including it (term, weight) pairs."""
        weights = self.term_weights()
        reasons = []
        for row in rows:
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            columns, values = matrix.indices[start:end], matrix.data[start:end]
            pull = values * weights[columns]
            best = np.argsort(-pull, kind="stable")[:top]
            reasons.append(
                [(str(vocabulary[columns[i]]), round(float(pull[i]), 4)) for i in best
                 if pull[i] > 0]
            )
        return reasons


def retrain_due(n_labelled, n_changed, settings):
    """Whether a ranking learnt before the last `n_changed` of `n_labelled` labels is stale.

    With retrain_share 0 (the default, as ASReview does) every decision
    retrains. With a share such as 0.02, every decision retrains while labels
    are few (each one moves the model); later a ranking is kept until 2% of
    the labels (20 decisions at 1,000 labels) are new, so screening N records
    costs about 1/retrain_share * ln(N) trainings, not N; the reviewer
    meanwhile screens down the last ranking, as the queue does while a
    retrain runs. On the tuning data 0.02 cost 0.002 of mean WSS@95.
    """
    return n_changed >= max(1, math.floor(n_labelled * settings.retrain_share))


def step_rng(seed, n_labelled):
    """The random draws for one ranking: fixed by the seed and how many labels it learnt from.

    A fresh generator per ranking (not one running through a session) is what
    lets the queue and the simulation draw alike, and a logged ranking be
    recomputed from its seed and its training decisions alone.
    """
    return np.random.default_rng([seed, n_labelled])


def queue_order(scores, settings, rng):
    """Positions of the pool in the order the queue offers them.

    Most-likely-relevant first. When exploration is on, each slot is taken
    with that probability by the exploration rule instead: a random record,
    or the one the model is least sure about (closest to its boundary), so
    the model also learns from records unlike those it already knows.
    """
    scores = np.asarray(scores, dtype=float)
    by_score = np.argsort(-scores, kind="stable")
    if settings.exploration <= 0 or len(scores) == 0:
        return by_score
    explore = rng.random(len(scores)) < settings.exploration
    if not explore.any():
        return by_score
    if settings.exploration_mode == "uncertain":
        alternative = np.argsort(np.abs(scores), kind="stable")
    else:
        alternative = rng.permutation(len(scores))
    taken = np.zeros(len(scores), dtype=bool)
    order = np.empty(len(scores), dtype=int)
    lists, cursors = (by_score, alternative), [0, 0]
    for slot, use_alternative in enumerate(explore):
        which = int(use_alternative)
        candidates, cursor = lists[which], cursors[which]
        while taken[candidates[cursor]]:
            cursor += 1
        order[slot] = candidates[cursor]
        taken[candidates[cursor]] = True
        cursors[which] = cursor + 1
    return order
