"""tabular-classification: render, `roadmap-ci evaluate` end to end, hidden labels, headroom, leakage, bad data."""

from __future__ import annotations

import json

import pytest
from _kit import BIN, ROOT, commit, copy_of, evaluate, ids_in, render, run, set_params

pytestmark = pytest.mark.slow

ID = "tabular-classification"
LABELS = ROOT / "labels" / f"{ID}.csv"
ALL_NUMERIC = ["age", "senior_citizen", "tenure_months", "monthly_charges", "total_charges", "avg_monthly_gb",
               "support_tickets_90d", "last_login_days"]
ALL_CATEGORICAL = ["gender", "partner", "dependents", "region", "contract", "payment_method", "paperless_billing",
                   "internet_service", "tech_support", "streaming_tv"]
IMPROVED = {  # the README's "How to improve" path
    "features.numeric": ALL_NUMERIC,
    "features.categorical": ALL_CATEGORICAL,
    "features.derived": ["charges_ratio", "new_customer", "inactive_30d", "fiber_no_support", "n_services"],
    "model.type": "lightgbm",
    "model.lightgbm.learning_rate": 0.03,
    "model.lightgbm.n_estimators": 400,
    "model.lightgbm.min_child_samples": 30,
    "train.threshold": "auto",
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    repo = render(ID, tmp_path_factory.mktemp("tc"))
    return repo, evaluate(repo, ID)


def test_labels_never_ship_in_the_template():
    template = ROOT / "templates" / ID
    shipped_ids = ids_in(LABELS)
    for path in template.rglob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        if "id" in header and "churned" in header:
            assert not ids_in(path) & shipped_ids, f"{path} holds hidden test labels"


def test_baseline_scorecard_passes_with_headroom(baseline):
    _, result = baseline
    card = result.card
    for cid in ("pipeline", "tests", "data-checks", "lint", "readme", "no-leakage"):
        assert result.crit(cid).fraction == 1.0, (cid, result.crit(cid).reason)
    assert card.passed and 50 <= card.total <= 70, card.total
    # hidden labels carry real weight and the baseline earns only part of it
    for cid in ("hidden-roc-auc", "hidden-f1", "hidden-f1-private"):
        assert 0 < result.crit(cid).fraction < 0.8, (cid, result.crit(cid).reason)
    assert 0.74 < result.hidden["public.roc_auc"] < 0.84 and result.hidden["private.f1"] < 0.55
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


def test_readme_improvements_raise_the_score(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, IMPROVED)
    commit(repo, "Categoricals, derived features, LightGBM, F1 threshold")
    after = evaluate(repo, ID)
    assert after.card.total >= 90 and after.card.total > before.card.total + 20, (before.card.total, after.card.total)
    assert after.hidden["public.roc_auc"] > before.hidden["public.roc_auc"] + 0.05
    assert after.hidden["private.f1"] > before.hidden["private.f1"] + 0.1


def test_leaky_feature_fools_validation_but_not_the_hidden_labels(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, {**IMPROVED, "features.numeric": [*ALL_NUMERIC, "exit_survey_score"]})
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


def test_corrupted_export_fails_the_data_checks_and_the_score_drops(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    path = repo / "data" / "raw" / "train.csv"
    lines = path.read_text().splitlines()
    # a new CRM export renames the target column and writes it as Yes/No
    header = lines[0].replace(",churned", ",Churn")
    body = [line[:-1] + ("Yes" if line.endswith("1") else "No") for line in lines[1:]]
    path.write_text("\n".join([header, *body]) + "\n")
    commit(repo, "New export")
    after = evaluate(repo, ID)
    data = after.crit("data-checks")
    assert data.fraction < 1 and "expect_table_columns_to_match_ordered_list" in data.reason, data.reason
    assert after.evidence.pipeline.status == "failed" and after.evidence.pipeline.failed_stage == "prepare"
    assert after.card.total < before.card.total - 20 and not after.card.passed, (before.card.total, after.card.total)
