"""`make demo`: scaffolds tabular-classification, runs `roadmap-ci evaluate` on it, adds the hidden labels."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_demo_scaffolds_and_evaluates_end_to_end(tmp_path):
    res = subprocess.run([sys.executable, "-m", "roadmap_ci.demo", "--out", str(tmp_path / "demo-out")],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    repo = tmp_path / "demo-out" / "customer-churn-classifier"
    assert (repo / ".git").is_dir() and (repo / "dvc.lock").is_file()
    assert (repo / ".roadmap-ci" / "report.md").is_file()
    out = res.stdout
    assert "roadmap-ci demo 2/3" in out and "all 5 stages succeeded" in out
    assert "hidden public.roc_auc" in out  # the report step's scorecard, hidden labels included
    card = json.loads((tmp_path / "demo-out" / "scorecard.json").read_text())
    assert card["deliverable"] == "tabular-classification" and card["passed"] and 50 <= card["total"] <= 70
