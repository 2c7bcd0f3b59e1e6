"""Run one ASReview LAB simulation with its default model; print the screening order as JSON.

Runs under ASReview's own Python (a separate virtualenv, see bench/screening.py),
never under ichub's. It does what `asreview simulate FILE --n-prior-included I
--n-prior-excluded E --prior-seed S --seed S` does (asreview 3.0.x,
asreview/simulation/cli.py), without writing a project file, and prints
the row indices of the priors and of every record in the order it was
screened, so ichub's metrics score both tools alike.

usage: python asreview_driver.py FILE.csv PRIOR_INCLUDED PRIOR_EXCLUDED SEED
"""

import json
import sys
import time

import numpy as np
from asreview import load_dataset
from asreview.learner import ActiveLearningCycle
from asreview.models.models import get_ai_config
from asreview.models.queriers import TopDown
from asreview.models.stoppers import IsFittable, LastRelevant
from asreview.simulation.simulate import Simulate
from sklearn.utils import check_random_state


def main(path, prior_included, prior_excluded, seed):
    started, cpu_started = time.perf_counter(), time.process_time()
    np.random.seed(seed)
    config = get_ai_config()
    with load_dataset(path, dataset_id=path) as db:
        labels = np.asarray(db.input["included"])
        cycles = [
            ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()),
            ActiveLearningCycle.from_meta(config["value"]),
        ]
        sim = Simulate(db.input.get_df(), labels, cycles, stopper=LastRelevant(),
                       print_progress=False)
        priors = []
        for wanted, value in ((prior_included, 1), (prior_excluded, 0)):
            if wanted:
                drawn = check_random_state(seed).choice(
                    np.where(labels == value)[0], wanted, replace=False)
                sim.label(drawn)
                priors.extend(int(i) for i in drawn)
        sim.review()
        screened = [int(i) for i in sim._results["record_id"]][len(priors):]
    print(json.dumps({
        "model": config["name"],
        "priors": priors,
        "order": screened,
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
