from __future__ import annotations

import numpy as np
import pandas as pd
from imblearn import FunctionSampler
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score

from {{ cookiecutter.module_name }}.evaluate import choose_threshold
from {{ cookiecutter.module_name }}.model import build_pipeline, out_of_fold

LOGREG = {"family": "logistic_regression", "logistic_regression": {"C": 1.0}}


def test_resampling_happens_inside_cv_folds(imbalanced):
    """The sampler must only ever see training folds: never the whole table, never a validation row."""
    x, y = imbalanced
    seen: list[tuple[int, float]] = []

    def spy(xs, ys):
        seen.append((len(xs), float(np.mean(ys))))
        return xs, ys

    def make():
        return Pipeline([("spy", FunctionSampler(func=spy, validate=False)), ("model", LogisticRegression())])

    out_of_fold(make, x, y, folds=5, seed=0)
    assert [n for n, _ in seen] == [len(x) * 4 // 5] * 5
    assert all(abs(rate - y.mean()) < 0.005 for _, rate in seen)  # stratified: each fold keeps the rate
    smote = build_pipeline(LOGREG, {"strategy": "smote", "smote_ratio": 0.3}, seed=0)
    assert isinstance(smote, Pipeline) and isinstance(smote.steps[0][1], SMOTE)


def test_class_weights_and_smote_raise_minority_recall(imbalanced):
    x, y = imbalanced
    recall = {}
    for strategy in ("none", "class_weight", "smote"):
        oof, _ = out_of_fold(lambda s=strategy: build_pipeline(LOGREG, {"strategy": s}, seed=0), x, y, 3, 0)
        recall[strategy] = recall_score(y, oof >= 0.5)
    assert recall["class_weight"] > recall["none"] and recall["smote"] > recall["none"], recall


def test_f1_optimal_threshold_beats_the_default(imbalanced):
    x, y = imbalanced
    oof, _ = out_of_fold(lambda: build_pipeline(LOGREG, {"strategy": "none"}, seed=0), x, y, 3, 0)
    cut = choose_threshold(y.to_numpy(), oof, {"strategy": "f1_optimal"})
    assert f1_score(y, oof >= cut) >= f1_score(y, oof >= 0.5)
    assert choose_threshold(y.to_numpy(), oof, {"strategy": "fixed", "value": 0.3}) == 0.3


def test_same_seed_same_out_of_fold_predictions(imbalanced):
    x, y = imbalanced
    cfg = {"family": "random_forest", "random_forest": {"n_estimators": 30}}
    a, _ = out_of_fold(lambda: build_pipeline(cfg, {"strategy": "smote"}, seed=1), x, y, 3, 1)
    b, _ = out_of_fold(lambda: build_pipeline(cfg, {"strategy": "smote"}, seed=1), x, y, 3, 1)
    assert np.array_equal(a, b)


def test_predicted_probabilities_cover_every_row(imbalanced):
    x, y = imbalanced
    oof, scores = out_of_fold(lambda: build_pipeline(LOGREG, {"strategy": "class_weight"}, seed=0), x, y, 4, 0)
    assert oof.shape == (len(x),) and ((oof >= 0) & (oof <= 1)).all() and len(scores) == 4
    assert pd.Series(scores).between(0, 1).all()
