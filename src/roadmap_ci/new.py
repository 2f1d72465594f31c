"""`roadmap-ci new`: render a deliverable's starting repo from its cookiecutter template.

The same as ``cookiecutter <roadmap-ci repo> --directory templates/<id>``, but found by deliverable
id in a checkout or an installed wheel, followed by ``git init`` and a first commit so DVC and
``roadmap-ci evaluate`` work at once.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from roadmap_ci.errors import CannotRun, InvalidInput
from roadmap_ci.paths import templates_dir


def available(root: Path | None = None) -> list[str]:
    root = root or templates_dir()
    return sorted(p.parent.name for p in root.glob("*/cookiecutter.json") if not p.parent.name.startswith("_"))


def new(deliverable: str, output_dir: Path, *, no_input: bool = False, extra: dict[str, str] | None = None,
        git: bool = True, root: Path | None = None) -> Path:
    """Render the template; return the new repo's path."""
    from roadmap_ci.roadmap import deliverable as find

    root = root or templates_dir()
    if find(deliverable) is None and not (root / deliverable / "cookiecutter.json").is_file():
        raise InvalidInput(f"unknown deliverable {deliverable!r} (see `roadmap-ci roadmap`)")
    template = root / deliverable
    if not (template / "cookiecutter.json").is_file():
        have = ", ".join(available(root)) or "none yet"
        raise CannotRun(f"no template for {deliverable!r} yet (templates: {have})")
    from roadmap_ci.extras import imports

    with imports("scaffold", "roadmap-ci new renders the template with it"):
        from cookiecutter.exceptions import CookiecutterException, OutputDirExistsException
        from cookiecutter.main import cookiecutter

    output_dir.mkdir(parents=True, exist_ok=True)
    try:
        out = Path(cookiecutter(str(template), no_input=no_input, extra_context=extra or {},
                                output_dir=str(output_dir)))
    except OutputDirExistsException as exc:
        raise CannotRun(f"{exc} — choose another project name or output directory") from None
    except CookiecutterException as exc:
        raise CannotRun(f"cookiecutter failed: {exc}") from None
    if git and not (out / ".git").exists():
        _git_init(out)
    return out


def _git_init(repo: Path) -> None:
    env_cmds = [
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=roadmap-ci", "-c", "user.email=roadmap-ci@localhost", "commit", "-q", "-m",
         "Start from the roadmap-ci template"],
    ]
    for cmd in env_cmds:
        try:
            res = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CannotRun(f"{repo}: `{' '.join(cmd[:2])}` failed: {exc}") from None
        if res.returncode != 0:
            raise CannotRun(f"{repo}: `{' '.join(cmd[:2])}` failed: {res.stderr.strip().splitlines()[-1:]}")
