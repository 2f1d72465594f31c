"""What every collector receives: the repo, its config, the rubric, the environment for learner code."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roadmap_ci.collect.config import RepoConfig
    from roadmap_ci.score.load import LoadedRubric

# Never handed to learner code, whatever the job's environment holds.
SECRET_ENV = ("GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
              "ACTIONS_ID_TOKEN_REQUEST_URL", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD")
# Set when roadmap-ci itself runs under pytest; they would confuse the learner's pytest.
OWN_ENV = ("PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")


def learner_env() -> dict[str, str]:
    """The learner's environment, with this interpreter's bin directory first on PATH (an activated venv)."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV and k not in OWN_ENV}
    bindir = str(Path(sys.executable).parent)
    parts = env.get("PATH", "").split(os.pathsep) if env.get("PATH") else []
    if not parts or parts[0] != bindir:
        env["PATH"] = os.pathsep.join([bindir, *parts])
    env["PYTHONUNBUFFERED"] = "1"  # stage output arrives in order, so it is attributed to the right stage
    # The pipeline's stages and the learner's tests run side by side. OpenMP (scikit-learn's gradient boosting,
    # LightGBM, PyTorch) busy-waits between parallel regions by default: two such processes on a 2-core runner
    # spin on each other's cores, which tripled the CPU time of a gradient-boosting fit. Passive waiting keeps
    # the learner's thread counts, and so their results, unchanged. A job that sets the variable keeps its own.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


@dataclass
class Context:
    repo: Path  # resolved
    out_dir: Path  # the evidence bundle directory (evidence.json, copies of declared outputs)
    config: RepoConfig
    rubric: LoadedRubric | None = None
    base: str | None = None  # a git revision for base metrics
    env: dict[str, str] = field(default_factory=learner_env)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # collector name -> its Evidence fields
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def result(self, collector: str, key: str) -> Any:
        """A field another (finished) collector produced, or None."""
        with self._lock:
            return self.results.get(collector, {}).get(key)

    def put(self, collector: str, fields: dict[str, Any]) -> None:
        with self._lock:
            self.results[collector] = fields

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.repo).as_posix()
        except ValueError:
            return str(path)

