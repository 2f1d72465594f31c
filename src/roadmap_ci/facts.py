"""Evidence references: the names a rubric uses to point at facts in the evidence.

A reference is ``namespace`` or ``namespace:key``. Each namespace says which rules may read it,
and ``resolve`` turns a reference into a :class:`Fact` (a boolean, a number, a fraction, or
missing -- with the reason why). The scorer never looks into the evidence any other way, so a new
kind of fact is one entry here plus its resolver.

| reference                  | fact                                                       |
|----------------------------|------------------------------------------------------------|
| ``pipeline``               | every DVC stage ran or was cached (bool); duration (number) |
| ``pipeline:STAGE``         | that stage ran or was cached (bool)                         |
| ``metric:FILE:KEY.PATH``   | a number from a DVC metrics file                            |
| ``hidden:NAME``            | a hidden-label metric computed outside the learner's job    |
| ``tests`` / ``tests:GLOB`` | tests passed (fraction / bool), failures (number)            |
| ``data`` / ``data:SUITE``  | expectations met (fraction / bool)                           |
| ``lint`` / ``lint:RULE``   | number of ruff findings (number; bool = none)                |
| ``file:PATH``              | the file exists (a trailing ``/`` asks for a directory)      |
| ``readme:HEADING``         | the README has that section                                 |
| ``notebooks`` / ``notebook:PATH`` | notebooks executed (fraction / bool)                  |
| ``predictions``            | the declared predictions file is present and readable (bool); rows (number) |
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from typing import Literal, NamedTuple

from roadmap_ci.evidence import MENTOR_CASES, Evidence

Kind = Literal["bool", "number", "fraction", "missing"]


@dataclass(frozen=True)
class Namespace:
    key: Literal["none", "optional", "required"]
    rules: frozenset[str]
    what: str


NAMESPACES: dict[str, Namespace] = {
    "pipeline": Namespace("optional", frozenset({"pass", "threshold"}), "the DVC pipeline or one stage"),
    "metric": Namespace("required", frozenset({"threshold", "pass"}), "a metric from a DVC metrics file"),
    "hidden": Namespace("required", frozenset({"threshold", "pass"}), "a hidden-label metric"),
    "tests": Namespace("optional", frozenset({"pass", "fraction", "threshold"}), "pytest results"),
    "data": Namespace("optional", frozenset({"pass", "fraction"}), "Great Expectations results"),
    "lint": Namespace("optional", frozenset({"pass", "threshold"}), "ruff findings"),
    "file": Namespace("required", frozenset({"exists", "pass"}), "a file or directory"),
    "readme": Namespace("required", frozenset({"exists", "pass"}), "a README section"),
    "notebooks": Namespace("none", frozenset({"pass", "fraction"}), "all declared notebooks"),
    "notebook": Namespace("required", frozenset({"pass"}), "one notebook"),
    "predictions": Namespace("none", frozenset({"pass", "threshold"}), "the predictions file"),
}


@dataclass(frozen=True)
class Ref:
    namespace: str
    key: str | None

    def __str__(self) -> str:
        return self.namespace if self.key is None else f"{self.namespace}:{self.key}"


@functools.lru_cache(maxsize=4096)
def parse_ref(text: str) -> Ref:
    """Parse a reference; raise ValueError with a message naming what is allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("evidence reference must be a non-empty string")
    ns, sep, key = text.partition(":")
    spec = NAMESPACES.get(ns)
    if spec is None:
        raise ValueError(f"unknown evidence '{ns}' (allowed: {', '.join(sorted(NAMESPACES))})")
    if sep and not key:
        raise ValueError(f"'{text}' has an empty key after ':'")
    if spec.key == "required" and not sep:
        example = {"metric": "metric:metrics.json:f1", "hidden": "hidden:f1", "file": "file:README.md",
                   "readme": "readme:Results", "notebook": "notebook:notebooks/eda.ipynb"}[ns]
        raise ValueError(f"'{ns}' needs a key, e.g. '{example}'")
    if spec.key == "none" and sep:
        raise ValueError(f"'{ns}' takes no key")
    if ns == "metric" and ":" not in key:
        raise ValueError(f"'{text}' must name the metrics file and the key, e.g. 'metric:metrics.json:{key}'")
    return Ref(ns, key if sep else None)


