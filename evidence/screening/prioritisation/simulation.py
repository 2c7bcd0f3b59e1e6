"""Replay a fully labelled dataset through the queue's model and query strategy.

The simulated reviewer starts from prior knowledge (some includes and
excludes drawn with the seed, as `asreview simulate --prior-seed` draws
them), then screens whatever the queue offers first, one record at a time,
the model retrained as the queue retrains it (engine.retrain_due: after each
decision at first, then after every few), until every relevant record is found.
"""

import csv
import time
from dataclasses import dataclass

import numpy as np

from . import metrics
from .engine import (
    Model,
    Settings,
    can_train,
    features,
    queue_order,
    retrain_due,
    step_rng,
    text_of,
)

REQUIRED_COLUMNS = ("title", "abstract", "label_included")


@dataclass
class Dataset:
    texts: list
    labels: np.ndarray


def read_labelled_csv(file):
    """The CSV layout ASReview and SYNERGY use: title, abstract, label_included (0/1).

    `keywords` is used when present; other columns are ignored. Raises
    ValueError naming the problem (missing column, a label that is not 0 or 1).
    """
    reader = csv.DictReader(file)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"The CSV lacks the column(s): {', '.join(missing)}.")
    texts, labels = [], []
    for line, row in enumerate(reader, start=2):
        label = (row["label_included"] or "").strip()
        if label not in ("0", "1"):
            raise ValueError(f"Line {line}: label_included is {label!r}, not 0 or 1.")
        texts.append(text_of(row["title"], row["abstract"], row.get("keywords") or ""))
        labels.append(int(label))
    if not texts:
        raise ValueError("The CSV has no records.")
    return Dataset(texts, np.asarray(labels, dtype=int))


def draw_priors(labels, prior_included, prior_excluded, seed):
    """Row indices of the prior knowledge, drawn the way `asreview simulate` draws them.

    Each class is drawn with a fresh RandomState(seed), so for the same seed
    and counts both tools start from the same records.
    """
    labels = np.asarray(labels)
    priors = []
    for wanted, value, name in ((prior_included, 1, "included"), (prior_excluded, 0, "excluded")):
        pool = np.flatnonzero(labels == value)
        if wanted > len(pool):
            raise ValueError(
                f"{wanted} prior {name} records asked for, but the data has only {len(pool)}."
            )
        if wanted > 0:
            priors.extend(np.random.RandomState(seed).choice(pool, wanted, replace=False))
    return [int(i) for i in priors]


def ranked_pool(matrix, labels, labelled, pool, settings, seed):
    """The pool rows in the order the queue offers them, given the labelled rows so far.

    Before there is at least one include and one exclude there is no model:
    the queue keeps its plain order (here: file order); None says so.
    """
    if not can_train(labels[labelled]):
        return None
    model = Model(settings, seed).fit(matrix[labelled], labels[labelled])
    rng = step_rng(seed, len(labelled))
    return pool[queue_order(model.scores(matrix[pool]), settings, rng)]


def simulate(dataset, *, prior_included=1, prior_excluded=1, seed=0, settings=None,
             on_progress=None):
    """Screen the dataset as the queue would; the metrics, and how many trainings it took."""
    started = time.perf_counter()
    priors, order, trainings = screening_order(
        dataset, prior_included=prior_included, prior_excluded=prior_excluded, seed=seed,
        settings=settings, on_progress=on_progress)
    report = result(dataset.labels, priors, order, time.perf_counter() - started)
    report["trainings"] = trainings
    return report


def screening_order(dataset, *, prior_included=1, prior_excluded=1, seed=0, settings=None,
                    on_progress=None):
    """The priors, the rows in the order the simulated reviewer screens them, the trainings.

    `on_progress(found, to_find)` is called after each record screened: the
    simulation ends when the last relevant record is found, so that count,
    not the records screened, is what reaches its total.
    """
    settings = settings or Settings()
    labels = dataset.labels
    priors = draw_priors(labels, prior_included, prior_excluded, seed)
    matrix, _ = features(dataset.texts, settings)
    unlabelled = np.ones(len(labels), dtype=bool)
    unlabelled[priors] = False
    labelled, order = list(priors), []
    to_find = total = int(labels[unlabelled].sum())
    ranking, trained_at, cursor, trainings = None, None, 0, 0
    while to_find:
        stale = ranking is None or retrain_due(len(labelled), len(labelled) - trained_at,
                                               settings)
        if stale and can_train(labels[labelled]):
            ranking = ranked_pool(matrix, labels, labelled, np.flatnonzero(unlabelled),
                                  settings, seed)
            trained_at, cursor, trainings = len(labelled), 0, trainings + 1
        if ranking is None:
            pick = int(np.flatnonzero(unlabelled)[0])
        else:  # the last ranking's next record: everything before it has been screened
            pick, cursor = int(ranking[cursor]), cursor + 1
        unlabelled[pick] = False
        labelled.append(pick)
        order.append(pick)
        to_find -= labels[pick]
        if on_progress is not None:
            on_progress(total - to_find, total)
    return priors, order, trainings


def result(labels, priors, order, seconds):
    """The report of one simulation (metrics over the records screened after the priors)."""
    screened = labels[order]
    total = len(labels) - len(priors)
    return {
        "records": int(len(labels)),
        "relevant": int(labels.sum()),
        "wss@95": _rounded(metrics.wss(screened, 0.95, total)),
        "rrf@10": _rounded(metrics.rrf(screened, 0.10, total)),
        "atd": _rounded(metrics.atd(screened, total)),
        "seconds": round(seconds, 3),
    }


def _rounded(value):
    return None if value is None else round(float(value), 4)
