"""recsys: render, `roadmap-ci evaluate` end to end, hidden ranking labels, headroom, leakage, bad data."""

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
from _kit import ROOT, copy_of, load_generator, rows, run, set_params

pytestmark = pytest.mark.slow

ID = "recsys"
LABELS = ROOT / "labels" / f"{ID}.csv"
RAW_FILES = ("interactions.csv", "items.csv", "item_columns.csv", "test_users.csv")
HIDDEN = ("hidden-ndcg", "hidden-recall", "hidden-ndcg-private")
CASE = CASES[ID]


def test_labels_are_the_test_users_later_films_split_by_user():
    labels = rows(LABELS)
    raw = load_generator(ID).RAW
    test_users = {r["user_id"] for r in rows(raw / "test_users.csv")}
    assert {r["user_id"] for r in labels} == test_users and len(test_users) == 600
    split: dict[str, set] = {}
    for r in labels:
        split.setdefault(r["user_id"], set()).add(r["split"])
    assert all(len(s) == 1 for s in split.values())
    assert sum(s == {"public"} for s in split.values()) == 300
    seen = {(r["user_id"], r["item_id"]) for r in rows(raw / "interactions.csv") if r["user_id"] in test_users}
    assert not seen & {(r["user_id"], r["item_id"]) for r in labels}, "a held-out film is already in the log"


def test_the_log_ends_before_the_hidden_month():
    last = max(r["timestamp"] for r in rows(load_generator(ID).RAW / "interactions.csv"))
    assert last < "2025-07-01"


def test_baseline_is_the_popularity_model(baseline):
    _, result = baseline
    for cid in HIDDEN:
        assert 0 < result.crit(cid).fraction < 0.5, (cid, result.crit(cid).reason)
    assert result.crit("validation-ndcg").fraction < 0.1
    assert result.metrics["metrics.json:lift_ndcg"] == 0, "the baseline is the popularity model"
    local = {c.id: c for c in result.local_card.criteria}
    assert local["hidden-ndcg"].points == 0 and "hidden" in local["hidden-ndcg"].reason


def test_baseline_pipeline_outputs(baseline):
    repo, result = baseline
    metrics = json.loads((repo / "metrics.json").read_text())
    assert {"ndcg_at_k", "recall_at_k", "precision_at_k", "map_at_k", "hit_rate_at_k", "coverage",
            "baseline", "lift_ndcg"} <= set(metrics)
    assert [s.name for s in result.evidence.pipeline.stages] == ["prepare", "train", "evaluate", "recommend"]
    preds = rows(repo / "data" / "predictions" / "predictions.csv")
    assert list(preds[0]) == ["user_id", "item_id", "score"] and len(preds) == 600 * 10
    seen = {(r["user_id"], r["item_id"]) for r in rows(repo / "data" / "interim" / "interactions.csv")}
    assert not seen & {(r["user_id"], r["item_id"]) for r in preds}, "a recommended film was already seen"
    recall = (repo / "reports" / "figures" / "recall_by_k.csv").read_text().splitlines()
    assert recall[0] == "k,recall,baseline_recall" and len(recall) - 1 == 50
    for generated in ("models/model.joblib", "data/processed/train.csv"):
        run(["git", "check-ignore", "-q", generated], repo)
    assert result.evidence.tests.status == "ok" and len(result.evidence.tests.cases) >= 15
    run(["ruff", "check", "."], repo)


def test_readme_improvements_double_the_ndcg(baseline, improved):
    _, before = baseline
    _, after = improved
    assert after.metrics["metrics.json:ndcg_at_k"] > 2 * before.metrics["metrics.json:ndcg_at_k"]
    assert after.hidden["public.ndcg_at_k"] > 2 * before.hidden["public.ndcg_at_k"]
    assert after.hidden["private.ndcg_at_k"] > 2 * before.hidden["private.ndcg_at_k"]


def test_leaky_item_prior_fails_the_no_leakage_test(baseline, tmp_path):
    repo, _ = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, {"model.item_prior": {"column": "views_next_30d", "weight": 1.0}})
    res = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "available_at_prediction_time"], repo,
              check=False)
    assert res.returncode == 1 and "views_next_30d" in res.stdout, res.stdout[-2000:]
    set_params(repo, {"model.item_prior": {"column": "year", "weight": 1.0}})
    run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "available_at_prediction_time"], repo)
