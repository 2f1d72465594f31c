"""`make demo`: the main job on embedded defaults (local files only, no network, no server).

Scores the bundled example learner's evidence against the bundled tabular-classification
rubric, writes the scorecard under ``demo-out/`` and prints it as a learner would see it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from roadmap_ci.cli import main as cli_main
from roadmap_ci.paths import examples_dir


def main() -> None:
    out = Path("demo-out")
    evidence = examples_dir() / "demo-learner" / "evidence.json"
    rubric = examples_dir() / "demo-learner" / "rubric.yaml"
    print(f"roadmap-ci demo: scoring {evidence} against {rubric}\n", flush=True)
    try:
        cli_main(["score", "--evidence", str(evidence), "--rubric", str(rubric), "--out",
                  str(out / "scorecard.json")])
    except SystemExit as exc:
        if exc.code not in (0, 1, None):  # 1 = below the pass mark, still a result
            raise
    print(f"\nscorecard written to {out / 'scorecard.json'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
