"""Stage evaluate: merge reports/<topic>.json into metrics.json — which exercises are solved, and what the
experiments measured with them."""

from __future__ import annotations

import json

from {{ cookiecutter.module_name }} import EXERCISES
from {{ cookiecutter.module_name }}.stages._common import REPORTS, ROOT

TOPICS = ["linalg", "calculus", "optim", "probability", "information"]


def nest(flat: dict[str, float]) -> dict:
    out: dict = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def main() -> None:
    reports = {t: json.loads((REPORTS / f"{t}.json").read_text()) for t in TOPICS}
    recorded = {name: flag for r in reports.values() for name, flag in r["solved"].items()}
    solved = {fn: int(recorded.get(fn, 0)) for _, fn in EXERCISES.values()}
    metrics = {
        "solved_fraction": round(sum(solved.values()) / len(solved), 4),
        "exercises_solved": sum(solved.values()),
        "exercises_total": len(solved),
        "solved": solved,
        **{t: nest(reports[t]["results"]) for t in TOPICS},
    }
    (ROOT / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    todo = [f"{n}: {m}.{fn}" for n, (m, fn) in EXERCISES.items() if not solved[fn]]
    print(
        f"{metrics['exercises_solved']} of {len(solved)} exercises solved"
        + ("; to do: " + ", ".join(todo) if todo else "")
    )


if __name__ == "__main__":
    main()
