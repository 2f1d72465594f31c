"""Generate the math-foundations data sets, deterministically (run from anywhere; not shipped to learners).

    python templates/math-foundations/generate_data.py [--out DIR]

Two small tables the problem-set experiments run on, simulated so that the true parameters are known:

* ``points.csv``: 600 points in 5 dimensions drawn from a Gaussian whose covariance has two dominant
  directions (so PCA finds that two components explain most of the variance), plus a binary ``label``
  from a logistic model on the first two features (the optimisers fit it).
* ``ab_test.csv``: an A/B test of page load times in milliseconds, 200 visits per group, Gaussian with
  known means and standard deviations (Gaussian MLE on group A, a t-test and a permutation test A vs B).

There are no hidden labels: this deliverable is scored on the learner's functions (mentor tests) and on
what the pipeline measures with them, so nothing here is withheld and a course secret changes nothing:
``generate`` accepts ``secret=`` and ``learner=`` (the generator contract, docs/templates.md) and writes the
same practice data for every course and learner.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
SEED = 108
N_POINTS = 600
AB_N = 200
AB_TRUTH = {"A": (420.0, 60.0), "B": (405.0, 60.0)}  # group: (mean ms, std ms)
LOGISTIC_W = (1.5, -2.0)  # label ~ Bernoulli(sigmoid(1.5 x1 - 2 x2 + 0.25))
LOGISTIC_B = 0.25


def points(rng: np.random.Generator) -> pd.DataFrame:
    # two strong latent directions + weak isotropic noise
    latent = rng.normal(size=(N_POINTS, 2)) * np.array([3.0, 1.5])
    mixing = np.array([[0.6, 0.5, 0.4, 0.3, 0.37], [-0.4, 0.5, 0.1, -0.6, 0.47]])
    x = latent @ mixing + rng.normal(scale=0.3, size=(N_POINTS, 5))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    logits = LOGISTIC_W[0] * x[:, 0] + LOGISTIC_W[1] * x[:, 1] + LOGISTIC_B
    label = (rng.random(N_POINTS) < 1.0 / (1.0 + np.exp(-logits))).astype(int)
    df = pd.DataFrame(np.round(x, 5), columns=[f"x{i}" for i in range(1, 6)])
    df["label"] = label
    return df


def ab_test(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for group, (mean, std) in AB_TRUTH.items():
        for value in rng.normal(mean, std, size=AB_N):
            rows.append((group, round(float(value), 2)))
    return pd.DataFrame(rows, columns=["group", "load_ms"])


def generate(raw_dir: Path = RAW, labels_file: Path | None = None, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write points.csv and ab_test.csv; there are no hidden labels (``labels_file`` is not written) and the
    data is the same with or without a course secret (nothing of it is graded against withheld values)."""
    del labels_file, secret, learner
    rng = np.random.default_rng(SEED)
    raw_dir.mkdir(parents=True, exist_ok=True)
    points(rng).to_csv(raw_dir / "points.csv", index=False, lineterminator="\n")
    ab_test(rng).to_csv(raw_dir / "ab_test.csv", index=False, lineterminator="\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RAW, help="directory for points.csv and ab_test.csv")
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
