"""Stage `evaluate`: run the agent on the development tasks and score it.

metrics.json: task_success (share answered correctly), mean_steps, tool_error_rate (tool calls and actions
that came back with an error, over all of them), stopped_at_max_steps, tool_calls.<tool>, by_type.<type>.
reports/: traces.jsonl (every step of every task), eval_details.csv, success_by_type.csv (plot data).
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict

from {{ cookiecutter.module_name }}.agent import trace_lines, write_traces
from {{ cookiecutter.module_name }}.config import DEV_TASKS, METRICS, REPORTS, TRACES, load_params
from {{ cookiecutter.module_name }}.runner import canonical, read_tasks, run_tasks


def main() -> None:
    params = load_params()
    results = run_tasks(read_tasks(DEV_TASKS), params)
    lines, details = [], []
    usage: Counter[str] = Counter()
    by_type: dict[str, list[int]] = defaultdict(list)
    actions = errors = 0
    for task, run in results:
        lines += trace_lines(task["task_id"], run)
        correct = int(canonical(run.answer) == canonical(task["answer"]))
        by_type[task.get("type", "all")].append(correct)
        calls = run.tool_calls
        actions += len(calls)
        errors += sum(1 for s in calls if s.error)
        usage.update(s.tool for s in calls if s.tool)
        details.append(
            {
                "task_id": task["task_id"],
                "type": task.get("type", ""),
                "question": task["question"],
                "expected": task["answer"],
                "answer": run.answer,
                "correct": correct,
                "steps": len(run.steps),
                "stopped": run.stopped,
                "tools": " ".join(s.tool or "!" for s in calls),
                "errors": sum(1 for s in calls if s.error),
            }
        )
    n = len(results)
    metrics = {
        "task_success": round(sum(d["correct"] for d in details) / n, 4),
        "mean_steps": round(sum(d["steps"] for d in details) / n, 3),
        "tool_error_rate": round(errors / actions, 4) if actions else 0.0,
        "stopped_at_max_steps": sum(1 for d in details if d["stopped"] == "max_steps"),
        "tasks": n,
        "tool_calls": {tool: usage[tool] for tool in sorted(usage)},
        "by_type": {t: round(sum(v) / len(v), 4) for t, v in sorted(by_type.items())},
    }
    REPORTS.mkdir(parents=True, exist_ok=True)
    write_traces(TRACES, lines)
    with open(REPORTS / "eval_details.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(details[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(details)
    with open(REPORTS / "success_by_type.csv", "w", newline="", encoding="utf-8") as fh:
        fh.write("type,tasks,success\n")
        for t, v in sorted(by_type.items()):
            fh.write(f"{t},{len(v)},{sum(v) / len(v):.4f}\n")
    METRICS.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(
        f"evaluate ({params['agent']['planner']}): success {metrics['task_success']:.3f}, "
        f"mean steps {metrics['mean_steps']:.2f}, tool errors {metrics['tool_error_rate']:.3f}"
    )


if __name__ == "__main__":
    main()
