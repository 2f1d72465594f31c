"""agent-app: render, `roadmap-ci evaluate` end to end, hidden answers, the planner upgrade, a sabotaged
FX table, traces, and labels that never ship."""

from __future__ import annotations

import json

import pytest
from _kit import ROOT, commit, copy_of, evaluate, load_generator, metrics, render, rows, run, set_params

pytestmark = pytest.mark.slow

ID = "agent-app"
LABELS = ROOT / "labels" / f"{ID}.csv"
RAW_FILES = ("customers.csv", "products.csv", "orders.csv", "fx_rates.csv", "dev_tasks.csv", "test_tasks.csv")
IMPROVED = {"agent.planner": "plan"}  # the README's "How to improve" path


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    repo = render(ID, tmp_path_factory.mktemp("agent"))
    return repo, evaluate(repo, ID)


@pytest.fixture(scope="module")
def improved(baseline, tmp_path_factory):
    repo = copy_of(baseline[0], tmp_path_factory.mktemp("agent-plan"))
    set_params(repo, IMPROVED)
    commit(repo, "multi-step planner")
    return repo, evaluate(repo, ID)


def test_labels_never_ship_in_the_template():
    labels = rows(LABELS)
    assert {r["split"] for r in labels} == {"public", "private"}
    test = rows(load_generator(ID).RAW / "test_tasks.csv")
    assert [r["task_id"] for r in test] == [r["task_id"] for r in labels] and set(test[0]) == {"task_id", "question"}
    hidden = {r["task_id"] for r in labels}
    for path in (ROOT / "templates" / ID).rglob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        if "answer" in header:
            assert not {r["task_id"] for r in rows(path)} & hidden, f"{path} holds hidden answers"
    dev_questions = {r["question"] for r in rows(load_generator(ID).RAW / "dev_tasks.csv")}
    assert not dev_questions & {r["question"] for r in test}


def test_baseline_passes_with_headroom(baseline):
    repo, res = baseline
    card = res.card
    for cid in ("pipeline", "tests", "data-checks", "lint", "readme", "traces"):
        assert res.crit(cid).fraction == 1.0, (cid, res.crit(cid).reason)
    assert card.passed and 45 <= card.total <= 70, (card.total, [(c.id, c.points) for c in card.criteria])
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


def test_multi_step_planner_reaches_90(baseline, improved):
    _, before = baseline
    repo, after = improved
    assert after.card.total >= 90 and after.card.total > before.card.total + 20, after.card.total
    assert after.hidden["private.accuracy"] >= 0.9 > before.hidden["private.accuracy"], after.hidden
    m = metrics(repo)
    assert m["task_success"] >= 0.9 and m["tool_error_rate"] == 0 and m["stopped_at_max_steps"] == 0, m
    assert m["mean_steps"] > metrics(baseline[0])["mean_steps"]  # it chains tools
    assert {"fx_convert", "calculator", "today", "search_docs"} <= set(m["tool_calls"])


def test_a_sabotaged_fx_table_fails_the_checks_and_the_tasks(improved, tmp_path):
    repo, before = improved
    repo = copy_of(repo, tmp_path)
    path = repo / "data" / "raw" / "fx_rates.csv"
    text = path.read_text()
    assert "USD,0.9200" in text
    path.write_text(text.replace("USD,0.9200", "USD,1.0920") + "usd,0.0\n")  # a wrong rate, a bad row
    commit(repo, "new FX rates")
    after = evaluate(repo, ID)
    crit = after.crit("data-checks")
    assert crit.fraction < 1.0 and "expect_column_values_to_be_in_set(currency)" in crit.reason, crit.reason
    assert "expect_column_values_to_be_between(eur_per_unit)" in crit.reason, crit.reason
    assert after.metrics["metrics.json:task_success"] < before.metrics["metrics.json:task_success"]
    assert after.hidden["public.accuracy"] < before.hidden["public.accuracy"]
    assert after.card.total < before.card.total
