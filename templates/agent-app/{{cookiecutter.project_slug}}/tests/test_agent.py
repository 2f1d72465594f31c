"""The loop: it stops at a final answer or at max_steps, turns malformed actions into trace errors, and
writes traces as JSON lines."""

from __future__ import annotations

import csv
import json

import pytest

from {{ cookiecutter.module_name }}.agent import NO_ANSWER, parse_action, run_agent, trace_lines, write_traces
from {{ cookiecutter.module_name }}.config import DEV_TASKS
from {{ cookiecutter.module_name }}.planners import PlanPlanner, RulesPlanner


class Replay:
    """A planner that replays fixed outputs (as an LLM might produce them) and records observations."""

    name = "replay"

    def __init__(self, outputs):
        self.outputs, self.seen = list(outputs), []

    def reset(self, question):
        self.i = 0

    def act(self, observation):
        self.seen.append(observation)
        out = self.outputs[min(self.i, len(self.outputs) - 1)]
        self.i += 1
        return out


def test_loop_stops_at_max_steps(toolbox):
    run = run_agent("Loop forever", Replay([{"thought": "again", "tool": "today", "args": {}}]), toolbox, max_steps=4)
    assert run.stopped == "max_steps" and len(run.steps) == 4 and run.answer == NO_ANSWER
    assert all(s.tool == "today" and s.observation == {"date": "2026-04-15"} for s in run.steps)


def test_malformed_actions_become_trace_errors(toolbox):
    planner = Replay(
        [
            '{"thought": "oops", "tool": "sql_query", "args": ',  # not JSON
            '["not", "an", "object"]',  # JSON, not an object
            {"thought": "both", "tool": "today", "final_answer": "1"},  # tool and answer
            {"thought": "no such tool", "tool": "rm_rf", "args": {}},
            {"thought": "bad args", "tool": "fx_convert", "args": {"amount": "lots"}},
            '{"thought": "done", "final_answer": 42}',
        ]
    )
    run = run_agent("Anything", planner, toolbox, max_steps=10)
    assert run.stopped == "answer" and run.answer == "42" and len(run.steps) == 6
    assert [bool(s.error) for s in run.steps] == [True, True, True, True, True, False]
    assert "not valid JSON" in run.steps[0].error and "unknown tool" in run.steps[3].error
    assert "invalid arguments for fx_convert" in run.steps[4].error
    assert planner.seen[1] == {"ok": False, "error": run.steps[0].error}  # the planner sees its error


def test_parse_action():
    assert parse_action('{"thought": "t", "final_answer": "yes"}').final_answer == "yes"
    with pytest.raises(ValueError):
        parse_action({"thought": "neither"})


def test_traces_are_json_lines_naming_tools(toolbox, tmp_path):
    run = run_agent("How many orders did customer C-0001 place in March 2026?", RulesPlanner(), toolbox)
    path = tmp_path / "traces.jsonl"
    write_traces(path, trace_lines("D-000", run))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == len(run.steps) >= 2
    assert rows[0]["task_id"] == "D-000" and rows[0]["tool"] == "sql_query" and rows[-1]["final_answer"]
    assert set(rows[0]) >= {"step", "thought", "tool", "args", "observation", "error", "final_answer"}


def dev_tasks(kind):
    with open(DEV_TASKS, encoding="utf-8", newline="") as fh:
        return [t for t in csv.DictReader(fh) if t["type"] == kind]


def test_rules_planner_answers_a_count_by_id(toolbox):
    task = dev_tasks("count_by_id")[0]
    run = run_agent(task["question"], RulesPlanner(), toolbox)
    assert run.answer == task["answer"] and len(run.tool_calls) == 1


@pytest.mark.parametrize("kind", ["order_total_eur", "returnable", "customer_id"])
def test_plan_planner_chains_tools(toolbox, kind):
    task = dev_tasks(kind)[0]
    run = run_agent(task["question"], PlanPlanner(), toolbox)
    assert run.stopped == "answer" and not any(s.error for s in run.steps)
    assert run.answer == task["answer"], [(s.tool, s.args, s.observation) for s in run.steps]
