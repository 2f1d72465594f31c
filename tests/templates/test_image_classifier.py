"""image-classifier: render, `roadmap-ci evaluate` end to end (+ hidden labels), improve it, corrupt it."""

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
from _kit import ROOT, metrics, run

pytestmark = pytest.mark.slow
pytest.importorskip("torch")

ID = "image-classifier"
TEMPLATE = ROOT / "templates" / ID
LABELS = ROOT / "labels" / f"{ID}.csv"
CASE = CASES[ID]


def test_baseline_earns_none_of_the_hidden_label_points_and_part_of_the_validation_ones(baseline):
    _, result = baseline
    card = result.card
    # v2026.12.1: the hidden bands start past the small baseline CNN's best over 20 courses (0.77), so a course's
    # draw cannot move its grade there; it is scored, and its reason names the value
    for cid in ("hidden-accuracy", "hidden-f1-private"):
        assert result.crit(cid).fraction == 0 and "0.77" in result.crit(cid).reason, (cid, result.crit(cid).reason)
    # the validation F1 (the learner's own noisy split) has 5 points on a gentle slope: about two thirds of them
    assert 0 < result.crit("valid-macro-f1").fraction < 0.8, result.crit("valid-macro-f1").reason
    assert 0 < result.crit("training-curve").fraction < 1, result.crit("training-curve").reason
    assert result.crit("transfer").status == "fail"  # the transfer path is off in the baseline
    assert 0.6 <= result.hidden["public.accuracy"] <= 0.82 and 0.6 <= result.hidden["private.f1"] <= 0.82
    # a learner's local run has no hidden labels: those criteria score 0 and say why
    local = {c.id: c for c in result.local_card.criteria}
    assert local["hidden-accuracy"].points == 0 and "hidden" in local["hidden-accuracy"].reason
    assert result.local_card.pending_points >= 30 and card.total >= result.local_card.total


def test_baseline_evidence_metrics_curve_predictions(baseline):
    repo, result = baseline
    ev = result.evidence
    assert ev.pipeline.status == "ok" and [s.name for s in ev.pipeline.stages] == ["prepare", "train", "evaluate",
                                                                                   "predict"]
    assert ev.tests.status == "ok" and len(ev.tests.cases) >= 10
    assert {s.name: s.status for s in ev.data} == {"class_balance": "ok", "processed_train": "ok", "raw_train": "ok"}
    assert ev.lint.total == 0 and ev.predictions.status == "ok"
    m = metrics(repo)
    assert 0.5 < m["accuracy"] < 0.85 and 0.5 < m["macro_f1"] < 0.85, m
    assert 0 < m["curve"]["loss_ratio"] < 0.8 and m["curve"]["curve_finite"] == 1
    curve = (repo / "reports" / "training_curve.csv").read_text().splitlines()
    assert curve[0] == "epoch,train_loss,val_loss,val_accuracy,lr" and len(curve) == 1 + m["curve"]["epochs"]
    preds = (repo / "data" / "predictions" / "predictions.csv").read_text().splitlines()
    assert preds[0] == "id,label,confidence" and len(preds) == len(LABELS.read_text().splitlines())
    info = json.loads((repo / "reports" / "train_info.json").read_text())
    assert info["device"] == "cpu" and info["amp"] is False  # no GPU here: clean fall-back
    run(["ruff", "check", "."], repo)


def test_checkpoints_stay_out_of_git(baseline):
    repo, _ = baseline
    assert (repo / "models" / "model.pt").is_file()
    run(["git", "check-ignore", "-q", "models/model.pt"], repo)
    assert "models/model.pt" not in run(["git", "status", "--porcelain"], repo).stdout


def test_readme_improvements_retrain_and_lift_the_hidden_f1(baseline, improved):
    _, before = baseline
    _, after = improved
    stages = {s.name: s.status for s in after.evidence.pipeline.stages}
    assert stages == {"prepare": "cached", "train": "ran", "evaluate": "ran", "predict": "ran"}, stages
    assert after.hidden["private.f1"] > before.hidden["private.f1"] + 0.1, (before.hidden, after.hidden)
    assert after.crit("transfer").status == "pass"
    assert after.crit("training-curve").fraction > before.crit("training-curve").fraction


def test_corrupted_labels_fail_the_raw_train_suite(corrupted):
    _, after, _ = corrupted  # labels that do not exist in a bad export (_contract)
    failed = {s.name for s in after.evidence.data if s.status != "ok"}
    assert "raw_train" in failed, failed
