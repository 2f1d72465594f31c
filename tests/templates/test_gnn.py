"""gnn: render, `roadmap-ci evaluate` end to end, hidden labels, the improvement path, leakage, bad data."""

from __future__ import annotations

import json

import pytest
from _contract import (  # noqa: F401  (the contract tests, collected as this module's; its own labels test below)
    CASES,
    test_baseline_passes_in_its_band,
    test_corrupted_data_fails_the_checks_and_lowers_the_score,
    test_prediction_ids_equal_label_ids,
    test_readme_improvement_raises_the_score,
)
from _kit import BIN, ROOT, copy_of, load_generator, rows, run, set_params

pytestmark = pytest.mark.slow

ID = "gnn"
LABELS = ROOT / "labels" / f"{ID}.csv"
HIDDEN = ("hidden-accuracy", "hidden-f1", "hidden-accuracy-private")
CASE = CASES[ID]


def test_labels_are_exactly_the_unlabelled_papers_split_public_private():
    labels = rows(LABELS)
    nodes = rows(load_generator(ID).RAW / "nodes.csv")
    assert sorted(r["id"] for r in labels) == sorted(r["id"] for r in nodes if not r["topic"])
    assert len(labels) == 1000 and {r["split"] for r in labels} == {"public", "private"}
    assert 400 < sum(r["split"] == "public" for r in labels) < 600


def test_labels_never_ship_in_the_template():
    hidden = {r["id"]: r["topic"] for r in rows(LABELS)}
    for path in (ROOT / "templates" / ID).rglob("*.csv"):
        for r in rows(path):
            if r.get("id") in hidden:
                assert not r.get("topic") and not r.get("curated_topic"), f"{path} holds a hidden label"


def test_baseline_earns_part_of_the_hidden_points_from_features_alone(baseline):
    _, result = baseline
    for cid in HIDDEN:
        assert 0 < result.crit(cid).fraction < 0.5, (cid, result.crit(cid).reason)
    assert 0.42 < result.metrics["metrics.json:accuracy"] < 0.6, "features alone are weakly informative"
    local = {c.id: c for c in result.local_card.criteria}
    assert local["hidden-accuracy"].points == 0 and "hidden" in local["hidden-accuracy"].reason


def test_baseline_pipeline_outputs(baseline):
    repo, result = baseline
    metrics = json.loads((repo / "metrics.json").read_text())
    assert {"accuracy", "macro_f1", "per_class_accuracy", "model", "curve"} <= set(metrics)
    assert metrics["model"] == {"parameters": 33 * 16 + 16 + 16 * 6 + 6, "uses_graph": 0}
    assert [s.name for s in result.evidence.pipeline.stages] == ["prepare", "train", "evaluate", "predict"]
    # the learner's `dvc repro` log carries no PyTorch warnings (a tensor sharing a read-only pandas array, a
    # scalar taken from a tensor that requires grad)
    warned = {s.name: s.log_tail for s in result.evidence.pipeline.stages if "Warning" in s.log_tail}
    assert not warned, warned
    preds = (repo / "data" / "predictions" / "predictions.csv").read_text().splitlines()
    assert preds[0] == "id,topic" and len(preds) - 1 == 1000
    curve = (repo / "reports" / "figures" / "training_curve.csv").read_text().splitlines()
    assert curve[0] == "epoch,train_loss,val_loss,train_accuracy,val_accuracy" and len(curve) - 1 == 100
    prepared = json.loads((repo / "reports" / "prepare.json").read_text())
    assert prepared["nodes"] == 3000 and prepared["edges"] < prepared["raw_edges"]
    for generated in ("models/model.pt", "data/processed/nodes.csv"):
        run(["git", "check-ignore", "-q", generated], repo)
    assert result.evidence.tests.status == "ok" and len(result.evidence.tests.cases) >= 15
    run(["ruff", "check", "."], repo)


def test_readme_improvements_use_the_graph(baseline, improved):
    _, before = baseline
    _, after = improved
    assert after.metrics["metrics.json:accuracy"] > 0.88
    assert after.metrics["metrics.json:model.uses_graph"] == 1
    assert after.hidden["private.accuracy"] > before.hidden["private.accuracy"] + 0.3
    assert after.hidden["public.f1"] > 0.85


def test_leaky_feature_fools_validation_but_not_the_hidden_labels(baseline, tmp_path):
    repo, before = baseline
    repo = copy_of(repo, tmp_path)
    set_params(repo, {"features.extra": ["year", "curated_topic"]})
    run([str(BIN / "dvc"), "repro"], repo)
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["accuracy"] > 0.9, "the leak makes validation look brilliant"
    from roadmap_ci.score.hidden import hidden_metrics
    from roadmap_ci.score.load import load_rubric

    hidden = hidden_metrics(load_rubric(ROOT / "rubrics" / f"{ID}.yaml"),
                            repo / "data" / "predictions" / "predictions.csv").metrics
    assert hidden["private.accuracy"] < before.hidden["private.accuracy"] + 0.05, "…but not the hidden papers"
    res = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "available_at_prediction_time"], repo,
              check=False)
    assert res.returncode == 1 and "curated_topic" in res.stdout, res.stdout[-2000:]


def test_mistyped_topics_do_not_stop_the_pipeline(corrupted):
    _, after, _ = corrupted  # topics mistyped, papers exported twice (_contract)
    assert after.evidence.pipeline.status == "ok"
