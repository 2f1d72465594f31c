"""Property-based fuzzing of every parser entry point: only the project's own errors may escape.

Each property feeds generated input -- random text and bytes, and well-formed documents with parts
replaced by hostile values (deep nesting, aliases, surrogate escapes, huge numbers, odd names) -- to a
real entry point: the rubric loader, .roadmap-ci.yml, evidence (the slow and the fast path must agree),
hidden labels and predictions, and the ci-report artifact reader. The only exceptions allowed out are
:class:`roadmap_ci.errors.RoadmapError` subclasses, and the CLI prints each as one line with its exit code.

Profiles: ``fast`` (the default, part of ``make test``) and ``long`` (``make fuzz``: 10,000 examples per
entry point, or ``ROADMAP_CI_FUZZ_EXAMPLES``). docs/reliability.md records the long runs.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import unicodedata
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testing.common import EXAMPLE_EVIDENCE, EXAMPLE_RUBRIC, FUZZ_LONG

from roadmap_ci.ci.artifact import extract_artifact, load_bundle
from roadmap_ci.cli import main
from roadmap_ci.collect.config import load_config
from roadmap_ci.errors import RoadmapError
from roadmap_ci.evidence import Evidence, dump_json, parse_evidence, parse_evidence_fast
from roadmap_ci.score import hidden
from roadmap_ci.score.load import load_rubric
from roadmap_ci.score.model import HiddenLabels
from roadmap_ci.score.scoring import score

EXAMPLES = int(os.environ.get("ROADMAP_CI_FUZZ_EXAMPLES") or (10_000 if FUZZ_LONG else 40))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not FUZZ_LONG, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.large_base_example])

# ---------------------------------------------------------------- strategies

HOSTILE_TEXT = st.sampled_from([
    "", " ", "\x00", "\x1b[2J", "[red]x[/]", ":a:", "\u202e", "\ud800", "\udfff", "a" * 300, "../x", "/etc/passwd",
    "C:\\x", "~", "*", "&a", "*a", "<<", "!!python/object", "é", "\U0001f600", "1e308", "-1e308", "nan", "inf",
    "NaN", "true", "no", "2026-13-45", "0x10", "=cmd", "\r\n", "\t",
])
TEXT = st.one_of(st.text(max_size=40), HOSTILE_TEXT)
NUMBERS = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([1e308, -1e308, 1.7976931348623157e308, 5e-324, 2**63, -(2**64), 10**400]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
TREES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def _deep(kind: str, depth: int) -> str:
    return ("[" * depth + "]" * depth) if kind == "list" else ('{"a":' * depth + "1" + "}" * depth)


def mutated(base: object, draw) -> object:  # type: ignore[no-untyped-def]
    """``base`` with a few values (anywhere in it) replaced, removed or added."""
    def walk(node: object) -> object:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                roll = draw(st.integers(0, 19))
                if roll == 0:
                    continue  # dropped
                out[k] = draw(TREES) if roll == 1 else walk(v)
            if draw(st.integers(0, 9)) == 0:
                out[draw(TEXT)] = draw(TREES)
            return out
        if isinstance(node, list):
            items = [walk(v) for v in node]
            if items and draw(st.integers(0, 9)) == 0:
                items[draw(st.integers(0, len(items) - 1))] = draw(TREES)
            return items
        return draw(TREES) if draw(st.integers(0, 14)) == 0 else node
    return walk(base)


EXAMPLE_DATA = json.loads(EXAMPLE_EVIDENCE.read_text())


@st.composite
def evidence_texts(draw) -> str:  # type: ignore[no-untyped-def]
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return draw(st.text(max_size=200))
    if choice == 1:  # deep nesting somewhere an object is allowed
        depth = draw(st.sampled_from([50, 199, 201, 1000, 10_000]))
        return ('{"schema_version": 1, "deliverable": "d", "data": [{"name": "s", "data_file": "f", "status": "ok", '
                '"expectations": [{"type": "t", "success": true, "kwargs": {"k": ' + _deep("list", depth) + "}}]}]}")
    if choice == 2:  # escapes: lone and paired surrogates, controls
        esc = draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u0000", "\\u001b[2J", "\\ud800\\u0041"]))
        return '{"schema_version": 1, "deliverable": "d' + esc + '", "learner": "' + esc + '"}'
    data = mutated(EXAMPLE_DATA, draw)
    try:
        return json.dumps(data, ensure_ascii=draw(st.booleans()))
    except (ValueError, TypeError):
        return json.dumps(EXAMPLE_DATA)


RUBRIC_DATA = {"version": "1", "deliverable": "d", "pass_mark": 5, "total": 10, "criteria": [
    {"id": "a", "title": "A", "points": 5, "rule": "threshold", "evidence": "metric:m.json:f1", "min": 0.1,
     "target": 0.9},
    {"id": "g", "points": 5, "rule": "all", "criteria": [
        {"id": "b", "rule": "pass", "evidence": "pipeline:ok"},
        {"id": "c", "rule": "exists", "evidence": ["file:README.md"]}]}],
    "hidden_labels": {"source": "labels.csv", "target_column": "y", "prediction_column": "p", "metrics": ["f1"]}}

YAML_TOKENS = st.sampled_from(["&a ", "*a", "&b [*a, *a, *a]", "<<: *a", "[", "]", "{", "}", ": ", "- ", "\n",
                               "  ", "'", '"', "!!binary x", "!!float", "? ", "|", ">", "#", "---", "...", "%YAML 1.1",
                               "x", "1", "2026-13-45", "\t", "\x00", "\ud7ff", "extends: ", "drop: ", "criteria: "])


@st.composite
def yaml_texts(draw, base: dict) -> str:  # type: ignore[no-untyped-def]
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return "".join(draw(st.lists(YAML_TOKENS, max_size=40)))
    if choice == 1:
        return draw(st.text(max_size=200))
    if choice == 2:  # an alias bomb or a deep document
        n = draw(st.integers(1, 12))
        lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, n)]
        deep = draw(st.sampled_from([0, 99, 101, 2000]))
        return "\n".join(lines) + (f"\nd: {'[' * deep}{']' * deep}" if deep else "") + "\n"
    data = mutated(base, draw)
    try:
        return yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False)
    except (yaml.YAMLError, ValueError, TypeError):
        return yaml.safe_dump(base)


def only_ours(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call ``fn``; a RoadmapError is a fine answer (returned), anything else fails the property."""
    try:
        return fn(*args, **kwargs)
    except RoadmapError as exc:
        assert str(exc).strip(), "an error with no message"
        return exc


# ---------------------------------------------------------------- rubric and .roadmap-ci.yml


@FUZZ
@given(text=yaml_texts(RUBRIC_DATA), extends=st.one_of(st.none(), TEXT, st.sampled_from(["base.yaml", "r.yaml"])))
def test_fuzz_rubric(text, extends):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "base.yaml").write_text(yaml.safe_dump(RUBRIC_DATA))
        if extends is not None and isinstance(extends, str):
            text = f"extends: {json.dumps(extends)}\n" + text
        p = d / "r.yaml"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        got = only_ours(load_rubric, p)
        if not isinstance(got, RoadmapError):  # a rubric that loads can score and explain
            score(Evidence(deliverable="d"), got)


CONFIG_DATA = {"deliverable": "d", "rubric": "r.yaml", "pipeline": {"timeout": 10}, "tests": {"paths": ["tests"]},
               "predictions": {"path": "out/p.csv", "id_column": "id"}, "files": ["README.md"]}


@FUZZ
@given(text=yaml_texts(CONFIG_DATA))
def test_fuzz_repo_config(text):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ".roadmap-ci.yml").write_text(text, encoding="utf-8", errors="surrogatepass")
        only_ours(load_config, Path(tmp))


# ---------------------------------------------------------------- evidence: one verdict, and it can be written


@FUZZ
@given(text=evidence_texts())
def test_fuzz_evidence_one_verdict(text):
    slow = only_ours(parse_evidence, text, "e.json")
    fast = only_ours(parse_evidence_fast, text, "e.json")
    assert type(slow) is type(fast), f"score and rescore disagree: {slow!r} vs {fast!r}"
    if isinstance(slow, RoadmapError):
        assert str(slow) == str(fast)
        return
    assert slow == fast
    from roadmap_ci.report import render

    card = score(slow, load_rubric(EXAMPLE_RUBRIC))
    dump_json(card).encode("utf-8")  # --json / --out can write it
    for fmt in ("md", "html", "junit", "json"):
        render(fmt, card, slow, now=datetime(2026, 1, 1, tzinfo=UTC)).encode("utf-8")


# ---------------------------------------------------------------- hidden labels and predictions

CELLS = st.one_of(st.sampled_from(["a", "b", "c", "0", "1", "0.5", "1e308", "-1e308", "1.7e308", "nan", "inf", "",
                                   " ", '"', "x,y", "\x00", "public", "private", "\ufeff"]), st.text(max_size=8))


@st.composite
def csv_bytes(draw, header: list[str]) -> bytes:  # type: ignore[no-untyped-def]
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=300))
    head = header if draw(st.integers(0, 4)) else draw(st.lists(CELLS, max_size=5))
    n = draw(st.integers(0, 12))
    rows = [draw(st.lists(CELLS, min_size=max(0, len(head) - (1 if draw(st.integers(0, 9)) == 0 else 0)),
                          max_size=len(head) + (1 if draw(st.integers(0, 9)) == 0 else 0)))
            for _ in range(n)]
    out = io.StringIO()
    import csv

    w = csv.writer(out, delimiter="," if draw(st.integers(0, 9)) else "\t")
    w.writerow(head)
    w.writerows(rows)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


SPECS = {
    "classification": HiddenLabels(source="l.csv", target_column="y", prediction_column="p", score_column="s",
                                   positive_label="1", metrics=["accuracy", "f1", "roc_auc", "pr_auc"]),
    "regression": HiddenLabels(source="l.csv", target_column="y", prediction_column="p", task="regression",
                               metrics=["mae", "rmse", "r2", "smape", "wape"]),
    "ranking": HiddenLabels(source="l.csv", target_column="y", prediction_column="p", score_column="s",
                            task="ranking", k=3, metrics=["ndcg_at_k", "map_at_k", "recall_at_k"]),
}
LABELS = {
    "classification": b"id,y,split\na,1,public\nb,0,public\nc,1,private\nd,0,private\n",
    "regression": b"id,y,split\na,1e308,public\nb,-1e308,public\nc,3,private\nd,0,private\n",
    "ranking": b"id,y,split\na,x,public\na,y,public\nb,x,private\n",
}


@FUZZ
@given(task=st.sampled_from(sorted(SPECS)), data=st.data())
def test_fuzz_predictions(task, data):
    preds = data.draw(csv_bytes(["id", "p", "s"]))
    with tempfile.TemporaryDirectory() as tmp:
        lab, pred = Path(tmp) / "l.csv", Path(tmp) / "p.csv"
        lab.write_bytes(LABELS[task])
        pred.write_bytes(preds)
        got = only_ours(hidden.score_predictions, SPECS[task], lab, pred)
        if isinstance(got, dict):
            assert all(isinstance(v, float) and v == v and abs(v) != float("inf") for v in got.values()), got


@FUZZ
@given(task=st.sampled_from(sorted(SPECS)), data=st.data())
def test_fuzz_labels(task, data):
    labels = data.draw(csv_bytes(["id", "y", "split"]))
    with tempfile.TemporaryDirectory() as tmp:
        lab, pred = Path(tmp) / "l.csv", Path(tmp) / "p.csv"
        lab.write_bytes(labels)
        pred.write_bytes(b"id,p,s\na,1,0.5\nb,0,0.2\nc,1,0.9\nd,0,0.1\n")
        got = only_ours(hidden.score_predictions, SPECS[task], lab, pred)
        if isinstance(got, dict):
            assert all(v == v and abs(v) != float("inf") for v in got.values()), got


ROSTER_HEADERS = [["identifier", "github_username", "github_id", "name"],
                  ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "GitHub"],
                  ["First name", "Last name", "ID number", "Email address", "Groups"],
                  ["OrgDefinedId", "Username", "Last Name", "First Name", "Email", "End-of-Line Indicator"],
                  ["Last Name", "First Name", "Username", "Student ID", "Availability", "GitHub"],
                  ["github", "name", "email", "lms_id", "section"]]


@FUZZ
@given(data=st.data())
def test_fuzz_roster_exports(data):
    """Any two exports: a roster that reads back clean, or one line per problem -- never another exception."""
    from roadmap_ci.cohort import roster_import
    from roadmap_ci.cohort.model import read_roster

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(2):
            f = Path(tmp) / f"e{i}.csv"
            f.write_bytes(data.draw(csv_bytes(data.draw(st.sampled_from(ROSTER_HEADERS)))))
            files.append(f)
        out = Path(tmp) / "roster.csv"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            code = only_ours(roster_import.command, files, out, False)
        if isinstance(code, int):
            assert code in (0, 1)
            assert all(line.strip() and "\x1b" not in line for line in err.getvalue().splitlines())
            if out.exists():
                learners, errors = read_roster(out)
                assert errors == [] and learners


