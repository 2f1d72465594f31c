"""lint: ``ruff check --output-format json`` on the configured paths (the repo's own ruff config applies).

Findings are counted by rule; the first :data:`MAX_FINDINGS` are kept with their place. ``--no-fix`` so
a ``fix = true`` in the learner's config never rewrites their files during evaluation.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from roadmap_ci.collect import proc
from roadmap_ci.collect._context import Context, locate, short
from roadmap_ci.evidence import Lint, LintFinding

NAME = "lint"
NEEDS: tuple[str, ...] = ()
MAX_FINDINGS = 200


def enabled(ctx: Context) -> bool:
    return ctx.config.lint is not None


def parse(output: str, repo_prefix: str) -> Lint:
    m = re.search(r"(?m)^\[", output)  # the JSON list starts a line; ruff's warnings (stderr) may surround it
    try:
        items = json.JSONDecoder().raw_decode(output, m.start())[0] if m else None
    except json.JSONDecodeError:
        items = None
    if not isinstance(items, list):
        return Lint(status="error", message=f"ruff printed no findings list: {short(proc.last_line(output), 200)}")
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
