from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_EVIDENCE = ROOT / "examples" / "demo-learner" / "evidence.json"
RUBRICS = ROOT / "rubrics"
EXAMPLE_RUBRIC = ROOT / "examples" / "demo-learner" / "rubric.yaml"


@pytest.fixture
def example_evidence() -> dict:
    return json.loads(EXAMPLE_EVIDENCE.read_text())


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (as a user would)."""
    return subprocess.run([sys.executable, "-m", "roadmap_ci", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli
