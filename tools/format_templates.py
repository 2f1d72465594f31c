"""Format every template's code the way its own `.pre-commit-config.yaml` does, so a learner's first
`pre-commit run --all-files` changes nothing.

    python tools/format_templates.py [TEMPLATE ...] [--pin]

For each template: render it with the defaults (cookiecutter --no-input), run the pre-commit hooks' tools on
the rendered repo -- `ruff check --fix`, then `ruff format`, with the template's own ruff config -- and write
every change back into the template's source, with the cookiecutter expressions (`{{ cookiecutter.module_name
}}`) put back where the source had them. A file whose change cannot be mapped back exactly (the re-rendered
source would differ from the formatted file) is reported and left alone: fix it by hand.

`--pin` first sets every template's ruff-pre-commit `rev:` to the ruff this runs (`python -m ruff`), which is
the version `tests/templates/test_formatting.py` checks with. A file several templates share is changed at its
source in templates/_shared/ and copied to each template (tools/sync_shared.py). Run this after editing
template code; that test fails while any rendered template is not formatted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SLUG = "{{cookiecutter.project_slug}}"
EXPR = re.compile(r"\{\{\s*cookiecutter\.(\w+)\s*\}\}")
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tools")]

from roadmap_ci.paths import template_ids  # noqa: E402  (this checkout's, not an installed copy's)

REV = re.compile(r"(repo: https://github\.com/astral-sh/ruff-pre-commit\s*\n\s*rev: )v?[0-9][^\s]*")


def templates() -> list[Path]:
    return [TEMPLATES / t for t in template_ids(TEMPLATES)]


def shared_sources() -> dict[Path, Path]:
    """Each template file that is a copy of a templates/_shared/ file (tools/sync_shared.py) -> that source."""
    import sync_shared

    return {c.dest: c.source for c in sync_shared.copies(TEMPLATES)}


def ruff_version() -> str:
    out = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[-1]


def hooks(repo: Path) -> None:
    """What the template's pre-commit hooks do to a repo: ruff --fix, then ruff-format (they stop at nothing)."""
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--fix", "--no-cache", "--quiet", "--exit-zero", "."], cwd=repo, check=True)
    subprocess.run([*ruff, "format", "--no-cache", "--quiet", "."], cwd=repo, check=True)


def context(template: Path) -> dict[str, Any]:
    """The answers `--no-input` gives (the defaults, derived ones rendered)."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    return dict(prompt_for_config(generate_context(context_file=str(template / "cookiecutter.json")), no_input=True))


def render_text(text: str, values: dict[str, Any]) -> str:
    from cookiecutter.environment import StrictEnvironment

    env = StrictEnvironment(context={"cookiecutter": values}, keep_trailing_newline=True)
    return env.from_string(text).render(cookiecutter=values)


def unrender(source: str, formatted: str, values: dict[str, Any]) -> str | None:
    """``formatted`` as template source: each value of an expression the source uses put back as that expression
    (the source's own spelling of it). None when re-rendering the result would not give ``formatted``."""
    spelled: dict[str, str] = {}
    for m in EXPR.finditer(source):
        spelled.setdefault(m.group(1), m.group(0))
    out = formatted
    for name, expr in sorted(spelled.items(), key=lambda kv: -len(str(values.get(kv[0], "")))):
        value = str(values.get(name, ""))
        if value:
            out = out.replace(value, expr)
    return out if render_text(out, values) == formatted else None


def format_template(template: Path) -> tuple[list[str], list[str]]:
    """(files rewritten, files that need a hand fix), as paths relative to the repository root."""
    from cookiecutter.main import cookiecutter

    values = context(template)
    shared = shared_sources()
    changed: list[str] = []
    manual: list[str] = []
    with tempfile.TemporaryDirectory(prefix="format-templates-") as tmp:
        repo = Path(cookiecutter(str(template), no_input=True, output_dir=tmp))
        before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
        hooks(repo)
        for rendered, old in sorted(before.items()):
            new = rendered.read_bytes()
            if new == old:
                continue
            rel = rendered.relative_to(repo)
            src = _source_for(template, rel, values)
            if src is None:
                manual.append(f"{template.name}: {rel} (no source file found)")
                continue
            source = src.read_text(encoding="utf-8")
            if source == old.decode("utf-8"):  # copied without rendering (or nothing to render)
                text: str | None = new.decode("utf-8")
            else:
                text = unrender(source, new.decode("utf-8"), values)
            if text is None:
                manual.append(str(src.relative_to(ROOT)))
                continue
            src = shared.get(src, src)  # a shared file is formatted at its source; main() syncs the copies
            src.write_text(text, encoding="utf-8")
            changed.append(str(src.relative_to(ROOT)))
    return changed, manual


def _source_for(template: Path, rel: Path, values: dict[str, Any]) -> Path | None:
    """The template file that renders to ``rel`` (path parts may themselves be cookiecutter expressions)."""
    base = template / SLUG
    for src in base.rglob("*"):
        if src.is_file() and Path(render_text(str(src.relative_to(base)), values)) == rel:
            return src
    return None


def pin(version: str) -> list[str]:
    done = []
    shared = shared_sources()
    configs = {shared.get(t / SLUG / ".pre-commit-config.yaml", t / SLUG / ".pre-commit-config.yaml")
               for t in templates()}
    for cfg in sorted(configs):
        if not cfg.is_file():
            continue
        text = cfg.read_text()
        new = REV.sub(rf"\g<1>v{version}", text)
        if new != text:
            cfg.write_text(new)
            done.append(str(cfg.relative_to(ROOT)))
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("templates", nargs="*", help="template ids (default: all)")
    ap.add_argument("--pin", action="store_true", help="set ruff-pre-commit's rev to the ruff this runs")
    args = ap.parse_args(argv)
    if args.pin:
        for f in pin(ruff_version()):
            print(f"pinned {f}")
    chosen = [TEMPLATES / t for t in args.templates] if args.templates else templates()
    manual_all: list[str] = []
    for t in chosen:
        changed, manual = format_template(t)
        for f in changed:
            print(f"formatted {f}")
        manual_all += manual
    import sync_shared

    sync_shared.main([])  # a pinned or formatted shared source reaches every template that copies it
    for f in manual_all:
        print(f"fix by hand: {f}", file=sys.stderr)
    return 1 if manual_all else 0


if __name__ == "__main__":
    sys.exit(main())
