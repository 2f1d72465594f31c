"""Helpers for the collect/evaluate tests: tiny learner repos made in tmp dirs (real git, real dvc)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from roadmap_ci.collect._context import Context
from roadmap_ci.collect.config import RepoConfig

PY = sys.executable
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content))


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def make_repo(root: Path, files: dict[str, str | bytes], *, use_git: bool = True, dvc: bool = False,
              commit: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if use_git:
        git(root, "init", "-q")
    if dvc:
        subprocess.run([PY, "-m", "dvc", "init", "-q"] + ([] if use_git else ["--no-scm"]), cwd=root, check=True)
    write(root, files)
    if use_git and commit:
        git(root, "add", "-A")
        git(root, "commit", "-qm", "init")
    return root


def ctx(repo: Path, config: dict[str, Any], out: Path | None = None, **kw: Any) -> Context:
    out = out or repo.parent / f"{repo.name}-out"
    out.mkdir(parents=True, exist_ok=True)
    return Context(repo=repo.resolve(), out_dir=out, config=RepoConfig.model_validate(
        {"deliverable": "demo", **config}), **kw)


def stage(cmd_py: str) -> str:
    """A dvc.yaml cmd running a Python snippet file (quoted safely)."""
    return f"{PY} {cmd_py}"


def dump(obj: Any) -> str:
    return json.dumps(obj)
