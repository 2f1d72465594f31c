"""Copy the files several templates share (templates/_shared/, listed in templates/_shared/manifest.toml) into
each template that ships them.

    python tools/sync_shared.py            copy every shared source to its templates
    python tools/sync_shared.py --check    change nothing; exit 1 naming each copy that is missing or differs

Run it after editing a file under templates/_shared/; tests/test_workflows.py fails while any copy differs.
A rendered repo stays standalone (cruft updates it from its own template folder), so each template keeps its
own committed copy. The caller workflows are among them: roadmap-ci.yml is copied as it is and rendered by
cookiecutter (its GitHub expressions sit in {% raw %}; python-version is the learner's python_version);
roadmap-ci-report.yml is in every template's _copy_without_render. A bad manifest is one line naming the entry
and exits 2.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "{{cookiecutter.project_slug}}"
sys.path.insert(0, str(ROOT / "src"))

from roadmap_ci.paths import template_ids  # noqa: E402  (this checkout's, not an installed copy's)


class ManifestError(Exception):
    """The manifest names a missing source, an unknown template, or a path that leaves its folder."""


@dataclass(frozen=True)
class Copy:
    source: Path  # under templates/_shared/
    dest: Path  # under templates/<id>/{{cookiecutter.project_slug}}/
    template: str


def copies(templates: Path | None = None) -> list[Copy]:
    """Every (source, destination) pair templates/_shared/manifest.toml asks for, in manifest order."""
    templates = templates or ROOT / "templates"
    shared = templates / "_shared"
    manifest = shared / "manifest.toml"
    try:
        entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("file", [])
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ManifestError(f"{manifest}: {e}") from None
    known = template_ids(templates)
    out: list[Copy] = []
    for n, entry in enumerate(entries, 1):
        where = f"{manifest.name}: file #{n}"
        src, dest, ids = entry.get("source"), entry.get("dest"), entry.get("templates")
        if not isinstance(src, str) or not isinstance(dest, str):
            raise ManifestError(f"{where}: needs `source` and `dest` strings")
        for rel in (src, dest):
            if Path(rel).is_absolute() or ".." in Path(rel).parts:
                raise ManifestError(f"{where}: {rel!r} must be a relative path inside its folder")
        if not (shared / src).is_file():
            raise ManifestError(f"{where}: source {src!r} is not a file under {shared.relative_to(templates.parent)}")
        if ids == "all":
            ids = known
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ManifestError(f"{where}: `templates` must be \"all\" or a list of template ids")
        unknown = sorted(set(ids) - set(known))
        if unknown:
            raise ManifestError(f"{where}: unknown template {unknown[0]!r} (templates: {', '.join(known)})")
        out += [Copy(shared / src, templates / t / SLUG / dest, t) for t in ids]
    seen: dict[Path, Copy] = {}
    for c in out:
        if c.dest in seen:
            raise ManifestError(f"{manifest.name}: {c.template}'s {c.dest.relative_to(templates / c.template / SLUG)} "
                                f"comes from both {seen[c.dest].source.name} and {c.source.name}")
        seen[c.dest] = c
    return out


def stale(templates: Path | None = None) -> list[Copy]:
    """The copies that are missing or differ from their source."""
    return [c for c in copies(templates) if not c.dest.is_file() or c.dest.read_bytes() != c.source.read_bytes()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 while a copy differs")
    ap.add_argument("--templates", type=Path, default=ROOT / "templates", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    base = args.templates.resolve().parent
    try:
        todo = stale(args.templates.resolve())
    except ManifestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for c in todo:
        src, dest = c.source.relative_to(base), c.dest.relative_to(base)
        if args.check:
            print(f"{dest} {'differs from' if c.dest.is_file() else 'is missing; copy'} {src}", file=sys.stderr)
            continue
        c.dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(c.source, c.dest)
        print(f"{src} -> {dest}")
    if args.check and todo:
        print("run `python tools/sync_shared.py`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
