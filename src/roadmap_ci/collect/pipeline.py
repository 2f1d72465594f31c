"""pipeline: ``dvc repro`` in its own process group, with a wall-clock timeout for the whole pipeline.

DVC's own output is split per stage while it streams (``Running stage 'x':``, ``Stage 'x' didn't change,
skipping``, ``ERROR: failed to reproduce 'x'``), so every stage gets its status (ran | cached | failed |
timeout | not_run), its duration and the last lines of its output, in bounded memory whatever it prints.
An unchanged repo costs one cheap ``dvc repro``: every stage is ``cached``.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from roadmap_ci.collect.base import (
    EvidenceModel,
    Fact,
    Namespace,
    Ref,
    Section,
    Want,
    missing,
    names,
    no_section_line,
    short,
)

if TYPE_CHECKING:
    from roadmap_ci.collect import proc
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "pipeline"
NEEDS: tuple[str, ...] = ()
TOOLS = ("dvc",)
MODULES = ("dvc",)


@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``pipeline:`` key in .roadmap-ci.yml, the model built on first use (``score`` imports this module
    for its evidence models and never reads the key)."""

    class PipelineConfig(Section):
        timeout: float = Field(default=900, gt=0, description="Seconds for the whole `dvc repro`.")
        tail_lines: int = Field(default=40, ge=1, le=1000, description="Lines of output kept per stage.")

    return (PipelineConfig | None, None)


class Stage(EvidenceModel):
    name: str
    status: Literal["ran", "cached", "failed", "timeout", "not_run"]
    duration_s: float | None = None
    log_tail: str = Field(default="", description="The last lines of the stage's output (bounded).")


class Pipeline(EvidenceModel):
    status: Literal["ok", "failed", "timeout", "missing", "error"]
    stages: list[Stage] = Field(default_factory=list)
    failed_stage: str | None = None
    duration_s: float | None = None
    message: str = ""


EVIDENCE = {"pipeline": (Pipeline | None, None)}

_MARKER = re.compile(
    rb"^(?:Running stage '(?P<run>[^'\n]+)':"
    rb"|Stage '(?P<skip>[^'\n]+)' didn't change, skipping"
    rb"|Stage '(?P<restored>[^'\n]+)' is cached - skipping run"
    rb"|ERROR: failed to reproduce '(?P<failed>[^'\n]+)'"
    rb"|(?P<locked>Updating lock file '[^'\n]*'\n))",
    re.MULTILINE,
)
_MAX_PARTIAL = 4096


def enabled(ctx: Context) -> bool:
    return ctx.config.pipeline is not None


class _StageLog:
    """One stage's share of the output. A plain class: ``score`` imports this module for its models, and a
    dataclass costs it ≈ 0.5 ms to build."""

    __slots__ = ("name", "status", "started", "ended", "tail")

    def __init__(self, name: str, status: str, started: float, tail: proc.Tail) -> None:
        self.name = name
        self.status = status
        self.started = started
        self.ended: float | None = None
        self.tail = tail


