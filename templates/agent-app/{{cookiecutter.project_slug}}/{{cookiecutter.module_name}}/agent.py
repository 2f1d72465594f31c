"""The agent loop (ReAct): the planner proposes an action -- a thought plus either a tool call or a final
answer, as one JSON object -- the loop validates it, runs the tool, hands the observation back, and stops at
a final answer or after `max_steps`. Every step goes into the trace; nothing a planner proposes can crash
the loop (malformed JSON, an unknown tool and invalid arguments become trace errors).

An action, as JSON:

    {"thought": "I need the order's total", "tool": "sql_query", "args": {"query": "SELECT ..."}}
    {"thought": "The total is 42.10 EUR", "final_answer": "42.10"}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from {{ cookiecutter.module_name }}.tools import ToolBox

NO_ANSWER = "unknown"  # what a task that ran out of steps answers (an answer is never empty)


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    thought: str = ""
    tool: str | None = None
    args: dict[str, Any] | None = None
    final_answer: str | int | float | None = None

    @model_validator(mode="after")
    def one_of(self) -> Action:
        if (self.tool is None) == (self.final_answer is None):
            raise ValueError("an action has either a 'tool' (with 'args') or a 'final_answer'")
        return self


class Planner(Protocol):
    name: str

    def reset(self, question: str) -> None: ...

    def act(self, observation: dict[str, Any] | None) -> dict[str, Any] | str: ...


@dataclass
class Step:
    step: int
    thought: str = ""
    tool: str | None = None
    args: Any = None
    observation: Any = None
    error: str | None = None
    final_answer: str | None = None


@dataclass
class Run:
    question: str
    answer: str
    steps: list[Step] = field(default_factory=list)
    stopped: str = "answer"  # answer | max_steps

    @property
    def tool_calls(self) -> list[Step]:
        return [s for s in self.steps if s.final_answer is None]


def parse_action(raw: dict[str, Any] | str) -> Action:
    """JSON mode: the planner's output must be one JSON object matching `Action`."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the action is not valid JSON: {exc.msg} at char {exc.pos}") from None
    if not isinstance(raw, dict):
        raise ValueError("the action must be a JSON object")
    try:
        return Action.model_validate(raw)
    except ValidationError as exc:
        raise ValueError("invalid action: " + "; ".join(e["msg"] for e in exc.errors())) from None


def clean_answer(value: Any) -> str:
    text = " ".join(str(value).split())
    return text or NO_ANSWER


def run_agent(question: str, planner: Planner, toolbox: ToolBox, max_steps: int = 10) -> Run:
    planner.reset(question)
    run = Run(question=question, answer=NO_ANSWER, stopped="max_steps")
    observation: dict[str, Any] | None = None
    for i in range(1, max_steps + 1):
        step = Step(step=i)
        run.steps.append(step)
        try:
            raw = planner.act(observation)
            action = parse_action(raw)
        except ValueError as exc:  # also a planner that fails to produce anything usable
            step.error = str(exc)
            observation = {"ok": False, "error": step.error}
            continue
        step.thought = action.thought
        if action.final_answer is not None:
            step.final_answer = clean_answer(action.final_answer)
            run.answer, run.stopped = step.final_answer, "answer"
            return run
        step.tool, step.args = action.tool, action.args or {}
        observation = toolbox.call(step.tool, step.args)
        if observation["ok"]:
            step.observation = observation["result"]
        else:
            step.error = observation["error"]
    return run


def trace_lines(task_id: str, run: Run) -> list[str]:
    """One JSON line per step: task_id, step, thought, tool, args, observation, error, final_answer."""
    return [json.dumps({"task_id": task_id, **asdict(s)}, ensure_ascii=False, default=str) for s in run.steps]


def write_traces(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
