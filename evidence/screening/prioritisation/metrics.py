"""How good a screening order is, from the labels in the order they were screened.

`labels` are the screened records' labels (1 relevant, 0 not), first
screened first, excluding the prior knowledge the simulation started from;
records never screened count as screened last. Definitions follow the
screening-prioritisation literature (Cohen et al. 2006; ASReview Insights):

- WSS@r, work saved over sampling at recall r: the share of records left
  unscreened when r of the relevant ones are found, minus the 1 - r that
  screening in random order would save at that recall.
- RRF@p, relevant records found: the share of the relevant records found
  after screening p of all records (rounded up to whole records).
- ATD, average time to discovery: the mean number of records screened up to
  and including each relevant record.
"""

import math

import numpy as np


def _padded(labels, total):
    labels = np.asarray(labels, dtype=int)
    if total is not None and total > len(labels):
        labels = np.concatenate([labels, np.zeros(total - len(labels), dtype=int)])
    return labels


def wss(labels, recall=0.95, total=None):
    labels = _padded(labels, total)
    relevant = int(labels.sum())
    if relevant == 0:
        return None
    needed = math.ceil(recall * relevant - 1e-9)
    screened = int(np.argmax(np.cumsum(labels) >= needed)) + 1
    return (len(labels) - screened) / len(labels) - (1 - recall)


def rrf(labels, share=0.10, total=None):
    labels = _padded(labels, total)
    relevant = int(labels.sum())
    if relevant == 0:
        return None
    screened = math.ceil(share * len(labels) - 1e-9)
    return int(labels[:screened].sum()) / relevant


def atd(labels, total=None):
    labels = _padded(labels, total)
    positions = np.flatnonzero(labels) + 1
    if len(positions) == 0:
        return None
    return float(positions.mean())
