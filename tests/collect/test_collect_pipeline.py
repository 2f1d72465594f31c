"""pipeline collector: real `dvc repro` on tiny projects whose stages are sys.executable scripts."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from testing.collect_util import PY, ctx, make_repo, write

from roadmap_ci.collect import metrics, pipeline, predictions, structure


def _dvc_yaml(stages: dict[str, dict]) -> str:
    lines = ["stages:"]
    for name, spec in stages.items():
        lines.append(f"  {name}:")
        lines.append(f"    cmd: {PY} {spec['script']}")
        for key in ("deps", "outs"):
            if spec.get(key):
                lines.append(f"    {key}: [{', '.join(spec[key])}]")
        if spec.get("metrics"):
            lines.append("    metrics:")
            lines += [f"      - {m}:\n          cache: false" for m in spec["metrics"]]
    return "\n".join(lines) + "\n"


THREE = {
    "prepare": {"script": "prepare.py", "deps": ["prepare.py", "raw.txt"], "outs": ["clean.txt"]},
    "train": {"script": "train.py", "deps": ["train.py", "clean.txt"], "metrics": ["metrics.json"]},
    "report": {"script": "report.py", "deps": ["report.py", "metrics.json"], "outs": ["report.txt"]},
}
SCRIPTS = {
    "raw.txt": "3\n",
    "prepare.py": ("import sys\nprint('preparing')\nn = int(open('raw.txt').read())\n"
                   "if n < 0: print('negative!', file=sys.stderr); sys.exit(1)\n"
                   "open('clean.txt', 'w').write(str(n))\n"),
    "train.py": ("import json\nn = int(open('clean.txt').read())\nprint('training on', n)\n"
                 "json.dump({'acc': n / 4, 'loss': {'last': 0.5}}, open('metrics.json', 'w'))\n"),
    "report.py": "open('report.txt', 'w').write('ok')\n",
}


@pytest.mark.slow
def test_runs_then_skips_unchanged_then_fails_with_stale_metrics(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": _dvc_yaml(THREE), **SCRIPTS}, dvc=True)
    c = ctx(repo, {"pipeline": {"timeout": 120}})

    first = pipeline.collect(c)["pipeline"]
    assert first.status == "ok", first.message
    assert [(s.name, s.status) for s in first.stages] == [("prepare", "ran"), ("train", "ran"), ("report", "ran")]
    train = first.stages[1]
    assert "training on 3" in train.log_tail and "preparing" not in train.log_tail
    assert train.duration_s is not None and train.duration_s > 0

    again = pipeline.collect(c)["pipeline"]  # DVC's cache: nothing re-runs
    assert again.status == "ok"
    assert {s.status for s in again.stages} == {"cached"}

    write(repo, {"raw.txt": "-1\n"})  # now prepare fails; metrics.json from the first run stays on disk
    failed = pipeline.collect(c)["pipeline"]
    assert failed.status == "failed" and failed.failed_stage == "prepare"
    assert [(s.name, s.status) for s in failed.stages] == [("prepare", "failed"), ("train", "not_run"),
                                                           ("report", "not_run")]
    assert "negative!" in failed.stages[0].log_tail
    assert "failed to reproduce 'prepare'" in failed.message
    assert pipeline.summary({"pipeline": failed}).startswith(  # the stage that ran and failed counts
        "failed (0 ran, 0 cached, 1 failed, 2 not run): ERROR: failed to reproduce 'prepare'")

    assert json.loads((repo / "metrics.json").read_text())["acc"] == 0.75  # the stale file DVC left
    c.put("pipeline", {"pipeline": failed})
    got = metrics.collect(c)
    assert got["metrics"] == {}
    assert got["metric_problems"]["metrics.json:acc"].startswith("stale: written by stage 'train', which did not run")
    # report.txt (an out of the stage that did not run) is still on disk: it earns nothing and is not bundled
    assert (repo / "report.txt").is_file()
    c2 = ctx(repo, {"pipeline": {"timeout": 120}, "files": ["report.txt", "raw.txt"],
                    "predictions": {"path": "report.txt"}}, out=tmp_path / "bundle2")
    c2.put("pipeline", {"pipeline": failed})
    facts = {f.path: f for f in structure.collect(c2)["structure"].files}
    assert facts["report.txt"].kind == "stale"
    assert facts["report.txt"].message == "stale: written by stage 'report', which did not run in this run"
    assert facts["raw.txt"].kind == "file"  # no stage writes it
    preds = predictions.collect(c2)["predictions"]
    assert preds.status == "stale" and preds.bundled_as is None and not (tmp_path / "bundle2" / "bundle").exists()


def test_no_dvc_yaml(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "# hi\n"})
    got = pipeline.collect(ctx(repo, {"pipeline": {}}))["pipeline"]
    assert got.status == "missing" and "no dvc.yaml" in got.message


def test_not_a_dvc_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": _dvc_yaml(THREE), **SCRIPTS})
    got = pipeline.collect(ctx(repo, {"pipeline": {}}))["pipeline"]
    assert got.status == "error" and "dvc init" in got.message


@pytest.mark.slow
def test_invalid_dvc_yaml_is_an_error_with_dvcs_reason(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages:\n  a:\n    cmd: [unclosed\n"}, dvc=True)
    got = pipeline.collect(ctx(repo, {"pipeline": {"timeout": 60}}))["pipeline"]
    assert got.status == "error"
    assert "dvc.yaml" in got.message


@pytest.mark.slow
def test_a_yaml_error_keeps_its_file_line_and_column_and_drops_dvcs_code_excerpt(tmp_path: Path) -> None:
    """DVC prints a YAML error in params.yaml as ruamel's marks and a bad key in dvc.yaml as a paragraph per
    error with a numbered excerpt: both are one line, file:line:column first."""
    stage = "stages:\n  prep:\n    cmd: echo ${train.seed}\n"
    repo = make_repo(tmp_path / "r", {"dvc.yaml": stage, "params.yaml": "train:\n  seed: 1\n  cols: [a, b\n  c: 3\n"},
                     dvc=True)
    c = ctx(repo, {"pipeline": {"timeout": 60}})
    got = pipeline.collect(c)["pipeline"]
    assert got.status == "error"
    assert got.message == ("params.yaml:4:4: YAML file structure is corrupted: expected ',' or ']', but got ':' "
                           "(while parsing a flow sequence at line 3, column 9)")
    write(repo, {"params.yaml": "train:\n  seed: 1\n", "dvc.yaml": stage + "  train:\n    cmdd: python train.py\n"})
    got = pipeline.collect(c)["pipeline"]
    assert got.status == "error"
    assert got.message == ("dvc.yaml:5:5: extra keys not allowed, in stages -> train -> cmdd (and 1 more: "
                           "required key not provided, in stages -> train -> cmd)")
    write(repo, {"dvc.yaml": stage + "  train:\n    cmd: [python, train.py\n    deps: [train.py]\n"})
    got = pipeline.collect(c)["pipeline"]
    assert got.message == ("dvc.yaml:6:9: invalid YAML: Expected ',' or ']', but got ':' (while parsing a flow "
                           "sequence at line 5, column 10)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


@pytest.mark.slow
def test_a_stage_that_never_ends_is_killed_with_its_group(tmp_path: Path) -> None:
    hang = ("import subprocess, sys, time\n"
            "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
            "open('child.pid', 'w').write(str(c.pid))\nprint('looping forever', flush=True)\ntime.sleep(600)\n")
    stages = {"ok": {"script": "ok.py", "outs": ["ok.txt"]},
              "hang": {"script": "hang.py", "deps": ["ok.txt"], "outs": ["never.txt"]},
              "after": {"script": "ok.py", "deps": ["never.txt"]}}
    repo = make_repo(tmp_path / "r", {"dvc.yaml": _dvc_yaml(stages), "hang.py": hang,
                                      "ok.py": "open('ok.txt', 'w').write('1')\n"}, dvc=True)
    t0 = time.monotonic()
    got = pipeline.collect(ctx(repo, {"pipeline": {"timeout": 8}}))["pipeline"]
    assert time.monotonic() - t0 < 60  # generous sanity bound; the stage sleeps 600 s
    assert got.status == "timeout" and got.failed_stage == "hang"
    assert {s.name: s.status for s in got.stages} == {"ok": "ran", "hang": "timeout", "after": "not_run"}
    assert "looping forever" in got.stages[1].log_tail
    assert "within 8 s" in got.message
    pid = int((repo / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the stage's child survived the timeout"


@pytest.mark.slow
def test_100_mb_and_non_utf8_output_is_bounded_and_readable(tmp_path: Path) -> None:
    loud = ("import sys\nblock = (b'y' * 1023 + b'\\n') * 1024\n"
            "for _ in range(100): sys.stdout.buffer.write(block)\nprint('loud done')\n"
            "open('loud.txt', 'w').write('1')\n")
    latin = "import sys\nsys.stdout.buffer.write(b'r\\xe9sultat \\xff\\n')\nopen('latin.txt', 'w').write('1')\n"
    stages = {"loud": {"script": "loud.py", "outs": ["loud.txt"]},
              "latin": {"script": "latin.py", "deps": ["loud.txt"], "outs": ["latin.txt"]}}
    repo = make_repo(tmp_path / "r", {"dvc.yaml": _dvc_yaml(stages), "loud.py": loud, "latin.py": latin},
                     dvc=True)
    got = pipeline.collect(ctx(repo, {"pipeline": {"timeout": 300, "tail_lines": 10}}))["pipeline"]
    assert got.status == "ok", got.message
    by = {s.name: s for s in got.stages}
    assert by["loud"].status == "ran" and "loud done" in by["loud"].log_tail
    assert len(by["loud"].log_tail.splitlines()) <= 10 and len(by["loud"].log_tail) < 20_000
    assert "r\ufffdsultat \ufffd" in by["latin"].log_tail


def test_splitter_finds_markers_split_across_chunks() -> None:
    out = (b"Running stage 'a':\n> python a.py\nhello a\nUpdating lock file 'dvc.lock'\n\n"
           b"Stage 'b' didn't change, skipping\n"
           b"Running stage 'c@1':\n> python c.py\nboom\nERROR: failed to reproduce 'c@1': failed to run: x\n")
    s = pipeline.StageSplitter(tail_lines=20)
    for i in range(len(out)):  # worst case: one byte at a time
        s.feed(out[i:i + 1], float(i))
    s.finish(float(len(out)))
    assert s.order == ["a", "b", "c@1"]
    assert [s.stages[n].status for n in s.order] == ["ran", "cached", "failed"]
    assert "hello a" in s.stages["a"].tail.text() and "boom" not in s.stages["a"].tail.text()
    assert "boom" in s.stages["c@1"].tail.text()
    assert s.errors == ["ERROR: failed to reproduce 'c@1': failed to run: x"]
