"""The README's layout table ("How it works") matches the tree: every module of the package and every top-level
folder is named in it, so a module added or moved shows up here until the table says where it lives."""

from __future__ import annotations

import re
import subprocess

from testing.common import ROOT

PACKAGE = ROOT / "src" / "roadmap_ci"


def _rows() -> dict[str, str]:
    """Each path a row's first cell names -> that row."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## How it works", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            for path in re.findall(r"`([^`]+)`", line.split(" | ", 1)[0]):
                rows[path] = line
    return rows


def test_every_module_and_package_of_roadmap_ci_is_in_the_layout_table():
    rows = _rows()
    missing = []
    for entry in sorted(PACKAGE.iterdir()):
        if entry.name.startswith("__") or entry.suffix not in ("", ".py") or entry.name == "templates":
            continue
        if entry.is_dir():  # a package: its row, which names each of its modules
            row = rows.get(f"src/roadmap_ci/{entry.name}/")
            if row is None:
                missing.append(f"src/roadmap_ci/{entry.name}/")
                continue
            missing += [f"src/roadmap_ci/{entry.name}/{m.name}" for m in sorted(entry.glob("*.py"))
                        if m.name != "__init__.py" and f"`{m.name}`" not in row]
        elif f"src/roadmap_ci/{entry.name}" not in rows and not any(  # its own row, or named beside one
                path == entry.name and row.startswith("| `src/roadmap_ci/") for path, row in rows.items()):
            missing.append(f"src/roadmap_ci/{entry.name}")
    assert missing == [], f"README.md's layout table does not name {missing}"


def test_every_top_level_folder_is_in_the_layout_table():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    # the suite runs from a clone (the workflow tests install the project from it too): git's list is the project
    assert tracked.returncode == 0, f"git ls-files failed in {ROOT}: {tracked.stderr.strip()}"
    folders = {line.split("/", 1)[0] for line in tracked.stdout.splitlines() if "/" in line}
    folders -= {"src", "docs"}  # src's modules are checked above; the docs rows name their files
    named = {path.split("/", 1)[0] for path in _rows() if "/" in path}
    assert sorted(f for f in folders if not f.startswith(".") and f not in named) == []
