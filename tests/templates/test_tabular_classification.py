"""tabular-classification: render, `roadmap-ci evaluate` end to end, hidden labels, headroom, leakage, bad data."""

from __future__ import annotations

import json

import pytest
from _contract import (  # noqa: F401  (the contract tests, collected as this module's)
    CASES,
    TABULAR_CLASSIFICATION_NUMERIC,
    test_baseline_passes_in_its_band,
    test_corrupted_data_fails_the_checks_and_lowers_the_score,
    test_labels_never_ship_in_the_template,
    test_prediction_ids_equal_label_ids,
    test_readme_improvement_raises_the_score,
)
from _kit import BIN, ROOT, copy_of, run, set_params

pytestmark = pytest.mark.slow

ID = "tabular-classification"
CASE = CASES[ID]


def test_baseline_earns_part_of_the_hidden_label_points(baseline):
    _, result = baseline
    # hidden labels carry real weight and the baseline earns only part of it
    for cid in ("hidden-roc-auc", "hidden-f1"):
        assert 0 < result.crit(cid).fraction < 0.8, (cid, result.crit(cid).reason)
    assert 0.74 < result.hidden["public.roc_auc"] < 0.84 and result.hidden["private.f1"] < 0.5
    # the F1 bands start above what a 0.5 cut-off reaches under any course (docs/performance.md), so the
    # private F1 -- the practice public part is a lucky draw -- earns the baseline nothing
    assert result.crit("hidden-f1-private").fraction == 0, result.crit("hidden-f1-private").reason
    # without the hidden labels (a learner's local run) the same criteria say why they are missing
    local = {c.id: c for c in result.local_card.criteria}
    assert local["hidden-roc-auc"].points == 0 and "hidden" in local["hidden-roc-auc"].reason


def test_baseline_pipeline_outputs(baseline):
    repo, result = baseline
    metrics = json.loads((repo / "metrics.json").read_text())
    assert {"roc_auc", "pr_auc", "f1", "precision", "recall", "accuracy", "threshold", "cv"} <= set(metrics)
    assert result.evidence.pipeline.status == "ok"
    assert [s.name for s in result.evidence.pipeline.stages] == ["prepare", "features", "train", "evaluate", "predict"]
    preds = (repo / "data" / "predictions" / "predictions.csv").read_text().splitlines()
    assert preds[0] == "id,churned,churn_probability" and len(preds) - 1 == 2500
    for plot in ("confusion.csv", "roc.csv", "feature_importance.csv"):
        assert (repo / "reports" / "figures" / plot).is_file(), plot
    for generated in ("models/model.joblib", "data/processed/train.csv"):
        run(["git", "check-ignore", "-q", generated], repo)
    assert result.evidence.tests.status == "ok" and len(result.evidence.tests.cases) >= 25
    run(["ruff", "check", "."], repo)


def test_readme_improvements_raise_the_hidden_metrics(baseline, improved):
    _, before = baseline
    _, after = improved
    assert after.hidden["public.roc_auc"] > before.hidden["public.roc_auc"] + 0.05
    assert after.hidden["private.f1"] > before.hidden["private.f1"] + 0.1


def test_leaky_feature_fools_validation_but_not_the_hidden_labels(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, {**CASE.improve, "features.numeric": [*TABULAR_CLASSIFICATION_NUMERIC, "exit_survey_score"]})
    run([str(BIN / "dvc"), "repro"], repo)
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["roc_auc"] > 0.95, "the leak makes validation look brilliant"
    from roadmap_ci.score.hidden import hidden_metrics
    from roadmap_ci.score.load import load_rubric

    hidden = hidden_metrics(load_rubric(ROOT / "rubrics" / f"{ID}.yaml"),
                            repo / "data" / "predictions" / "predictions.csv").metrics
    assert hidden["private.f1"] < before.hidden["private.f1"], "…but the model is useless on real test customers"
    res = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "available_at_prediction_time"], repo,
              check=False)
    assert res.returncode == 1 and "exit_survey_score" in res.stdout, res.stdout[-2000:]


def test_a_renamed_target_stops_the_pipeline_and_fails_the_deliverable(corrupted):
    _, after, _ = corrupted  # the target renamed to Churn and written as Yes/No (_contract)
    assert after.evidence.pipeline.status == "failed" and after.evidence.pipeline.failed_stage == "prepare"
    assert not after.card.passed
