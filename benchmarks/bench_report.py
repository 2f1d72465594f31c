"""Benchmark `report` and `publish`: render time per format, GitHub API calls per publish.

    .venv/bin/python benchmarks/bench_report.py [--repeat 50]

Prints a Markdown table (docs/performance.md, section "report / publish"). GitHub is the loopback fake
(tests/testing/fakegithub.py) driven by real github3.py, so call counts are exact and times are local only.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from testing.fakegithub import FakeGitHub  # noqa: E402

from roadmap_ci.evidence import parse_evidence  # noqa: E402
from roadmap_ci.publish.client import GitHubClient  # noqa: E402
from roadmap_ci.publish.github import GitHubTarget, publish_github  # noqa: E402
from roadmap_ci.publish.retry import Retrying  # noqa: E402
from roadmap_ci.report import COMMENT_LIMIT, FORMATS, render  # noqa: E402
from roadmap_ci.score.load import load_rubric  # noqa: E402
from roadmap_ci.score.scoring import score  # noqa: E402

NOW = datetime(2026, 11, 1, tzinfo=UTC)
EVIDENCE = ROOT / "examples" / "demo-learner" / "evidence.json"
RUBRIC = ROOT / "examples" / "demo-learner" / "rubric.yaml"


def inputs(big: bool):
    data = json.loads(EVIDENCE.read_text())
    if big:  # a bad day: 2,000 failing tests with long messages, 2,000 metrics
        data = copy.deepcopy(data)
        data["tests"]["cases"] = [{"id": f"tests/test_big.py::test_{i}", "outcome": "failed", "message": "x" * 2000}
                                  for i in range(2000)]
        data["metrics"].update({f"metrics.json:extra_{i}": i / 2000 for i in range(2000)})
    ev = parse_evidence(json.dumps(data))
    rubric = load_rubric(RUBRIC)
    return score(ev, rubric), ev, rubric


def time_render(fmt: str, card, ev, rubric, repeat: int, max_chars: int | None = None) -> tuple[float, int]:
    times = []
    out = ""
    for _ in range(repeat):
        t = time.perf_counter()
        out = render(fmt, card, ev, now=NOW, rubric=rubric, max_chars=max_chars)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, len(out)


def publish_calls(noise: int) -> tuple[int, int, float]:
    card, ev, rubric = inputs(False)
    with FakeGitHub() as fk:
        fk.add_comments("o/r", 1, noise)
        gh = GitHubClient(fk.installation_token, fk.url, retry=Retrying(sleep=lambda s: None))
        target = GitHubTarget("o/r", 1, card.commit)
        body = render("md", card, ev, now=NOW, max_chars=COMMENT_LIMIT)
        publish_github(gh, card, ev, target, body=body)  # first: creates
        changed = render("md", card.model_copy(update={"total": card.total - 1}), ev, now=NOW, max_chars=COMMENT_LIMIT)
        fk.reset_log()
        t = time.perf_counter()
        out = publish_github(gh, card, ev, target, body=changed)  # steady state: edits
        elapsed = (time.perf_counter() - t) * 1000
        edited = out.requests
        fk.reset_log()
        same = publish_github(gh, card, ev, target, body=changed).requests  # unchanged body: no edit
        return edited, same, elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    print("| what | goal | measured | notes |")
    print("|---|---|---|---|")
    t = time.perf_counter()
    card, ev, rubric = inputs(False)
    render("md", card, ev, now=NOW, rubric=rubric)
    print(f"| first `md` render in a process (imports jinja2, compiles the template) | — | "
          f"{(time.perf_counter() - t) * 1000:.1f} ms | includes scoring the example |")
    for big in (False, True):
        card, ev, rubric = inputs(big)
        label = "2,000 failing tests + 2,000 metrics" if big else "example evidence"
        for fmt in FORMATS:
            ms, size = time_render(fmt, card, ev, rubric, args.repeat if not big else max(5, args.repeat // 5))
            print(f"| render `{fmt}`, {label} | ≤ 50 ms | {ms:.2f} ms | {size:,} chars, median of runs |")
        if big:
            ms, size = time_render("md", card, ev, rubric, 5, max_chars=20_000)
            print(f"| render `md` shortened to 20,000 chars, {label} | ≤ 50 ms | {ms:.2f} ms | {size:,} chars |")
    for noise, where in ((30, "first page"), (230, "third page")):
        edited, same, ms = publish_calls(noise)
        goal = "≤ 4" if noise < 100 else "—"
        print(f"| steady-state publish, comment on the {where} (body changed) | {goal} calls | {edited} calls | "
              f"list + edit + status + check run; {ms:.0f} ms on loopback |")
        print(f"| steady-state publish, comment on the {where} (body unchanged) | {goal} calls | {same} calls | "
              "edit skipped |")


if __name__ == "__main__":
    main()
