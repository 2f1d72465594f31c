"""agent-app: render, `roadmap-ci evaluate` end to end, hidden answers, the planner upgrade, a sabotaged
FX table, traces, and labels that never ship."""

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
from _kit import load_generator, metrics, rows, run

pytestmark = pytest.mark.slow

ID = "agent-app"
CASE = CASES[ID]
LABELS = CASE.labels


def test_test_tasks_are_the_labels_questions_and_dev_questions_differ():
    labels = rows(LABELS)
    test = rows(load_generator(ID).RAW / "test_tasks.csv")
    assert [r["task_id"] for r in test] == [r["task_id"] for r in labels] and set(test[0]) == {"task_id", "question"}
    dev_questions = {r["question"] for r in rows(load_generator(ID).RAW / "dev_tasks.csv")}
    assert not dev_questions & {r["question"] for r in test}


def test_baseline_answers_about_half_the_hidden_tasks(baseline):
    repo, res = baseline
    assert 0.3 < res.hidden["public.accuracy"] < 0.7 and 0.3 < res.hidden["private.accuracy"] < 0.7, res.hidden
    m = metrics(repo)
    assert 0.3 < m["task_success"] < 0.7 and m["by_type"]["spend_eur"] < 0.2 and m["tool_error_rate"] > 0, m
    assert m["by_type"]["count_by_id"] == 1.0  # one SQL query is enough there
    assert res.local_card.passed, "the learner's own run (no hidden labels) passes too"


def test_traces_are_json_lines_naming_tools(baseline):
    repo, _ = baseline
    run(["git", "check-ignore", "-q", "reports/traces.jsonl"], repo)
    steps = [json.loads(line) for line in (repo / "reports" / "traces.jsonl").read_text().splitlines()]
    tasks = {s["task_id"] for s in steps}
    assert len(tasks) == metrics(repo)["tasks"] and all(s["step"] >= 1 for s in steps)
    tools = {s["tool"] for s in steps if s["tool"]}
    assert {"sql_query", "search_docs"} <= tools
    assert sum(1 for s in steps if s["final_answer"] is not None) == len(tasks)
    assert any(s["error"] and "SQL error" in s["error"] for s in steps)  # O'Brien pasted into SQL
    predictions = rows(repo / "data" / "predictions" / "predictions.csv")
    assert [r["task_id"] for r in predictions] == [r["task_id"] for r in rows(LABELS)]
    assert all(r["answer"].strip() for r in predictions)


def test_multi_step_planner_chains_tools_without_errors(baseline, improved):
    _, before = baseline
    repo, after = improved
    assert after.hidden["private.accuracy"] >= 0.9 > before.hidden["private.accuracy"], after.hidden
    m = metrics(repo)
    assert m["task_success"] >= 0.9 and m["tool_error_rate"] == 0 and m["stopped_at_max_steps"] == 0, m
    assert m["mean_steps"] > metrics(baseline[0])["mean_steps"]  # it chains tools
    assert {"fx_convert", "calculator", "today", "search_docs"} <= set(m["tool_calls"])


def test_a_sabotaged_fx_table_fails_the_tasks(corrupted):
    _, after, before = corrupted  # the planner's repo with a wrong USD rate and a bad row (_contract)
    assert after.metrics["metrics.json:task_success"] < before.metrics["metrics.json:task_success"]
    assert after.hidden["public.accuracy"] < before.hidden["public.accuracy"]
