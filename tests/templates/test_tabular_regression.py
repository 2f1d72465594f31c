"""tabular-regression: render, `roadmap-ci evaluate` end to end, hidden labels, headroom, leakage, bad data."""

from __future__ import annotations

import json

import pytest
from _kit import BIN, ROOT, commit, copy_of, evaluate, ids_in, render, run, set_params

pytestmark = pytest.mark.slow

ID = "tabular-regression"
LABELS = ROOT / "labels" / f"{ID}.csv"
ALL_NUMERIC = ["living_area_sqft", "lot_area_sqft", "overall_quality", "bedrooms", "bathrooms", "garage_spaces",
               "fireplaces", "distance_to_centre_km", "year_sold"]
IMPROVED = {  # the README's "How to improve" path
    "features.numeric": ALL_NUMERIC,
    "features.categorical": ["neighbourhood", "building_type", "sale_condition"],
    "features.derived": ["age", "years_since_remodel", "remodeled", "log_living_area", "log_lot_area"],
    "features.polynomial_degree": 2,
    "model.type": "ridge",
    "model.log_target": True,
    "model.ridge.alpha": 10.0,
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    repo = render(ID, tmp_path_factory.mktemp("tr"))
    return repo, evaluate(repo, ID)


def test_labels_never_ship_in_the_template():
    hidden = ids_in(LABELS)
    for path in (ROOT / "templates" / ID).rglob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        if "id" in header and "sale_price" in header:
            assert not ids_in(path) & hidden, f"{path} holds hidden test labels"


def test_baseline_scorecard_passes_with_headroom(baseline):
    _, result = baseline
    card = result.card
    for cid in ("pipeline", "tests", "data-checks", "lint", "readme", "no-leakage"):
        assert result.crit(cid).fraction == 1.0, (cid, result.crit(cid).reason)
    assert card.passed and 50 <= card.total <= 70, card.total
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


def test_readme_improvements_raise_the_score(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, IMPROVED)
    commit(repo, "All columns, derived features, log target, ridge with polynomial terms")
    after = evaluate(repo, ID)
    assert after.card.total >= 90 and after.card.total > before.card.total + 20, (before.card.total, after.card.total)
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


def test_corrupted_export_fails_the_data_checks_and_the_score_drops(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    path = repo / "data" / "raw" / "train.csv"
    lines = path.read_text().splitlines()
    # a new export gives prices in thousands of dollars: the pipeline still runs, the data checks catch it
    body = []
    for line in lines[1:]:
        head, _, price = line.rpartition(",")
        body.append(f"{head},{float(price) / 1000:.1f}")
    path.write_text("\n".join([lines[0], *body]) + "\n")
    commit(repo, "New export")
    after = evaluate(repo, ID)
    assert after.evidence.pipeline.status == "ok"
    data = after.crit("data-checks")
    assert data.fraction < 1 and "expect_column_values_to_be_between(sale_price)" in data.reason, data.reason
    # predictions come out in thousands: every hidden-label criterion scores nothing
    assert [after.crit(c).points for c in ("hidden-rmse", "hidden-mae", "hidden-r2-private")] == [0, 0, 0]
    assert after.card.total < before.card.total - 10, (before.card.total, after.card.total)