class StageSplitter:
    """Feeds DVC's merged output into one bounded tail per stage (and one for DVC's own lines)."""

    def __init__(self, tail_lines: int):
        from roadmap_ci.collect.proc import Tail

        self.tail_lines = tail_lines
        self.stages: dict[str, _StageLog] = {}
        self.order: list[str] = []
        self.current: _StageLog | None = None
        self.outside = Tail(tail_lines)  # lines before the first stage
        self._partial = b""
        self.errors: list[str] = []  # ERROR lines, in order (bounded)

    def _sink(self) -> proc.Tail:
        return self.current.tail if self.current is not None else self.outside

    def _switch(self, name: str, status: str, t: float) -> None:
        if self.current is not None and self.current.ended is None:
            self.current.ended = t
        log = self.stages.get(name)
        if log is None:
            from roadmap_ci.collect.proc import Tail

            log = _StageLog(name, status, t, Tail(self.tail_lines))
            self.stages[name] = log
            self.order.append(name)
        else:
            log.status = status
        self.current = log if status == "ran" else None
        if status == "cached":
            log.ended = t

    def feed(self, chunk: bytes, t: float) -> None:
        data = self._partial + chunk
        cut = data.rfind(b"\n") + 1
        complete, self._partial = data[:cut], data[cut:]
        if len(self._partial) > _MAX_PARTIAL:  # a huge line without newline: no marker can hide in it
            complete, self._partial = data, b""
        pos = 0
        for m in _MARKER.finditer(complete):
            if m.start() > pos:
                self._sink().feed(complete[pos:m.start()])
            if m.group("locked"):  # the stage is done: what follows is DVC's epilogue or the next stage
                self._sink().feed(m.group(0))
                if self.current is not None:
                    self.current.ended = t
                self.current = None
                pos = m.end()
                continue
            name = (m.group("run") or m.group("skip") or m.group("restored") or m.group("failed")).decode(
                "utf-8", "replace")
            if m.group("run"):
                self._switch(name, "ran", t)
            elif m.group("skip") or m.group("restored"):
                self._switch(name, "cached", t)
            else:  # the failing stage's ERROR line belongs to it
                log = self.stages.get(name)
                if log is None:
                    self._switch(name, "ran", t)
                    log = self.stages[name]
                log.status = "failed"
                log.ended = log.ended or t
                self.current = log
                line_end = complete.find(b"\n", m.start())
                if len(self.errors) < 20:
                    self.errors.append(complete[m.start(): line_end if line_end >= 0 else None].decode(
                        "utf-8", "replace"))
            pos = m.start()
        if pos < len(complete):
            self._sink().feed(complete[pos:])

    def finish(self, t: float) -> None:
        if self._partial:
            self._sink().feed(self._partial)
            self._partial = b""
        if self.current is not None and self.current.ended is None:
            self.current.ended = t


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# DVC's own report of a dvc.yaml it cannot use: "'./dvc.yaml' is invalid." (YAML syntax) or "'./dvc.yaml' validation
# failed[: 2 errors]." (the schema), then one paragraph per cause ending in its place, each with a code excerpt
_HEADLINE = re.compile(r"^'(?:\./)?(?P<file>[^']+)' (?P<what>is invalid|validation failed)(?P<rest>.*?)\.?$")
_EXCERPT = re.compile(r"^\s+\d+(?:\s|$)")  # "  5 │   cmdd: python train.py": rich's numbered code lines
_AT = re.compile(r",? (?:in )?line (?P<line>\d+), column (?P<col>\d+)$")
# ruamel's marks in the cause of an ERROR line (a params file that is not YAML): '  in "<unicode string>", line 3,
# column 6:', then the line and a caret
_MARK = re.compile(r'^\s+in "[^"]*", line (?P<line>\d+), column (?P<col>\d+):?$')
_READ = re.compile(r"^ERROR: (?:unable to read: )?'(?:\./)?(?P<file>[^']+)',? (?P<what>.*?): (?P<cause>.+)$")


def _error_message(output: str) -> str:
    """DVC's reason on one line, where it has a place as ``file:line:column: what`` (never a code excerpt)."""
    lines = _ANSI.sub("", output).splitlines()
    for i, line in enumerate(lines):
        if m := _HEADLINE.match(line.strip()):
            return short(_pretty(m, lines[i + 1:]))
    errors = [i for i, line in enumerate(lines) if line.startswith("ERROR")]
    if errors:
        return short(_marked(lines[errors[-1]].strip(), lines[errors[-1] + 1:]))
    text = [line.strip() for line in lines if line.strip() and not _EXCERPT.match(line)]
    return short(" ".join(text[:3])) if text else "dvc repro failed with no output"


