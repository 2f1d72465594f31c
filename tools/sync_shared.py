"""Copy the learner caller workflows (templates/_shared/workflows/*.yml) into every template.

Run after editing them: `python tools/sync_workflows.py`. tests/test_workflows.py fails while any
template lacks a copy or holds a different one. roadmap-ci.yml is copied as it is and rendered by cookiecutter
(its GitHub expressions sit in {% raw %}; python-version is the learner's python_version); roadmap-ci-report.yml
is in every template's _copy_without_render.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "templates" / "_shared" / "workflows"
SLUG = "{{cookiecutter.project_slug}}"


def templates() -> list[Path]:
    found = (ROOT / "templates").glob("*/cookiecutter.json")
    return sorted(p.parent for p in found if not p.parent.name.startswith("_"))


def main() -> None:
    for t in templates():
        dest = t / SLUG / ".github" / "workflows"
        dest.mkdir(parents=True, exist_ok=True)
        for src in sorted(SHARED.glob("*.yml")):
            shutil.copyfile(src, dest / src.name)
            print(f"{src.relative_to(ROOT)} -> {(dest / src.name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
