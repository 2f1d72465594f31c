"""`make demo`: the main job on embedded defaults -- scaffold a learner repo and evaluate it end to end.

1. ``roadmap-ci new tabular-classification`` into ``demo-out/`` (cookiecutter render, ``git init``, first commit);
2. ``roadmap-ci evaluate`` on it: the DVC pipeline, pytest, ruff and the Great Expectations suites, scored
   against the bundled rubric -- the scorecard a learner sees locally (hidden-label criteria empty);
3. the report step's hidden-label scoring, as CI's privileged job does it: the learner's predictions against
   ``labels/tabular-classification.csv`` (never shipped to learners), re-scored and printed with every
   criterion revealed (the mentor's view), written to ``demo-out/scorecard.json``.

No network and no server: DVC's local cache, reports as files under ``demo-out/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

DELIVERABLE = "tabular-classification"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m roadmap_ci.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo-out"), help="where the demo repo goes")
    args = parser.parse_args(argv)
    out: Path = args.out

    from roadmap_ci.cli import main as cli_main
    from roadmap_ci.new import new

    # The DVC stages run `python -m …`: that must be this environment's python (scikit-learn, LightGBM, …).
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ.setdefault("TQDM_DISABLE", "1")

    slug = out / "customer-churn-classifier"
    if slug.exists():
        shutil.rmtree(slug)  # a previous demo run
    print(f"roadmap-ci demo 1/3: scaffolding {DELIVERABLE} into {out}/ (cookiecutter, git init, first commit)",
          flush=True)
    repo = new(DELIVERABLE, out, no_input=True)

    print(f"\nroadmap-ci demo 2/3: roadmap-ci evaluate {repo} (pipeline, tests, lint, data checks, score)\n",
          flush=True)
    try:
        cli_main(["evaluate", str(repo)])
    except SystemExit as exc:
        if exc.code not in (0, 1, None):  # 1 = below the pass mark, still a result
            raise

    print("\nroadmap-ci demo 3/3: the report step adds the hidden-label metrics (labels the learner never sees)\n",
          flush=True)
    card_path = _hidden_label_scorecard(repo, out)
    print(f"\nlearner repo: {repo}\nevidence and report.md: {repo / '.roadmap-ci'}\nscorecard: {card_path}")
    sys.exit(0)


def _hidden_label_scorecard(repo: Path, out: Path) -> Path:
    from roadmap_ci.console import scorecard_table, stdout
    from roadmap_ci.evidence import load_evidence, write_json
    from roadmap_ci.paths import bundled_rubric
    from roadmap_ci.score.hidden import with_hidden_metrics
    from roadmap_ci.score.load import load_rubric
    from roadmap_ci.score.scoring import score

    loaded = load_rubric(bundled_rubric(DELIVERABLE))
    evidence = load_evidence(repo / ".roadmap-ci" / "evidence.json")
    predictions = repo / "data" / "predictions" / "predictions.csv"
    evidence, result = with_hidden_metrics(evidence, loaded, predictions if predictions.is_file() else None)
    if result.error:
        print(f"hidden labels not scored: {result.error}")
    card = score(evidence, loaded)
    path = out / "scorecard.json"
    write_json(card, path)
    stdout().print(scorecard_table(card, reveal=True))
    return path


if __name__ == "__main__":
    main()
