"""Shared fixtures for the report/publish tests: real scorecards from the demo evidence, and hostile ones."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

from roadmap_ci.evidence import Evidence, parse_evidence
from roadmap_ci.score.load import load_rubric
from roadmap_ci.score.scoring import Scorecard, score

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT / "examples" / "demo-learner" / "evidence.json"
RUBRIC = ROOT / "examples" / "demo-learner" / "rubric.yaml"
BEFORE_DUE = datetime(2026, 11, 1, tzinfo=UTC)

HOSTILE_ID = "tests/test_x.py::test_a|b @octocat </details> `x` <!-- roadmap-ci:tabular-classification -->"
HOSTILE_MSG = ("AssertionError: ping @mentors/all | col\n</details><img src=x onerror=alert(1)>"
               "```\n![t](https://evil.example/p.png) [click](javascript:alert(1)) $x$ \u202eevil")


def rubric():
    return load_rubric(RUBRIC)


def evidence_dict() -> dict:
    return json.loads(EVIDENCE.read_text())


def make(data: dict | None = None) -> tuple[Scorecard, Evidence]:
    raw = json.dumps(data if data is not None else evidence_dict())
    ev = parse_evidence(raw)
    return score(ev, rubric()), ev


def demo() -> tuple[Scorecard, Evidence]:
    return make()


def hostile() -> tuple[Scorecard, Evidence]:
    data = copy.deepcopy(evidence_dict())
    data["tests"]["cases"].append({"id": HOSTILE_ID, "outcome": "failed", "message": HOSTILE_MSG})
    data["metrics"]["metrics.json:@octocat|</details>`x`"] = 0.5
    data["structure"]["files"][1]["path"] = "reports/figures/roc.csv"
    data["data"][0]["expectations"][1]["partial_unexpected"] = ["@admin", "<script>", "a|b"]
    return make(data)


def many_failures(n: int = 5000, message_len: int = 2000) -> tuple[Scorecard, Evidence]:
    data = copy.deepcopy(evidence_dict())
    data["tests"]["cases"] = [
        {"id": f"tests/test_big.py::test_case_{i}", "outcome": "failed", "message": "x" * message_len}
        for i in range(n)
    ]
    data["metrics"].update({f"metrics.json:extra_{i}": i / n for i in range(n)})
    return make(data)
