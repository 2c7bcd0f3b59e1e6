"""Screening prioritisation benchmark: ichub's queue model against ASReview LAB's default.

    python bench/screening.py --asreview /path/to/asreview-venv/bin/python

For each dataset in the datasets folder and each seed, both tools screen the same
CSV from the same priors (one include and one exclude drawn with the seed,
as `asreview simulate --prior-seed` draws them) until every relevant record
is found; ichub's metrics (evidence/prioritisation/metrics.py) score both
screening orders alike. ASReview runs in its own virtualenv through
bench/asreview_driver.py. Also times one training of the queue's model on
10,000 records. Writes bench/results/screening.json and prints the table
BENCHMARKS.md shows. Nothing is fetched: the labelled CSVs are read from
$ICHUB_SCREENING_DATASETS, else shared/screening-datasets/ beside the checkout
(bench/datasets/README.md says which files, their source and licence).
It is a script, not a test: nothing here asserts a time.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence.screening.prioritisation.engine import (  # noqa: E402
    Model,
    Settings,
    features,
    queue_order,
    step_rng,
)
from evidence.screening.prioritisation.simulation import (  # noqa: E402
    Dataset,
    draw_priors,
    read_labelled_csv,
    result,
    simulate,
)

DATASETS = ["Bannach-Brown_2019", "Kitchenham_2010"]
METRICS = ["wss@95", "rrf@10", "atd", "seconds", "cpu_seconds"]
WALL_GOAL = 60  # seconds for a simulation of about 2,000 records (Bannach-Brown: 1,993)


def dataset_path(name):
    shared = ROOT.parent / "shared" / "screening-datasets"
    folder = os.environ.get("ICHUB_SCREENING_DATASETS") or shared
    path = Path(folder) / f"{name}.csv"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: see bench/datasets/README.md")
    return path


def load(name):
    with dataset_path(name).open(newline="", encoding="utf-8") as f:
        return read_labelled_csv(f)


def run_ichub(dataset, seed, priors):
    cpu_started = time.process_time()
    report = simulate(dataset, prior_included=priors[0], prior_excluded=priors[1], seed=seed)
    report["cpu_seconds"] = round(time.process_time() - cpu_started, 3)
    return report


def run_asreview(python, name, dataset, seed, priors):
    path = dataset_path(name)
    started = time.perf_counter()
    out = subprocess.run(
        [python, str(ROOT / "bench" / "asreview_driver.py"), str(path), str(priors[0]),
         str(priors[1]), str(seed)],
        check=True, capture_output=True, text=True, cwd="/tmp",
    )
    wall = time.perf_counter() - started
    run = json.loads(out.stdout.strip().splitlines()[-1])
    expected = draw_priors(dataset.labels, priors[0], priors[1], seed)
    if run["priors"] != expected:
        raise SystemExit(f"{name} seed {seed}: ASReview drew priors {run['priors']}, "
                         f"ichub {expected}: the runs would not be comparable.")
    report = result(dataset.labels, run["priors"], run["order"], run["seconds"])
    report["model"] = run["model"]
    report["cpu_seconds"] = run["cpu_seconds"]
    report["wall_seconds"] = round(wall, 3)  # includes starting Python and importing ASReview
    return report


def summary(runs):
    out = {}
    for metric in METRICS + (["trainings"] if "trainings" in runs[0] else []):
        values = [r[metric] for r in runs if r[metric] is not None]
        out[metric] = {
            "mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
            "min": min(values),
            "max": max(values),
        }
    return out


def training_time(n=10_000):
    """One ranking as the queue trains it, on n records (the datasets' texts, cycled)."""
    texts, labels = [], []
    for name in DATASETS:
        data = load(name)
        texts += data.texts
        labels += list(data.labels)
    texts = [f"{texts[i % len(texts)]} r{i}" for i in range(n)]
    labels = np.array([labels[i % len(labels)] for i in range(n)])
    data, settings = Dataset(texts, labels), Settings()
    started = time.perf_counter()
    matrix, vocabulary = features(data.texts, settings)
    labelled = np.arange(n // 2)  # half screened: the model learns from 5,000 decisions
    pool = np.arange(n // 2, n)
    model = Model(settings, 0).fit(matrix[labelled], data.labels[labelled])
    order = pool[queue_order(model.scores(matrix[pool]), settings, step_rng(0, len(labelled)))]
    model.explain(matrix, order[:200], vocabulary)
    seconds = time.perf_counter() - started
    return {"records": n, "labelled": len(labelled), "seconds": round(seconds, 3)}


def table(results):
    lines = [
        "| dataset | tool | WSS@95 mean (sd, min-max) | RRF@10 mean (sd) | ATD mean "
        "| s / simulation (CPU s) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, tools in results["datasets"].items():
        for tool, block in tools.items():
            if tool == "records":
                continue
            s = block["summary"]
            w, r = s["wss@95"], s["rrf@10"]
            lines.append(
                f"| {name} | {tool} | {w['mean']:.3f} ({w['sd']:.3f}, "
                f"{w['min']:.3f}-{w['max']:.3f}) | {r['mean']:.3f} ({r['sd']:.3f}) "
                f"| {s['atd']['mean']:.1f} "
                f"| {s['seconds']['mean']:.1f} ({s['cpu_seconds']['mean']:.1f}) |"
            )
    return "\n".join(lines)


def goals(results):
    """Ratios and goals from this run's figures alone: ichub's mean WSS@95 against ASReview's,
    and the wall time of ichub's ~2,000-record simulation."""
    lines = ["| dataset | WSS@95 ichub - ASReview (mean) | wall time ichub / ASReview "
             "(mean) | CPU ichub / ASReview | ichub trainings per simulation |",
             "| --- | --- | --- | --- | --- |"]
    checks = {}
    for name, tools in results["datasets"].items():
        mine, theirs = tools["ichub"]["summary"], tools["asreview"]["summary"]
        gap = mine["wss@95"]["mean"] - theirs["wss@95"]["mean"]
        lines.append(
            f"| {name} | {gap:+.3f} | {mine['seconds']['mean'] / theirs['seconds']['mean']:.2f}"
            f" | {mine['cpu_seconds']['mean'] / theirs['cpu_seconds']['mean']:.2f}"
            f" | {mine['trainings']['mean']:.0f} |")
        checks[f"{name}: mean WSS@95 at least ASReview's"] = gap >= 0
        if tools["records"] >= 1900:
            slowest = mine["seconds"]["max"]
            checks[f"{name}: every simulation under {WALL_GOAL} s wall "
                   f"(slowest {slowest:.1f} s)"] = slowest < WALL_GOAL
    return "\n".join(lines), checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asreview", required=True, help="Python of a virtualenv with asreview")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "screening.json")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    priors = (1, 1)
    asreview_version = subprocess.run(
        [args.asreview, "-c", "import asreview; print(asreview.__version__)"],
        check=True, capture_output=True, text=True).stdout.strip()
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "load_at_start": os.getloadavg()},
        "command": " ".join(sys.argv), "settings": Settings().as_dict(),
        "asreview": asreview_version, "seeds": seeds, "priors": {"included": 1, "excluded": 1},
        "datasets": {},
    }
    for name in args.datasets.split(","):
        dataset = load(name)
        runs = {"ichub": [], "asreview": []}
        for seed in seeds:  # the tools alternate, so machine load falls on both alike
            runs["ichub"].append(run_ichub(dataset, seed, priors))
            runs["asreview"].append(run_asreview(args.asreview, name, dataset, seed, priors))
            print(f"{name} seed {seed}: ichub {runs['ichub'][-1]}\n"
                  f"{' ' * len(name)}         asreview {runs['asreview'][-1]}", flush=True)
        results["datasets"][name] = {
            "records": int(len(dataset.labels)),
            **{tool: {"runs": r, "summary": summary(r)} for tool, r in runs.items()},
        }
    results["training_10k"] = training_time()
    results["machine"]["load_at_end"] = os.getloadavg()
    ratios, checks = goals(results)
    results["goals"] = checks
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print()
    print(table(results))
    print()
    print(ratios)
    print(f"\nMachine load average at start {results['machine']['load_at_start']}, at end "
          f"{results['machine']['load_at_end']} (wall seconds include waiting for the CPU; "
          "CPU seconds do not)")
    print(f"\nTraining one ranking on {results['training_10k']['records']:,} records "
          f"({results['training_10k']['labelled']:,} labelled): "
          f"{results['training_10k']['seconds']} s")
    for check, met in checks.items():
        print(f"{'met' if met else 'NOT met'}: {check}")


if __name__ == "__main__":
    main()