# ---------------------------------------------------------------- the ci-report artifact

NAMES = st.one_of(st.sampled_from(["evidence.json", "bundle/predictions/p.csv", "a/", "a", "a/b", "../x", "/abs",
                                   "C:/x", "a\\b", "x" * 300, "é.json", "\x1b[2J", "dir/", "evidence.json/"]),
                  st.text(min_size=1, max_size=20))


@st.composite
def artifacts(draw) -> bytes:  # type: ignore[no-untyped-def]
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.binary(max_size=400))
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        if draw(st.booleans()):
            zf.writestr("evidence.json", draw(evidence_texts()).encode("utf-8", "surrogatepass"))
        for _ in range(draw(st.integers(0, 4))):
            name = draw(NAMES)
            info = zipfile.ZipInfo(name.encode("utf-8", "surrogatepass").decode("utf-8", "replace") or "x")
            info.external_attr = draw(st.sampled_from([0, 0o100644 << 16, 0o120777 << 16, 0o040755 << 16,
                                                        0o010644 << 16]))
            info.compress_type = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            with contextlib.suppress(ValueError):
                zf.writestr(info, draw(st.binary(max_size=64)))
    data = bytearray(buf.getvalue())
    if choice == 2 and data:  # flip bytes: corrupt headers, names (a UTF-8 flag on bytes that are not), streams
        for _ in range(draw(st.integers(1, 6))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if choice == 3:  # an entry name that is not UTF-8, flagged as UTF-8
        data = bytearray(bytes(data).replace(b"evidence.json", b"evidence\xff\xfejs"))
        data = bytearray(bytes(data).replace(b"\x14\x00\x00\x00", b"\x14\x00\x00\x08"))
    return bytes(data)


@FUZZ
@given(blob=artifacts())
def test_fuzz_artifact(blob):
    with tempfile.TemporaryDirectory() as tmp:
        z = Path(tmp) / "artifact.zip"
        z.write_bytes(blob)
        root = only_ours(extract_artifact, z, Path(tmp) / "bundle")
        if isinstance(root, Path):
            bundle = only_ours(load_bundle, root)
            if not isinstance(bundle, RoadmapError) and bundle.predictions is not None:
                only_ours(hidden.score_predictions, SPECS["classification"], _labels(tmp), bundle.predictions)
        shutil.rmtree(Path(tmp) / "bundle", ignore_errors=True)


def _labels(tmp: str) -> Path:
    p = Path(tmp) / "labels.csv"
    p.write_bytes(LABELS["classification"])
    return p


# ---------------------------------------------------------------- the CLI: one line and an exit code


UNSAFE = ("Cc", "Cf", "Cs", "Zl", "Zp")  # control, format (bidi, zero-width), surrogate, line separators


def _run(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, err.getvalue()


@settings(FUZZ, max_examples=max(10, EXAMPLES // 10))
@given(evidence=evidence_texts(), rubric=yaml_texts(RUBRIC_DATA))
def test_fuzz_cli_one_line_per_error(evidence, rubric):
    with tempfile.TemporaryDirectory() as tmp:
        e, r = Path(tmp) / "e.json", Path(tmp) / "r.yaml"
        e.write_text(evidence, encoding="utf-8", errors="surrogatepass")
        r.write_text(rubric, encoding="utf-8", errors="surrogatepass")
        for args in (["score", "--evidence", str(e), "--rubric", str(EXAMPLE_RUBRIC), "--json"],
                     ["rubric", "lint", str(r)],
                     ["rescore", str(e), "--rubric", str(EXAMPLE_RUBRIC)]):
            code, err = _run(args)
            assert code in (0, 1, 2), (args, code, err)
            assert "internal error" not in err and "Traceback" not in err, err
            assert not [ch for ch in err.replace("\n", "") if unicodedata.category(ch) in UNSAFE], err
            if args[0] == "score" and err:
                assert len(err.splitlines()) == 1, err


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_deep_json_is_one_line_at_its_place(kind):
    err = only_ours(parse_evidence, '{"schema_version": 1, "deliverable": "d", "tools": ' + _deep(kind, 10_000) + "}",
                    "e.json")
    assert isinstance(err, RoadmapError) and str(err).startswith("e.json:1:") and "nested deeper than" in str(err)
