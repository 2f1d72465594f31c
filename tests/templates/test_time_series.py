"""time-series: render, `roadmap-ci evaluate` end to end, hidden labels, headroom, leakage, bad data."""

from __future__ import annotations

import csv
import json

import pytest
from _kit import BIN, ROOT, commit, copy_of, evaluate, ids_in, load_generator, render, run, set_params

pytestmark = pytest.mark.slow

ID = "time-series"
LABELS = ROOT / "labels" / f"{ID}.csv"
HIDDEN = ("hidden-wape", "hidden-mae", "hidden-wape-private")
IMPROVED = {  # the README's "How to improve" path, steps 2, 4 and 5
    "prepare.fill_missing": "last_week",
    "prepare.clip_outliers": True,
    "features.lags": [28, 35, 42, 49, 364],
    "features.rolling_means": [7, 28, 91],
    "features.calendar": ["day_of_week", "month", "year_sin", "year_cos"],
    "features.exogenous": ["promo", "price", "holiday"],
    "features.categorical": ["series_id", "store", "item"],
    "model.type": "lightgbm",
    "model.log_target": True,
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    repo = render(ID, tmp_path_factory.mktemp("ts"))
    return repo, evaluate(repo, ID)


def test_labels_are_the_28_days_after_the_history_split_14_and_14():
    rows = list(csv.DictReader(LABELS.read_text(encoding="utf-8").splitlines()))
    test = list(csv.DictReader((load_generator(ID).RAW / "test.csv").read_text(encoding="utf-8").splitlines()))
    assert [r["id"] for r in rows] == [r["id"] for r in test] and len(rows) == 30 * 28
    split = {r["id"]: r["split"] for r in rows}
    for r in test:
        assert split[r["id"]] == ("public" if r["date"] <= "2025-07-14" else "private"), r


def test_labels_never_ship_in_the_template():
    hidden = ids_in(LABELS)
    for path in (ROOT / "templates" / ID).rglob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        if "id" in header and "sales" in header:
            assert not ids_in(path) & hidden, f"{path} holds hidden test labels"
    test_header = (load_generator(ID).RAW / "test.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "sales" not in test_header


def test_baseline_scorecard_passes_with_headroom(baseline):
    _, result = baseline
    card = result.card
    for cid in ("pipeline", "tests", "data-checks", "lint", "readme", "no-leakage", "plots"):
        assert result.crit(cid).fraction == 1.0, (cid, result.crit(cid).reason)
    assert card.passed and 50 <= card.total <= 70, card.total
    for cid in HIDDEN:
        assert 0 < result.crit(cid).fraction < 0.8, (cid, result.crit(cid).reason)
    assert result.crit("backtest-skill").points == 0, "the baseline is the benchmark"
    assert 0.9 < result.metrics["metrics.json:mase"] < 1.05
    local = {c.id: c for c in result.local_card.criteria}
    assert local["hidden-wape"].points == 0 and "hidden" in local["hidden-wape"].reason


def test_baseline_pipeline_outputs(baseline):
    repo, result = baseline
    metrics = json.loads((repo / "metrics.json").read_text())
    assert {"mase", "smape", "wape", "mae", "rmse", "skill", "folds", "benchmark"} <= set(metrics)
    assert sorted(metrics["folds"]) == [f"fold{i}" for i in range(1, 5)]
    assert metrics["benchmark"]["seasonal_naive"]["mase"] == pytest.approx(metrics["mase"])
    assert [s.name for s in result.evidence.pipeline.stages] == ["prepare", "features", "train", "evaluate", "predict"]
    preds = (repo / "data" / "predictions" / "predictions.csv").read_text().splitlines()
    assert preds[0] == "id,sales" and len(preds) - 1 == 840
    horizon = (repo / "reports" / "figures" / "error_by_horizon.csv").read_text().splitlines()
    assert horizon[0] == "horizon_day,mae,wape,benchmark_mae" and len(horizon) - 1 == 28
    backtest = json.loads((repo / "reports" / "backtest.json").read_text())
    assert backtest["origins"][-1] == "2025-06-02" and len(backtest["origins"]) == 4
    for generated in ("models/model.joblib", "data/processed/train.csv"):
        run(["git", "check-ignore", "-q", generated], repo)
    assert result.evidence.tests.status == "ok" and len(result.evidence.tests.cases) >= 20
    run(["ruff", "check", "."], repo)


def test_readme_improvements_raise_the_score(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, IMPROVED)
    commit(repo, "Fill gaps from last week, cap bulk orders, global LightGBM on lag/calendar/promo features, log1p")
    after = evaluate(repo, ID)
    assert after.card.total >= 90 and after.card.total > before.card.total + 20, (before.card.total, after.card.total)
    assert after.metrics["metrics.json:mase"] < 0.75 and after.metrics["metrics.json:skill"] > 0.25
    assert after.hidden["public.wape"] < 0.7 * before.hidden["public.wape"]
    assert after.hidden["private.wape"] < 0.7 * before.hidden["private.wape"]


def test_leaky_feature_fools_the_backtest_but_not_the_hidden_labels(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, {**IMPROVED, "features.exogenous": ["promo", "price", "holiday", "units_restocked"]})
    run([str(BIN / "dvc"), "repro"], repo)
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["mase"] < 0.3, "the leak makes the backtest look brilliant"
    from roadmap_ci.score.hidden import hidden_metrics
    from roadmap_ci.score.load import load_rubric

    hidden = hidden_metrics(load_rubric(ROOT / "rubrics" / f"{ID}.yaml"),
                            repo / "data" / "predictions" / "predictions.csv").metrics
    assert hidden["private.wape"] > 35, "…but the forecast of the real horizon is poor"
    res = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "available_at_prediction_time"], repo,
              check=False)
    assert res.returncode == 1 and "units_restocked" in res.stdout, res.stdout[-2000:]


def test_corrupted_export_fails_the_data_checks_and_the_score_drops(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    path = repo / "data" / "raw" / "train.csv"
    lines = path.read_text().splitlines()
    # a broken export: returns booked as negative sales, and the last day of every series exported twice
    body = []
    for i, line in enumerate(lines[1:]):
        head, _, sales = line.rpartition(",")
        body.append(f"{head},{-int(sales) if i % 10 == 0 else sales}")
    last = [row for row in body if ",2025-06-30," in row]
    path.write_text("\n".join([lines[0], *body, *last]) + "\n")
    commit(repo, "New export")
    after = evaluate(repo, ID)
    assert after.evidence.pipeline.status == "ok"
    data = after.crit("data-checks")
    assert data.fraction < 1, data.reason
    assert "expect_column_values_to_be_between(sales)" in data.reason, data.reason
    assert "expect_compound_columns_to_be_unique" in data.reason, data.reason
    assert after.card.total < before.card.total - 5, (before.card.total, after.card.total)