class Fact(NamedTuple):  # a tuple: made for every criterion of every learner when a cohort is re-scored
    kind: Kind
    label: str
    value: float | bool | None = None
    done: int = 0
    total: int = 0
    detail: str = ""

    @property
    def fraction(self) -> float | None:
        if self.kind == "fraction":
            return self.done / self.total if self.total else None
        if self.kind == "bool":
            return 1.0 if self.value else 0.0
        return None


def _missing(label: str, why: str) -> Fact:
    return Fact("missing", label, detail=why)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _pipeline(ev: Evidence, ref: Ref) -> Fact:
    p = ev.pipeline
    if p is None:
        return _missing("pipeline", "the pipeline was not run")
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
        return Fact("bool", "pipeline", False, detail=why + (f": {_short(last)}" if last and last not in why else ""))
    stage = next((s for s in p.stages if s.name == ref.key), None)
    if stage is None:
        names = [s.name for s in p.stages]
        return _missing(f"stage {ref.key}", f"no stage {ref.key!r} in dvc.yaml (found: {_names(names) or 'none'})")
    ok = stage.status in ("ran", "cached")
    return Fact("bool", f"stage {ref.key}", ok, detail=f"stage {ref.key!r} {stage.status}")


def _pipeline_number(ev: Evidence, ref: Ref) -> Fact:
    p = ev.pipeline
    if p is None or p.duration_s is None:
        return _missing("pipeline duration", "the pipeline was not run")
    if ref.key is not None:
        stage = next((s for s in p.stages if s.name == ref.key), None)
        if stage is None or stage.duration_s is None:
            return _missing(f"stage {ref.key} duration", f"stage {ref.key!r} has no duration")
        return Fact("number", f"stage {ref.key} seconds", stage.duration_s)
    return Fact("number", "pipeline seconds", p.duration_s)


def _metric(values: dict[str, float] | None, problems: dict[str, str], key: str, label: str, src: str) -> Fact:
    if values is None:
        return _missing(label, f"no {src} were collected")
    if key in values:
        return Fact("number", label, values[key])
    if key in problems:
        return _missing(label, f"{key} is not a usable number: {problems[key]}")
    file = key.split(":", 1)[0]
    if file in problems:  # the whole metrics file could not be read
        return _missing(label, f"{file}: {problems[file]}")
    known = sorted(values)
    return _missing(label, f"no {src[:-1]} {key!r} (found: {_names(known) or 'none'})")


def _tests(ev: Evidence, ref: Ref, kind: str) -> Fact:
    t = ev.tests
    label = "tests" if ref.key is None else f"tests {ref.key}"
    if t is None:
        return _missing(label, "tests were not run")
    if t.status in ("error", "timeout") and not t.cases:
        what = "timed out" if t.status == "timeout" else "could not run"
        return _missing(label, f"pytest {what}: {_short(t.message)}")
    cases = [c for c in t.cases if c.outcome != "skipped"]
    if ref.key is not None:  # mentor.* ids are the rubric's mentor tests: a learner module named mentor is not
        cases = [c for c in cases if fnmatch.fnmatchcase(c.id, ref.key)
                 and (c.source == "mentor" or not c.id.startswith(MENTOR_CASES))]
    if not cases:
        return _missing(label, "no tests were collected" + (f" matching {ref.key!r}" if ref.key else ""))
    passed = sum(c.outcome == "passed" for c in cases)
    failed = [c.id.rsplit("::", 1)[-1] for c in cases if c.outcome != "passed"]
    detail = f"{passed} of {len(cases)} tests passed" + (f" (failing: {_names(failed)})" if failed else "")
    if kind == "number":
        return Fact("number", f"{label} failing", float(len(failed)), detail=detail)
    if kind == "bool":
        return Fact("bool", label, not failed, detail=detail)
    return Fact("fraction", label, done=passed, total=len(cases), detail=detail)


