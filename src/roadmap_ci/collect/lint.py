"""lint: ``ruff check --output-format json`` on the configured paths (the repo's own ruff config applies).

Findings are counted by rule; the first :data:`MAX_FINDINGS` are kept with their place. ``--no-fix`` so
a ``fix = true`` in the learner's config never rewrites their files during evaluation.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from roadmap_ci.collect.base import (
    EvidenceModel,
    Fact,
    Namespace,
    Ref,
    RelPaths,
    Section,
    Want,
    locate,
    missing,
    names,
    no_section_line,
    short,
    status_line,
)

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "lint"
NEEDS: tuple[str, ...] = ()
TOOLS = ("ruff",)
MODULES = ("ruff",)
MAX_FINDINGS = 200


@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``lint:`` key in .roadmap-ci.yml, the model built on first use (``score`` imports this module
    for its evidence models and never reads the key)."""

    class LintConfig(Section):
        paths: RelPaths = Field(default=["."], description="What ruff checks (the repo's ruff config applies).")
        timeout: float = Field(default=120, gt=0)

    return (LintConfig | None, None)


class LintFinding(EvidenceModel):
    code: str
    path: str
    line: int | None = None
    column: int | None = None
    message: str = ""


class Lint(EvidenceModel):
    status: Literal["ok", "error"]
    total: int = 0
    by_rule: dict[str, int] = Field(default_factory=dict)
    findings: list[LintFinding] = Field(default_factory=list,
                                        description="The first findings (bounded); counts are complete.")
    message: str = ""


EVIDENCE = {"lint": (Lint | None, None)}


def enabled(ctx: Context) -> bool:
    return ctx.config.lint is not None


def parse(output: str, repo_prefix: str) -> Lint:
    m = re.search(r"(?m)^\[", output)  # the JSON list starts a line; ruff's warnings (stderr) may surround it
    try:
        items = json.JSONDecoder().raw_decode(output, m.start())[0] if m else None
    except json.JSONDecodeError:
        items = None
    if not isinstance(items, list):
        from roadmap_ci.collect.proc import last_line

        return Lint(status="error", message=f"ruff printed no findings list: {short(last_line(output), 200)}")
    by_rule: dict[str, int] = {}
    findings: list[LintFinding] = []
    for it in items:
        if not isinstance(it, dict):
            continue
        code = str(it.get("code") or "syntax-error")
        by_rule[code] = by_rule.get(code, 0) + 1
        if len(findings) < MAX_FINDINGS:
            loc = it.get("location") or {}
            path = str(it.get("filename") or "")
            if path.startswith(repo_prefix):
                path = path[len(repo_prefix):]
            findings.append(LintFinding(code=code, path=path, line=loc.get("row"), column=loc.get("column"),
                                        message=short(str(it.get("message") or ""), 200)))
    return Lint(status="ok", total=sum(by_rule.values()), by_rule=dict(sorted(by_rule.items())), findings=findings)


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect import proc

    cfg = ctx.config.lint
    assert cfg is not None
    paths = [p for p in cfg.paths if locate(ctx.repo, p)[1] in ("file", "dir")]
    if not paths:
        return {"lint": Lint(status="error", message=f"nothing to lint: {', '.join(cfg.paths)} not found")}
    # ruff prints the JSON on stdout and its own problems on stderr: keep enough of the (merged) output
    res = proc.run([sys.executable, "-m", "ruff", "check", "--output-format", "json", "--no-fix", "--no-cache",
                    "--exit-zero", *paths], ctx.repo, timeout=cfg.timeout, env=ctx.env,
                   tail_lines=10**9, tail_bytes=32 * 1024 * 1024)
    if res.error:
        return {"lint": Lint(status="error", message=res.error)}
    if res.timed_out:
        return {"lint": Lint(status="error", message=f"ruff did not finish within {cfg.timeout:g} s")}
    if res.returncode != 0:
        return {"lint": Lint(status="error", message=f"ruff failed: {short(proc.last_line(res.tail), 240)}")}
    return {"lint": parse(res.tail, str(ctx.repo) + "/")}


def summary(fields: dict[str, Any]) -> str:
    value = fields.get("lint")
    return no_section_line(fields) if value is None else status_line(value)


# ---------------------------------------------------------------- facts


def _resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    label = "lint findings" if ref.key is None else f"lint {ref.key} findings"
    if ev.lint is None:
        return missing(label, "lint was not run")
    if ev.lint.status == "error":
        return missing(label, f"ruff could not run: {short(ev.lint.message, 160)}")
    count = ev.lint.total if ref.key is None else sum(
        n for code, n in ev.lint.by_rule.items() if code == ref.key or code.startswith(ref.key)
    )
    top = sorted(ev.lint.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
    most = f"most: {names([f'{c}×{n}' for c, n in top])}" if count and ref.key is None else ""
    if want == "bool":
        detail = f"{count} finding{'s' if count != 1 else ''}" + (f" ({most})" if most else "")
        return Fact("bool", label, count == 0, detail=detail)
    return Fact("number", label, float(count), detail=most)


NAMESPACES = {
    "lint": Namespace("optional", frozenset({"pass", "threshold"}), "ruff findings", _resolve),
}