def _causes(lines: list[str]) -> list[tuple[str, str | None]]:
    """DVC's cause paragraphs (excerpts dropped, lines its console wrapped joined) as (text, "line:column")."""
    out: list[tuple[str, str | None]] = []
    para: list[str] = []
    for line in [*lines, ""]:
        if line.strip() and not _EXCERPT.match(line):
            para.append(line.strip())
        elif not line.strip() and para:
            text = " ".join(para)
            m = _AT.search(text)
            out.append((text[:m.start()], f"{m['line']}:{m['col']}") if m else (text, None))
            para = []
    return out


def _pretty(head: re.Match[str], rest: list[str]) -> str:
    file, causes = head["file"], _causes(rest)
    placed = [(text, at) for text, at in causes if at]
    if not placed:
        said = "; ".join(text for text, _ in causes) or head["rest"].lstrip(": ")
        return f"{file}: {head['what']}" + (f": {said}" if said else "")
    if head["what"] == "is invalid":  # YAML syntax: the problem is the last place, the context (if any) before it
        text, at = placed[-1]
        context = [f"{t[:1].lower()}{t[1:]} at line {a.replace(':', ', column ')}" for t, a in placed[:-1]]
        return f"{file}:{at}: invalid YAML: {text}" + (f" ({'; '.join(context)})" if context else "")
    text, at = placed[0]  # validation: the first error with its place, and how many more
    more = placed[1:]
    return f"{file}:{at}: {text}" + (f" (and {len(more)} more: {'; '.join(t for t, _ in more)})" if more else "")


def _marked(error: str, rest: list[str]) -> str:
    """An ERROR line whose cause is a YAML error with ruamel's marks: the problem's place and the context's."""
    segments: list[list[str | None]] = [[error, None]]  # [text, "line:column"]: the ERROR line's own cause first
    for line in rest:
        if m := _MARK.match(line):
            if segments[-1][1] is None:
                segments[-1][1] = f"{m['line']}:{m['col']}"
        elif line.strip() and not line[:1].isspace():
            segments.append([line.strip(), None])
    placed = [(str(text), str(at)) for text, at in segments if at]
    m = _READ.match(error)
    if not placed or m is None:
        return error
    context = [m["cause"] if text == error else text for text, _ in placed[:-1]]
    where = [f"{c} at line {at.replace(':', ', column ')}" for c, (_, at) in zip(context, placed, strict=False)]
    problem = m["cause"] if placed[-1][0] == error else placed[-1][0]
    return f"{m['file']}:{placed[-1][1]}: {m['what']}: {problem}" + (f" ({'; '.join(where)})" if where else "")


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect import proc
    from roadmap_ci.collect._dvc import read_dvc_yaml

    cfg = ctx.config.pipeline
    assert cfg is not None
    dvc_yaml = read_dvc_yaml(ctx.repo)
    if dvc_yaml is None:
        return {"pipeline": Pipeline(status="missing", message="no dvc.yaml in the repository root: "
                                     "declare the pipeline's stages there (see `dvc stage add`)")}
    if not (ctx.repo / ".dvc").is_dir():
        return {"pipeline": Pipeline(status="error", message="not a DVC repository (no .dvc/ directory): "
                                     "run `dvc init` and commit .dvc/")}
    splitter = StageSplitter(cfg.tail_lines)
    t0 = time.monotonic()
    res = proc.run([sys.executable, "-m", "dvc", "repro"], ctx.repo, timeout=cfg.timeout, env=ctx.env,
                   sink=splitter.feed, tail_lines=cfg.tail_lines)
    splitter.finish(t0 + res.duration_s)
    if res.error:
        return {"pipeline": Pipeline(status="error", message=res.error)}

    stages: list[Stage] = []
    failed_stage = None
    for name in splitter.order:
        log = splitter.stages[name]
        status = log.status
        if res.timed_out and log is splitter.current and status == "ran":
            status = "timeout"
        if status in ("failed", "timeout") and failed_stage is None:
            failed_stage = name
        end = log.ended if log.ended is not None else t0 + res.duration_s
        stages.append(Stage(name=name, status=status, duration_s=round(max(0.0, end - log.started), 3),  # type: ignore[arg-type]
                            log_tail=log.tail.text()))
    seen = set(splitter.order)
    stages += [Stage(name=n, status="not_run") for n in dvc_yaml.stages if n not in seen]

    if res.timed_out:
        status = "timeout"
        where = f" in stage {failed_stage!r}" if failed_stage else ""
        message = f"dvc repro did not finish within {cfg.timeout:g} s{where}; the whole process group was killed"
    elif res.returncode == 0:
        status, message = "ok", ""
    elif failed_stage is not None:
        status = "failed"
        message = short(splitter.errors[-1]) if splitter.errors else f"stage {failed_stage!r} failed"
    else:
        status = "error"
        message = _error_message(res.tail) or dvc_yaml.error
    return {"pipeline": Pipeline(status=status, stages=stages, failed_stage=failed_stage,  # type: ignore[arg-type]
                                 duration_s=round(res.duration_s, 3), message=message)}


