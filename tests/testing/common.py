"""What many test modules share: the repository's paths and the real command line in a subprocess.

Imported by name (``from testing.common import ROOT``), never through ``conftest``: pytest loads several
``conftest.py`` files (``tests/`` and ``tests/templates/``), so ``import conftest`` would get whichever came last.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_EVIDENCE = ROOT / "examples" / "demo-learner" / "evidence.json"
RUBRICS = ROOT / "rubrics"
EXAMPLE_RUBRIC = ROOT / "examples" / "demo-learner" / "rubric.yaml"
# `make fuzz` (ROADMAP_CI_FUZZ=long): the long profile of the fuzz properties and of the kill -9 test
FUZZ_LONG = os.environ.get("ROADMAP_CI_FUZZ") == "long"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (as a user would)."""
    return subprocess.run([sys.executable, "-m", "roadmap_ci", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
