"""Shared by `evaluate` and `predict`: the toolbox from prepare's outputs, the planner, and a task runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from {{ cookiecutter.module_name }}.agent import Run, run_agent
from {{ cookiecutter.module_name }}.config import DATABASE, PASSAGES
from {{ cookiecutter.module_name }}.planners import get_planner
from {{ cookiecutter.module_name }}.tools import ToolBox


def toolbox(params: dict[str, Any]) -> ToolBox:
    passages = json.loads(Path(PASSAGES).read_text(encoding="utf-8"))
    return ToolBox.from_processed(
        DATABASE, passages, today=str(params["agent"]["today"]), max_rows=int(params["tools"]["sql_max_rows"])
    )


def read_tasks(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run_tasks(tasks: list[dict[str, str]], params: dict[str, Any]) -> list[tuple[dict[str, str], Run]]:
    box = toolbox(params)
    planner = get_planner(params, box.specs())
    max_steps = int(params["agent"]["max_steps"])
    return [(t, run_agent(t["question"], planner, box, max_steps)) for t in tasks]


def canonical(text: str) -> str:
    """Answers compare as trimmed text, numbers by value ("6" == "6.0"), as the hidden-label scorer does."""
    text = str(text).strip()
    try:
        x = float(text)
    except ValueError:
        return text
    return str(int(x)) if x.is_integer() else repr(x)
