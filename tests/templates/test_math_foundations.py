"""math-foundations: render, `roadmap-ci evaluate` end to end, reference solutions, a broken gradient."""

from __future__ import annotations

import ast
import json

import pytest
from _contract import (  # noqa: F401  (the contract tests, collected as this module's; no hidden labels here)
    CASES,
    MATH_SOLUTIONS,
    MATH_TOPICS,
    test_baseline_passes_in_its_band,
    test_readme_improvement_raises_the_score,
)
from _kit import commit, copy_of, evaluate, run

pytestmark = pytest.mark.slow

ID = "math-foundations"
CASE = CASES[ID]
TOPICS = MATH_TOPICS
MENTOR = [f"mentor-{t}" for t in TOPICS]


def test_baseline_solves_some_exercises(baseline):
    repo, result = baseline
    assert [s.name for s in result.evidence.pipeline.stages] == [*TOPICS, "evaluate"]
    assert result.evidence.notebooks[0].status == "ok"
    for cid in ("tests", "exercises-solved", *MENTOR):  # solved exercises pass, open ones fail
        assert 0 < result.crit(cid).fraction < 1, (cid, result.crit(cid).reason)
    for cid in ("gradient-check", "adam-loss"):  # unsolved: the metric is not there
        assert result.crit(cid).points == 0, (cid, result.crit(cid).reason)
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["exercises_total"] == 16 and metrics["solved_fraction"] == 10 / 16
    assert metrics["solved"]["pca"] == 0 and metrics["solved"]["power_iteration"] == 1
    learner = [c for c in result.evidence.tests.cases if c.source == "learner"]
    mentor = [c for c in result.evidence.tests.cases if c.source == "mentor"]
    assert len(mentor) >= 30 and any(c.outcome == "passed" for c in mentor)
    failing = [c for c in learner if c.outcome != "passed"]
    assert failing and all("NotImplementedError" in (c.message or "") for c in failing), failing
    run(["ruff", "check", "."], repo)


def test_generated_outputs_stay_out_of_git(baseline):
    repo, _ = baseline
    for path in ("metrics.json", "reports/optim.json", "reports/figures/loss_curves.csv"):
        assert (repo / path).is_file(), path
        run(["git", "check-ignore", "-q", path], repo)


def test_reference_solutions_pass_every_mentor_test(improved):
    repo, after = improved
    names = {n.name for t in TOPICS for n in ast.parse((MATH_SOLUTIONS / f"{t}.py").read_text()).body
             if isinstance(n, ast.FunctionDef)}
    assert sorted(names) == ["adam_step", "kl_divergence", "mlp_loss_and_grads", "mutual_information", "pca",
                             "permutation_test"]
    assert "NotImplementedError" not in "".join((repo / repo.name.replace("-", "_") / f"{t}.py").read_text()
                                               for t in TOPICS)
    mentor = [c for c in after.evidence.tests.cases if c.source == "mentor"]
    assert mentor and all(c.outcome == "passed" for c in mentor), [c.id for c in mentor if c.outcome != "passed"]
    for cid in ("tests", "notebook", "exercises-solved", "gradient-check", "adam-loss", "lint", *MENTOR):
        assert after.crit(cid).fraction == 1.0, (cid, after.crit(cid).reason)
    assert after.metrics["metrics.json:solved_fraction"] == 1.0


def test_a_wrong_gradient_loses_the_gradient_criteria(improved, tmp_path):
    repo, good = improved
    repo = copy_of(repo, tmp_path)
    module = repo / repo.name.replace("-", "_") / "calculus.py"
    text = module.read_text()
    broken = text.replace("dz = dh * (1.0 - h**2)", "dz = dh  # forgot tanh'")
    assert broken != text
    module.write_text(broken)
    commit(repo, "Simplify backprop")
    after = evaluate(repo, ID)
    grad = after.crit("gradient-check")
    assert grad.points == 0 and "calculus.backprop_max_rel_error" in grad.reason, grad.reason
    calc = after.crit("mentor-calculus")
    assert calc.fraction < 1 and "test_backprop_matches_finite_differences" in calc.reason, calc.reason
    assert after.crit("mentor-optim").fraction == 1.0  # the other problem sets are untouched
    assert after.card.total < good.card.total - 5, (good.card.total, after.card.total)
