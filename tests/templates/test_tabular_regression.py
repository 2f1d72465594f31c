"""tabular-regression: render, `roadmap-ci evaluate` end to end, hidden labels, headroom, leakage, bad data."""

from __future__ import annotations

import json

import pytest
from _contract import (  # noqa: F401  (the contract tests, collected as this module's)
    CASES,
    test_baseline_passes_in_its_band,
    test_corrupted_data_fails_the_checks_and_lowers_the_score,
    test_labels_never_ship_in_the_template,
    test_prediction_ids_equal_label_ids,
    test_readme_improvement_raises_the_score,
)
from _kit import BIN, ROOT, copy_of, run, set_params

pytestmark = pytest.mark.slow

ID = "tabular-regression"
CASE = CASES[ID]


def test_baseline_scores_the_hidden_labels_with_headroom(baseline):
    _, result = baseline
    for cid in ("hidden-rmse", "hidden-mae", "hidden-r2-private"):
        assert 0 < result.crit(cid).fraction < 0.8, (cid, result.crit(cid).reason)
    assert 40_000 < result.hidden["public.rmse"] < 60_000 and 0.45 < result.hidden["private.r2"] < 0.7
    local = {c.id: c for c in result.local_card.criteria}
    assert local["hidden-rmse"].points == 0 and "hidden" in local["hidden-rmse"].reason


def test_baseline_pipeline_outputs(baseline):
    repo, result = baseline
    metrics = json.loads((repo / "metrics.json").read_text())
    assert {"mae", "rmse", "r2", "mape", "cv"} <= set(metrics)
    assert [s.name for s in result.evidence.pipeline.stages] == ["prepare", "features", "train", "evaluate", "predict"]
    preds = (repo / "data" / "predictions" / "predictions.csv").read_text().splitlines()
    assert preds[0] == "id,sale_price" and len(preds) - 1 == 1200
    residuals = (repo / "reports" / "figures" / "residuals.csv").read_text().splitlines()
    assert residuals[0] == "id,actual,predicted,residual" and len(residuals) - 1 == metrics["rows"]["valid"]
    for generated in ("models/model.joblib", "data/processed/train.csv"):
        run(["git", "check-ignore", "-q", generated], repo)
    assert result.evidence.tests.status == "ok" and len(result.evidence.tests.cases) >= 25
    run(["ruff", "check", "."], repo)


def test_readme_improvements_halve_the_hidden_error(baseline, improved):
    _, before = baseline
    _, after = improved
    assert after.hidden["public.rmse"] < 0.5 * before.hidden["public.rmse"]
    assert after.hidden["private.r2"] > 0.9


def test_leaky_feature_fools_validation_but_not_the_hidden_labels(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, {"features.numeric": ["living_area_sqft", "bedrooms", "bathrooms", "overall_quality",
                                           "price_per_sqft"], "features.polynomial_degree": 2})
    run([str(BIN / "dvc"), "repro"], repo)
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["r2"] > 0.97, "the leak makes validation look brilliant"
    from roadmap_ci.score.hidden import hidden_metrics
    from roadmap_ci.score.load import load_rubric

    hidden = hidden_metrics(load_rubric(ROOT / "rubrics" / f"{ID}.yaml"),
                            repo / "data" / "predictions" / "predictions.csv").metrics
    assert hidden["private.r2"] < before.hidden["private.r2"], "…but the model is useless on real test houses"
    res = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "available_at_prediction_time"], repo,
              check=False)
    assert res.returncode == 1 and "price_per_sqft" in res.stdout, res.stdout[-2000:]


def test_prices_in_thousands_still_run_but_score_nothing_on_the_hidden_labels(corrupted):
    _, after, _ = corrupted  # a new export gives prices in thousands of dollars (_contract)
    assert after.evidence.pipeline.status == "ok"
    # predictions come out in thousands: every hidden-label criterion scores nothing
    assert [after.crit(c).points for c in ("hidden-rmse", "hidden-mae", "hidden-r2-private")] == [0, 0, 0]