def _data(ev: Evidence, ref: Ref, kind: str) -> Fact:
    label = "data checks" if ref.key is None else f"data suite {ref.key}"
    if ev.data is None:
        return _missing(label, "data checks were not run")
    suites = ev.data if ref.key is None else [s for s in ev.data if s.name == ref.key]
    if not suites:
        return _missing(label, f"no suite {ref.key!r} (found: {_names([s.name for s in ev.data]) or 'none'})"
                        if ref.key else "no data suites were found")
    broken = [s for s in suites if s.status == "error"]
    exps = [e for s in suites for e in s.expectations]
    met = sum(e.success for e in exps)
    total = len(exps) + len(broken)  # a suite that could not run counts as one unmet check
    failed = [f"{e.type}({e.column})" if e.column else e.type for e in exps if not e.success]
    failed += [f"{s.name}: {_short(s.message, 80)}" for s in broken]
    detail = f"{met} of {total} expectations met" + (f" (failing: {_names(failed)})" if failed else "")
    if total == 0:
        return _missing(label, "the suites hold no expectations")
    if kind == "bool":
        return Fact("bool", label, met == total, detail=detail)
    return Fact("fraction", label, done=met, total=total, detail=detail)


def _lint(ev: Evidence, ref: Ref, kind: str) -> Fact:
    label = "lint findings" if ref.key is None else f"lint {ref.key} findings"
    if ev.lint is None:
        return _missing(label, "lint was not run")
    if ev.lint.status == "error":
        return _missing(label, f"ruff could not run: {_short(ev.lint.message)}")
    count = ev.lint.total if ref.key is None else sum(
        n for code, n in ev.lint.by_rule.items() if code == ref.key or code.startswith(ref.key)
    )
    top = sorted(ev.lint.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
    most = f"most: {_names([f'{c}×{n}' for c, n in top])}" if count and ref.key is None else ""
    if kind == "bool":
        detail = f"{count} finding{'s' if count != 1 else ''}" + (f" ({most})" if most else "")
        return Fact("bool", label, count == 0, detail=detail)
    return Fact("number", label, float(count), detail=most)


def _file(ev: Evidence, ref: Ref) -> Fact:
    key = ref.key or ""
    want_dir = key.endswith("/")
    path = key.rstrip("/") or "."
    if ev.structure is None:
        return _missing(key, "the repository structure was not collected")
    fact = next((f for f in ev.structure.files if f.path.rstrip("/") == path), None)
    if fact is None:
        return _missing(key, f"{key} was not checked by the collector (is it listed in the rubric?)")
    if fact.kind == "outside":
        return Fact("bool", key, False, detail=f"{key} is a symlink pointing outside the repository")
    if fact.kind == "missing":
        return Fact("bool", key, False, detail=f"{key} is missing")
    if fact.kind == "stale":
        return Fact("bool", key, False, detail=f"{key} is {_short(fact.message) or 'stale'}")
    if want_dir and fact.kind != "dir":
        return Fact("bool", key, False, detail=f"{key} is a file, expected a directory")
    if not want_dir and fact.kind == "dir":
        return Fact("bool", key, False, detail=f"{key} is a directory, expected a file")
    return Fact("bool", key, True, detail=f"{key} is present")


@functools.lru_cache(maxsize=8192)  # a cohort's READMEs share their template's headings
def normalise_heading(text: str) -> str:
    return " ".join(text.strip().strip("#").split()).casefold()


def _readme(ev: Evidence, ref: Ref) -> Fact:
    label = f"README section {ref.key!r}"
    if ev.structure is None:
        return _missing(label, "the repository structure was not collected")
    if ev.structure.readme_path is None:
        return Fact("bool", label, False, detail="there is no README")
    want = normalise_heading(ref.key or "")
    found = want in {normalise_heading(h) for h in ev.structure.readme_sections}
    return Fact("bool", label, found, detail=f"{ev.structure.readme_path} {'has' if found else 'has no'} "
                f"section {ref.key!r}")


def _notebooks(ev: Evidence, ref: Ref, kind: str) -> Fact:
    label = "notebooks" if ref.key is None else f"notebook {ref.key}"
    if ev.notebooks is None:
        return _missing(label, "notebooks were not executed")
    books = ev.notebooks if ref.key is None else [n for n in ev.notebooks if n.path == ref.key]
    if not books:
        return _missing(label, f"notebook {ref.key!r} was not executed (is it declared?)" if ref.key
                        else "no notebooks are declared")
    bad = [n for n in books if n.status != "ok"]
    parts = []
    for n in bad[:3]:
        where = f" cell {n.failed_cell}" if n.failed_cell is not None else ""
        parts.append(f"{n.path}{where}: {n.status}{f' ({_short(n.error, 80)})' if n.error else ''}")
    detail = f"{len(books) - len(bad)} of {len(books)} notebooks ran" + (f"; {'; '.join(parts)}" if parts else "")
    if kind == "bool":
        return Fact("bool", label, not bad, detail=detail)
    return Fact("fraction", label, done=len(books) - len(bad), total=len(books), detail=detail)


def _predictions(ev: Evidence, kind: str) -> Fact:
    p = ev.predictions
    if p is None:
        return _missing("predictions", "no predictions file is declared")
    if kind == "number":
        if p.rows is None:
            return _missing("prediction rows", f"{p.path}: {p.status} {p.message}".strip())
        return Fact("number", "prediction rows", float(p.rows))
    ok = p.status == "ok"
    why = f": {_short(p.message)}" if p.message else ""
    detail = f"{p.path}: {p.rows} rows" if ok else f"{p.path} is {p.status}{why}"
    return Fact("bool", "predictions", ok, detail=detail)


def resolve(ev: Evidence, ref: Ref, want: Literal["bool", "number", "fraction"],
            base: dict[str, float] | None = None) -> Fact:
    """The fact ``ref`` names, in the shape ``want`` asks for (or missing, with the reason)."""
    ns = ref.namespace
    if ns == "pipeline":
        return _pipeline_number(ev, ref) if want == "number" else _pipeline(ev, ref)
    if ns in ("metric", "hidden"):
        key = ref.key or ""
        if ns == "metric":
            values = ev.metrics if base is None else base
            src = "metrics" if base is None else "base-branch metrics"
            fact = _metric(values, ev.metric_problems if base is None else {}, key, key, src)
        else:
            fact = _metric(ev.hidden, {}, key, f"hidden {key}", "hidden-label metrics")
            why = next((e.message for e in ev.errors if e.collector == "hidden"), None)  # see roadmap_ci.hidden
            if fact.kind == "missing" and why:
                fact = _missing(fact.label, f"hidden-label scoring failed: {_short(why, 300)}")
        if want == "bool" and fact.kind == "number":
            return Fact("bool", fact.label, bool(fact.value), detail=f"{fact.label} = {fact.value:g}")
        return fact
    if ns == "tests":
        return _tests(ev, ref, want)
    if ns == "data":
        return _data(ev, ref, want)
    if ns == "lint":
        return _lint(ev, ref, want)
    if ns == "file":
        return _file(ev, ref)
    if ns == "readme":
        return _readme(ev, ref)
    if ns in ("notebooks", "notebook"):
        return _notebooks(ev, ref, want)
    if ns == "predictions":
        return _predictions(ev, want)
    raise AssertionError(f"unhandled namespace {ns}")  # parse_ref admits only NAMESPACES
