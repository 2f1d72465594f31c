"""Ask the agent one question from the command line and print its trace (after `dvc repro` ran prepare):

python -m {{ cookiecutter.module_name }}.ask "What is the total of order 1043 in EUR?"
"""

from __future__ import annotations

import json
import sys

from {{ cookiecutter.module_name }}.agent import run_agent
from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.planners import get_planner
from {{ cookiecutter.module_name }}.runner import toolbox


def main(argv: list[str]) -> None:
    params = load_params()
    box = toolbox(params)
    run = run_agent(" ".join(argv), get_planner(params, box.specs()), box, int(params["agent"]["max_steps"]))
    for s in run.steps:
        what = f"final_answer={s.final_answer!r}" if s.final_answer is not None else f"{s.tool}({json.dumps(s.args)})"
        print(f"[{s.step}] {s.thought}\n    -> {what}")
        if s.error or s.observation is not None:
            print(f"    <- {'ERROR ' + s.error if s.error else json.dumps(s.observation, default=str)[:300]}")
    print(f"answer: {run.answer} ({run.stopped})")


if __name__ == "__main__":
    main(sys.argv[1:])
