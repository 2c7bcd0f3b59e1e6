"""Parity check: does ichub's engine, set to ASReview ELAS u4's values, screen as ASReview does?

    python bench/screening_parity.py --asreview /path/to/asreview-venv/bin/python \
        [--datasets Cohen_2006_NSAIDS,...] [--seeds 1,2]

ELAS u4 is ASReview LAB 3.0.8's default (asreview/models/models.py): TF-IDF
over title + " " + abstract (1-2 grams, sublinear tf, max_df 0.95, accents
kept), LinearSVC(C=0.11, squared hinge), sample weights from its Balanced
balancer (includes 1, excludes n1 / (9.8 n0), then rescaled to mean 1, as
engine._sample_weight does) and a retrain after every decision. For each
tuning dataset and seed both tools screen from the same priors; the script
prints whether the two screening orders are identical (else where they first
differ) and both WSS@95. Reads the tuning datasets
($ICHUB_SCREENING_TUNING_DATASETS, as bench/screening_tuning.py), never the
evaluation ones. A script, not a test.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screening_tuning import DATASETS, load  # noqa: E402
from evidence.screening.prioritisation.engine import ELAS_U4  # noqa: E402
from evidence.screening.prioritisation.simulation import (  # noqa: E402
    result,
    screening_order,
)


def asreview_order(python, path, seed):
    out = subprocess.run(
        [python, str(ROOT / "bench" / "asreview_driver.py"), str(path), "1", "1", str(seed)],
        check=True, capture_output=True, text=True, cwd="/tmp",
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asreview", required=True, help="Python of a virtualenv with asreview")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="1,2")
    args = parser.parse_args()
    folder = Path(os.environ.get("ICHUB_SCREENING_TUNING_DATASETS")
                  or ROOT.parent / "shared" / "screening-tuning-datasets")
    print("| dataset | seed | records screened | identical order | ichub WSS@95 "
          "| ASReview WSS@95 |\n| --- | --- | --- | --- | --- | --- |")
    for name in args.datasets.split(","):
        dataset = load(folder, name)
        for seed in (int(s) for s in args.seeds.split(",")):
            priors, order, _ = screening_order(dataset, seed=seed, settings=ELAS_U4)
            theirs = asreview_order(args.asreview, folder / f"{name}.csv", seed)
            if theirs["priors"] != priors:
                raise SystemExit(f"{name} seed {seed}: priors differ: {theirs['priors']} "
                                 f"(ASReview), {priors} (ichub)")
            pairs = zip(order, theirs["order"], strict=False)
            differ = next((i for i, (a, b) in enumerate(pairs)
                           if a != b), None)
            same = ("yes" if differ is None and len(order) == len(theirs["order"])
                    else f"no, from record {differ}")
            mine = result(dataset.labels, priors, order, 0)["wss@95"]
            peer = result(dataset.labels, priors, theirs["order"], 0)["wss@95"]
            print(f"| {name} | {seed} | {len(order)} | {same} | {mine:.4f} | {peer:.4f} |",
                  flush=True)


if __name__ == "__main__":
    main()