def summary(fields: dict[str, Any]) -> str:
    value = fields.get("pipeline")
    if value is None:
        return no_section_line(fields)
    counts = {k: sum(s.status == k for s in value.stages) for k in ("ran", "cached", "failed", "timeout", "not_run")}
    shown = [f"{counts['ran']} ran", f"{counts['cached']} cached"] + [  # a stage that ran and failed counts too
        f"{counts[k]} {word}" for k, word in (("failed", "failed"), ("timeout", "timed out"), ("not_run", "not run"))
        if counts[k]]
    extra = f": {value.message}" if value.message else ""
    return f"{value.status} ({', '.join(shown)}){extra}"


# ---------------------------------------------------------------- facts


def _passed(ev: Evidence, ref: Ref) -> Fact:
    p = ev.pipeline
    if p is None:
        return missing("pipeline", "the pipeline was not run")
    if ref.key is None:
        if p.status == "ok":
            return Fact("bool", "pipeline", True, detail=f"all {len(p.stages)} stages succeeded",
                        done=len(p.stages), total=len(p.stages))
        why = {
            "missing": p.message or "no dvc.yaml in the repository",
            "timeout": f"timed out{f' in stage {p.failed_stage!r}' if p.failed_stage else ''}",
            "failed": f"failed at stage {p.failed_stage!r}" if p.failed_stage else "failed",
            "error": p.message or "could not run",
        }[p.status]
        tail = next((s.log_tail for s in p.stages if s.name == p.failed_stage and s.log_tail), "")
        last = tail.strip().splitlines()[-1] if tail.strip() else p.message
        return Fact("bool", "pipeline", False,
                    detail=why + (f": {short(last, 160)}" if last and last not in why else ""))
    stage = next((s for s in p.stages if s.name == ref.key), None)
    if stage is None:
        found = [s.name for s in p.stages]
        return missing(f"stage {ref.key}", f"no stage {ref.key!r} in dvc.yaml (found: {names(found) or 'none'})")
    ok = stage.status in ("ran", "cached")
    return Fact("bool", f"stage {ref.key}", ok, detail=f"stage {ref.key!r} {stage.status}")


def _seconds(ev: Evidence, ref: Ref) -> Fact:
    p = ev.pipeline
    if p is None or p.duration_s is None:
        return missing("pipeline duration", "the pipeline was not run")
    if ref.key is not None:
        stage = next((s for s in p.stages if s.name == ref.key), None)
        if stage is None or stage.duration_s is None:
            return missing(f"stage {ref.key} duration", f"stage {ref.key!r} has no duration")
        return Fact("number", f"stage {ref.key} seconds", stage.duration_s)
    return Fact("number", "pipeline seconds", p.duration_s)


def _resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    return _seconds(ev, ref) if want == "number" else _passed(ev, ref)


NAMESPACES = {
    "pipeline": Namespace("optional", frozenset({"pass", "threshold"}), "the DVC pipeline or one stage", _resolve),
}
