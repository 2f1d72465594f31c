"""Stage `predict`: answer the test tasks -> data/predictions/predictions.csv (task_id, answer), with the
traces in reports/predict_traces.jsonl. The evaluator scores the answers against labels you never see."""

from __future__ import annotations

import csv

from {{ cookiecutter.module_name }}.agent import trace_lines, write_traces
from {{ cookiecutter.module_name }}.config import PREDICTIONS, REPORTS, TEST_TASKS, load_params
from {{ cookiecutter.module_name }}.runner import read_tasks, run_tasks


def main() -> None:
    params = load_params()
    results = run_tasks(read_tasks(TEST_TASKS), params)
    PREDICTIONS.parent.mkdir(parents=True, exist_ok=True)
    with open(PREDICTIONS, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["task_id", "answer"])
        writer.writerows([task["task_id"], run.answer] for task, run in results)
    write_traces(REPORTS / "predict_traces.jsonl", [x for t, r in results for x in trace_lines(t["task_id"], r)])
    print(f"predict: {len(results)} answers -> {PREDICTIONS.relative_to(PREDICTIONS.parents[2])}")


if __name__ == "__main__":
    main()
