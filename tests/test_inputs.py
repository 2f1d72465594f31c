"""Every input surface holds: each bad-input class of docs/reliability.md, as the user meets it.

Real files, the real CLI (in a subprocess where the exit code and the terminal matter), the real ci-report
step with the recording publisher of testing.ci_fixtures. The fuzz properties (test_fuzz.py) cover the same
entry points with generated input; these are the named cases, one per class.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from testing.ci_fixtures import GOOD_PREDS, LABELS, FakeAPI, bundle, event, evidence, make_zip, pull
from testing.ci_fixtures import setup as setup  # noqa: F401 (a fixture, used by name)
from testing.common import EXAMPLE_EVIDENCE, EXAMPLE_RUBRIC, ROOT, run_cli

from roadmap_ci.cohort import expand, rescore
from roadmap_ci.collect.config import load_config
from roadmap_ci.errors import CannotRun, HiddenError, InvalidInput, InvalidInputs
from roadmap_ci.evidence import load_evidence, parse_evidence
from roadmap_ci.safeio import markup, plain, write_atomic
from roadmap_ci.score import hidden
from roadmap_ci.score.load import lint_rubric, load_rubric
from roadmap_ci.score.model import HiddenLabels

LAUGHS = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
LAUGHS = 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS
RUBRIC_OK = ('version: "1"\npass_mark: 1\ncriteria:\n  - id: a\n    rule: pass\n    evidence: pipeline:ok\n'
             "    points: 1\n")


def one_error(path: Path) -> str:
    errs = lint_rubric(path)
    assert len(errs) == 1, errs
    line = str(errs[0])
    assert "\n" not in line and line.startswith(str(path))
    return line


# ---------------------------------------------------------------- YAML: aliases, depth, size


def test_billion_laughs_rubric_stops_while_parsing(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(LAUGHS + RUBRIC_OK)  # 400-odd bytes that expand to 9^9 strings
    assert one_error(p) == f"{p}:6:10: invalid YAML: more than 100,000 values once aliases are expanded"


def test_self_referencing_alias_in_repo_config(tmp_path):
    (tmp_path / ".roadmap-ci.yml").write_text("deliverable: d\nfiles: &a [*a]\n")
    with pytest.raises(InvalidInput) as info:
        load_config(tmp_path)
    assert str(info.value) == f"{tmp_path / '.roadmap-ci.yml'}:2:12: invalid YAML: alias *a is inside its own anchor " \
                              "(a cycle)"


def test_collect_refuses_a_learner_config_alias_bomb_in_one_line(cli, tmp_path):
    (tmp_path / ".roadmap-ci.yml").write_text("deliverable: d\n" + LAUGHS)
    res = cli("collect", str(tmp_path), "--quiet")
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "more than 100,000 values once aliases are expanded" in res.stderr


def test_deep_yaml_and_a_huge_rubric(tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text(RUBRIC_OK + "title: " + "[" * 150 + "]" * 150 + "\n")
    assert one_error(p) == f"{p}:8:107: invalid YAML: nested deeper than 100 levels"
    p.write_text(RUBRIC_OK + "title: " + "[" * 5000 + "]" * 5000 + "\n")  # libyaml's own limit comes first
    assert one_error(p) == f"{p}:8:1007: invalid YAML: exceeded maximum nesting depth"
    big = tmp_path / "big.yaml"
    big.write_text(RUBRIC_OK + "help_text: |\n" + ("  " + "x" * 99 + "\n") * 500_000)  # 50 MB
    assert one_error(big) == f"{big}: rubric is larger than the 1,048,576 bytes allowed"


# ---------------------------------------------------------------- rubric shapes


@pytest.mark.parametrize(("text", "expected"), [
    (RUBRIC_OK.replace("id: a", "id: [a, b]"), ":4:5: id: Input should be a valid string"),
    ("drop: 5\n" + RUBRIC_OK, ":1:7: drop must be a list of criterion ids"),
    ("drop: abc\n" + RUBRIC_OK, ":1:7: drop must be a list of criterion ids"),
    ('extends: "a\\0b"\n' + RUBRIC_OK, ":1:10: extends holds a NUL character"),
    ("extends: " + "x" * 300 + ".yaml\n" + RUBRIC_OK, ":1:10: extends names a file or directory longer than 255"),
    ("extends: /etc/base.yaml\n" + RUBRIC_OK, ":1:10: extends must be relative to this rubric, not absolute"),
    ("extends: [a]\n" + RUBRIC_OK, ":1:1: extends must be a file path relative to this rubric"),
    (RUBRIC_OK.replace("points: 1", "points: 1.0e+308") + "  - id: b\n    rule: pass\n    evidence: pipeline:ok\n"
     "    points: 1.7e+308\n", "criteria points add up to more than a number can hold"),
    (RUBRIC_OK.replace("points: 1", "points: 1.0e+16"), "criteria points add up to 1e+16, more than the 1e+15"),
    ("version: '1'\ndue: 2026-13-45\n" + RUBRIC_OK[13:],
     ":2:6: invalid date and time '2026-13-45': month must be in 1..12"),
    ("version: '1'\ndue: 2027-01-11T09:00:00+25:00\n" + RUBRIC_OK[13:],
     ":2:6: invalid date and time '2027-01-11T09:00:00+25:00': its UTC offset must be within ±24:00"),
])
def test_rubric_shapes_are_one_line_at_their_place(tmp_path, text, expected):
    p = tmp_path / "r.yaml"
    p.write_text(text)
    assert expected in one_error(p)


def test_a_1500_file_extends_chain(tmp_path):
    for i in range(1500):
        (tmp_path / f"r{i}.yaml").write_text(f"extends: r{i + 1}.yaml\n" + RUBRIC_OK)
    (tmp_path / "r1500.yaml").write_text(RUBRIC_OK)
    errs = lint_rubric(tmp_path / "r0.yaml")  # the file where the chain grew too long
    assert [str(e) for e in errs] == [f"{tmp_path / 'r31.yaml'}:1:10: the extends chain is longer than 32 files"]


def test_points_past_the_float_range_never_reach_score(cli, tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(RUBRIC_OK.replace("points: 1", "points: 1.7e+308") + "  - id: b\n    rule: pass\n"
                 "    evidence: pipeline:ok\n    points: 1.7e+308\n")
    res = cli("score", "--evidence", str(EXAMPLE_EVIDENCE), "--rubric", str(p), "--json")
    assert res.returncode == 1 and "internal error" not in res.stderr
    assert res.stderr.strip().endswith("criteria points add up to more than a number can hold (at most 1e+15)")


# ---------------------------------------------------------------- JSON evidence: depth, surrogates, one verdict


def evidence_file(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name / "evidence.json"
    p.parent.mkdir(parents=True)
    p.write_text(text)
    return p


DEEP = '{"schema_version": 1, "deliverable": "d", "tools": ' + "[" * 10_000 + "]" * 10_000 + "}"
SURROGATE = '{"schema_version": 1, "deliverable": "d", "learner": "x\\ud800"}'
NO_VERSION = '{"deliverable": "tabular-classification"}'


@pytest.mark.parametrize(("text", "message"), [
    (DEEP, "e.json:1:252: invalid JSON: nested deeper than 200 levels"),
    (SURROGATE, "e.json:1:62: invalid JSON: unexpected end of hex escape"),
    ('{"schema_version": 1, "deliverable": "d", "learner": "\\udc00"}', "lone leading surrogate in hex escape"),
    (NO_VERSION, "evidence schema_version None is not supported"),
])
def test_score_rescore_and_ci_report_refuse_alike(tmp_path, text, message):
    p = tmp_path / "e.json"
    p.write_text(text)
    with pytest.raises(InvalidInput) as slow:
        load_evidence(p, display="e.json")
    with pytest.raises(InvalidInput) as fast:
        load_evidence(p, display="e.json", fast=True)
    assert message in str(slow.value) and str(slow.value) == str(fast.value)


def test_rescore_scores_the_rest_of_the_cohort_and_lists_each_skipped_file(cli, tmp_path):
    good = json.loads(EXAMPLE_EVIDENCE.read_text())
    cohort = tmp_path / "cohort"
    evidence_file(cohort, "ada", json.dumps({**good, "learner": "ada"}))
    deep = evidence_file(cohort, "deep", DEEP)
    sur = evidence_file(cohort, "sur", SURROGATE)
    old = evidence_file(cohort, "old", NO_VERSION)
    grades = tmp_path / "grades.csv"
    res = cli("rescore", str(cohort), "--rubric", str(EXAMPLE_RUBRIC), "--csv", str(grades), "--all")
    assert res.returncode == 1 and "internal error" not in res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 3
    assert f"{deep}:1:252: invalid JSON: nested deeper than 200 levels" in lines
    assert any(line.startswith(f"{sur}:1:62:") for line in lines)
    assert f"{old}: evidence schema_version None is not supported" in " ".join(lines)
    assert "new rubric: n=1" in res.stdout and "3 skipped" in res.stdout
    rows = {r["learner"]: r for r in csv.DictReader(grades.open())}
    assert set(rows) == {"ada", "deep", "sur", "old"}
    assert rows["ada"]["problems"] == "" and rows["ada"]["total"]
    assert rows["deep"]["problems"] == "invalid JSON: nested deeper than 200 levels" and rows["deep"]["total"] == ""


def test_an_unreadable_sub_directory_is_a_problem_not_a_gap(tmp_path, monkeypatch, capsys):
    good = json.loads(EXAMPLE_EVIDENCE.read_text())
    cohort = tmp_path / "cohort"
    evidence_file(cohort, "ada", json.dumps({**good, "learner": "ada"}))
    evidence_file(cohort, "locked", json.dumps({**good, "learner": "bob"}))
    locked = cohort / "locked"
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root lists any directory: make listing this one fail the way permissions do
        real = os.scandir

        def scandir(path: object = "."):  # type: ignore[no-untyped-def]
            if Path(os.fsdecode(path)) == locked:
                raise PermissionError(13, "Permission denied", str(locked))
            return real(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        problems: list = []
        files = expand([cohort], problems)
        assert [str(e) for e in problems] == [f"{locked}: cannot list this directory (Permission denied): any "
                                              "evidence in it is not scored"]
        assert files == [cohort / "ada" / "evidence.json"]
        from roadmap_ci.cli import main

        grades = tmp_path / "g.csv"
        with pytest.raises(SystemExit) as exit_:
            main(["rescore", str(cohort), "--rubric", str(EXAMPLE_RUBRIC), "--csv", str(grades)])
        assert exit_.value.code == 1
        err = capsys.readouterr().err
        assert f"{locked}: cannot list this directory" in err
        rows = list(csv.DictReader(grades.open()))
        assert [(r["learner"], bool(r["problems"])) for r in rows] == [("ada", False), ("locked", True)]
    finally:
        locked.chmod(0o755)


def test_rescore_table_escapes_learner_text(cli, tmp_path):
    good = json.loads(EXAMPLE_EVIDENCE.read_text())
    cohort = tmp_path / "c"
    evidence_file(cohort, "a", json.dumps({**good, "learner": "\x1b[2J[red]m.json:a:[/]\u202e"}))
    res = cli("rescore", str(cohort), "--rubric", str(EXAMPLE_RUBRIC), "--all")
    assert res.returncode == 0, res.stderr
    assert "\x1b" not in res.stdout and "\u202e" not in res.stdout and "\U0001f170" not in res.stdout
    assert "\\x1b[2J[red]m.json:a:[/]\\u202e" in res.stdout


def test_terminal_helpers():
    assert plain("ok text") == "ok text"
    assert plain("a\x1b[2Jb\r\nc\u200b") == "a\\x1b[2Jb\\x0d\\x0ac\\u200b"
    assert markup("[bold]x[/] :smile:") == "\\[bold]x\\[/] :smile:"


# ---------------------------------------------------------------- outputs


@pytest.mark.parametrize("target", ["dir", "file-parent", "readonly"])
def test_unwritable_outputs_are_one_line_exit_2(cli, tmp_path, target):
    if target == "dir":
        out = tmp_path / "out"
        out.mkdir()
        why = "it is a directory"
    elif target == "file-parent":
        (tmp_path / "f").write_text("x")
        out = tmp_path / "f" / "out.json"
        why = f"{tmp_path / 'f'} is not a directory"
    else:
        if os.geteuid() == 0:
            pytest.skip("running as root, which may write into a read-only directory: no permission case to make")
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        out = ro / "out.json"
        why = "permission denied"
    commands = [
        ["score", "--evidence", str(EXAMPLE_EVIDENCE), "--rubric", str(EXAMPLE_RUBRIC), "--out", str(out)],
        ["rescore", str(EXAMPLE_EVIDENCE), "--rubric", str(EXAMPLE_RUBRIC), "--csv", str(out)],
        ["rubric", "schema", "--out", str(out)],
        ["schema", "evidence", "--out", str(out)],
    ]
    for args in commands:
        res = cli(*args)
        assert res.returncode == 2, (args, res.stderr)
        assert res.stderr == f"error: cannot write {out}: {why}\n", (args, res.stderr)
    assert not list(tmp_path.rglob(".*.tmp"))


def test_write_atomic_replaces_whole_files(tmp_path):
    p = tmp_path / "a" / "b.txt"
    write_atomic(p, "one")
    write_atomic(p, b"two")
    assert p.read_text() == "two" and [x.name for x in p.parent.iterdir()] == ["b.txt"]
    with pytest.raises(CannotRun, match="cannot write .*: the text holds characters UTF-8 cannot encode"):
        write_atomic(p, "\ud800")
    assert p.read_text() == "two"


# ---------------------------------------------------------------- predictions and labels: overflow, caps, memory

REG = HiddenLabels(source="l.csv", target_column="y", prediction_column="p", task="regression",
                   metrics=["mae", "rmse", "r2"], split_column=None)


def test_metrics_near_the_float_limit_score_zero_with_a_reason(tmp_path):
    lab, preds = tmp_path / "l.csv", tmp_path / "p.csv"
    lab.write_text("id,y\na,1e308\nb,-1e308\n")
    preds.write_text("id,p\na,-1.7e308\nb,1.7e308\n")
    with pytest.raises(HiddenError, match=r"private\.mae: the predictions or labels are too large to score"):
        hidden.score_predictions(REG, lab, preds)
    rubric = tmp_path / "r.yaml"
    rubric.write_text('version: "1"\npass_mark: 1\nhidden_labels:\n  source: l.csv\n  target_column: y\n'
                      "  prediction_column: p\n  task: regression\n  metrics: [rmse]\n  split_column: null\n"
                      "criteria:\n  - id: rmse\n    points: 5\n    rule: threshold\n    evidence: hidden:private.rmse\n"
                      "    better: lower\n    min: 10\n    target: 1\n")
    got = hidden.hidden_metrics(load_rubric(rubric), preds)
    assert got.metrics is None and "overflows the float range" in (got.error or "")


def test_a_bom_a_tsv_and_a_truncated_character(tmp_path):
    lab = tmp_path / "l.csv"
    lab.write_text("id,y\na,1\nb,2\n")
    spec = HiddenLabels(source="l.csv", target_column="y", prediction_column="p", task="regression",
                        metrics=["mae"], split_column=None)
    tsv = tmp_path / "p.tsv"
    tsv.write_bytes(b"\xef\xbb\xbfid\tp\na\t1\nb\t2\n")
    assert hidden.score_predictions(spec, lab, tsv) == {"private.mae": 0.0}
    cut = tmp_path / "p.csv"
    cut.write_bytes(b"id,p\na,1\nb,2\xc3")
    with pytest.raises(HiddenError, match="not UTF-8 text"):
        hidden.score_predictions(spec, lab, cut)


@pytest.mark.parametrize(("body", "message"), [
    (b"a,1\n" + b"\n" * 10 + b"b,1\n" * 10, "id 'b' is not in the hidden test set"),  # blank lines: no rows
    (b"a," * 3000 + b"a\n", r"row has 3,001 fields \(more than 1,000\)"),
    (b"a" * (2 << 20) + b"\n", "has a record longer than 1,048,576 bytes"),
])
def test_predictions_caps_apply_before_rows_are_kept(tmp_path, body, message):
    lab = tmp_path / "l.csv"
    lab.write_text("id,label\na,1\n")
    preds = tmp_path / "p.csv"
    preds.write_bytes(b"id,pred\n" + body)
    spec = HiddenLabels(source="l.csv", target_column="label", prediction_column="pred", metrics=["accuracy"])
    with pytest.raises(HiddenError, match=message):
        hidden.score_predictions(spec, lab, preds)


def test_the_row_cap_refuses_before_the_row_is_handed_on(tmp_path):
    from roadmap_ci.safeio import csv_rows

    p = tmp_path / "p.csv"
    p.write_bytes(b"id\n" + b"x\n" * 20)
    seen = []
    with pytest.raises(InvalidInput, match=r"p.csv:12: the file has more than 10 rows"):
        for line, _row in csv_rows(p, "p.csv", "the file", max_bytes=1000, max_rows=10):
            seen.append(line)
    assert seen == list(range(1, 12))  # the header and ten rows, nothing past the cap


PEAK_RSS = """
import sys
from pathlib import Path
from roadmap_ci.ci.artifact import ArtifactError, extract_artifact, load_bundle
from roadmap_ci.errors import HiddenError
from roadmap_ci.score import hidden
from roadmap_ci.score.model import HiddenLabels

zip_path, labels, task, work = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
try:
    b = load_bundle(extract_artifact(zip_path, work))
    spec = (HiddenLabels(source="l", target_column="item", prediction_column="item", score_column="score",
                         task="ranking", metrics=["ndcg_at_k"]) if task == "ranking" else
            HiddenLabels(source="l", target_column="label", prediction_column="pred", metrics=["accuracy"]))
    try:
        hidden.score_predictions(spec, labels, b.predictions)
        print("scored")
    except HiddenError as exc:
        print("refused:", exc)
except ArtifactError as exc:
    print("refused:", exc)
# VmHWM: this process image's peak (ru_maxrss would also count the parent's memory at fork time)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("peak_mb", int(hwm.split()[1]) / 1024)
"""


def _bomb(rows: bytes) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("evidence.json", json.dumps(evidence()))
        zf.writestr("predictions/predictions.csv", rows)
    return buf.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["one-char-rows", "one-long-line", "one-long-field", "ranking-rows"])
def test_peak_memory_of_any_artifact_stays_under_300_mb(tmp_path, shape):
    size = 32 * 1024 * 1024 - 64  # the largest predictions file an artifact may hold
    head = b"id,pred\n"
    task = "classification"
    labels = tmp_path / "labels.csv"
    labels.write_text(LABELS)
    if shape == "one-char-rows":
        rows = head + b"a\n" * ((size - len(head)) // 2)
    elif shape == "one-long-line":
        rows = head + b"," * (size - len(head))
    elif shape == "one-long-field":
        rows = head + b'"' + b"x" * (size - len(head) - 2) + b'"'
    else:  # as many valid rows as the row cap allows, each kept: the reader's worst case
        task = "ranking"
        labels.write_text("id,item,split\nu1,i1,public\nu2,i2,private\n")
        line = b"u1,item%07d,0.5\n"
        rows = b"id,item,score\n" + b"".join(line % i for i in range(499_999)) + b"u2,i2,0.9\n"
    z = tmp_path / "a.zip"
    z.write_bytes(_bomb(rows))
    if shape == "one-char-rows":
        assert z.stat().st_size < 64 * 1024  # ~33 KB that inflates to 32 MiB
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS, str(z), str(labels), task, str(tmp_path / "w")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    peak = float(proc.stdout.split("peak_mb")[1])
    print(f"{shape}: peak RSS {peak:.0f} MB, {proc.stdout.splitlines()[0][:100]}")  # docs/reliability.md
    assert peak <= 300, proc.stdout
    assert ("scored" in proc.stdout) == (shape == "ranking-rows"), proc.stdout


# ---------------------------------------------------------------- ci-report: the artifact


def test_missing_artifact_is_one_line(tmp_path):
    (tmp_path / "event.json").write_text(json.dumps(event("push", repo="learner/course")))
    (tmp_path / "rubric.yaml").write_text(RUBRIC_OK.replace('version: "1"', 'version: "t1"'))
    env = {**os.environ, "GITHUB_EVENT_PATH": str(tmp_path / "event.json"), "GITHUB_API_URL": "https://x.test"}
    proc = subprocess.run([sys.executable, "-m", "roadmap_ci", "ci-report", "--rubric", str(tmp_path / "rubric.yaml"),
                           "--rubric-version", "t1", "--artifact", str(tmp_path / "missing.zip"), "--dry-run"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"{tmp_path / 'missing.zip'}: the artifact zip: not found\n"


def _zip_with_raw_name(name: bytes) -> bytes:
    data = make_zip({"evidence.json": json.dumps(evidence()), "predictions/predictions.csv": GOOD_PREDS,
                     "PLACEHOLDER.txt": "x"})
    data = data.replace(b"PLACEHOLDER.txt", name.ljust(15, b"_")[:15])
    # set the UTF-8 flag (bit 11) on that entry, in its local and its central header
    out = bytearray(data)
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = 0
        while (i := out.find(sig, i)) >= 0:
            flag_at = i + (6 if sig == b"PK\x03\x04" else 8)
            name_at = i + (30 if sig == b"PK\x03\x04" else 46)
            if out[name_at:name_at + 15] == name.ljust(15, b"_")[:15]:
                out[flag_at + 1] |= 0x08
            i += 4
    return bytes(out)


@pytest.mark.parametrize(("artifact", "message"), [
    (_zip_with_raw_name(b"bad\xff\xfename"), "an entry name is marked UTF-8 but is not"),
    (make_zip({"evidence.json": json.dumps(evidence()), "a\x1b[2J.txt": "x"}), "has a control character"),
    (make_zip({"evidence.json": DEEP}), "evidence.json:1:252: invalid JSON: nested deeper than 200 levels"),
    (make_zip({"evidence.json": SURROGATE.replace('"d"', '"tabular-classification"')}), "unexpected end of hex"),
    (make_zip({"evidence.json": json.dumps(evidence(schema_version=None))}), "schema_version None is not supported"),
    (make_zip({"evidence.json": json.dumps(evidence()), "x" * 300: "x"}), "longer than a file system allows"),
    (b"PK\x03\x04" + b"\x00" * 200, "not a readable zip"),
])
def test_a_refused_artifact_is_one_plain_line_in_an_error_status(setup, artifact, message):
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=artifact))
    assert out.posted == "error" and message in out.reason, out.reason
    (_, line), = rec.errors
    assert "\n" not in line and "\x1b" not in line and not rec.published


def test_an_entry_with_an_empty_name_is_refused(setup):
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # found by test_fuzz_artifact: zipfile's is_dir() raised IndexError
        zf.writestr("evidence.json", json.dumps(evidence()))
        zf.writestr(zipfile.ZipInfo(""), "x")
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=buf.getvalue()))
    assert out.posted == "error" and out.reason == "artifact rejected: an entry has an empty name"


def test_a_corrupt_stream_is_refused(setup):
    data = bytearray(bundle())
    i = data.find(b"predictions/predictions.csv") + len(b"predictions/predictions.csv")
    data[i:i + 8] = b"\xff" * 8  # the deflate stream of the first file after the name
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=bytes(data)))
    assert out.posted == "error" and "artifact rejected" in out.reason


def test_predictions_near_1e308_in_an_artifact_score_zero_with_a_reason(setup, tmp_path):
    rubric = tmp_path / "mentor" / "rubric.yaml"
    rubric.write_text('version: "t1"\ndeliverable: tabular-classification\npass_mark: 1\nhidden_labels:\n'
                      "  source: labels.csv\n  target_column: label\n  prediction_column: pred\n  task: regression\n"
                      "  metrics: [rmse]\ncriteria:\n  - id: rmse\n    points: 5\n    rule: threshold\n"
                      "    evidence: hidden:public.rmse\n    better: lower\n    min: 10\n    target: 1\n")
    (tmp_path / "mentor" / "labels.csv").write_text("id,label,split\nr1,1e308,public\nr2,-1e308,public\n")
    preds = "id,pred\nr1,-1.7e308\nr2,1.7e308\n"
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=bundle(preds)))
    assert out.posted == "comment"
    (_, card, ev), = rec.published
    assert card.total == 0 and "overflows the float range" in card.criteria[0].reason


def test_invalid_inputs_pickle_whole_for_rescore_workers():
    import pickle

    errs = InvalidInputs([InvalidInput("x", None), InvalidInput("y", None)])
    again = pickle.loads(pickle.dumps(errs))
    assert [e.message for e in again.errors] == ["x", "y"]
    e = pickle.loads(pickle.dumps(parse_error()))
    assert str(e).startswith("p.json:1:")


def parse_error() -> InvalidInput:
    try:
        parse_evidence("{", "p.json")
    except InvalidInput as exc:
        return exc
    raise AssertionError("no error")


def test_rescore_in_parallel_keeps_every_problem_and_its_place(tmp_path):
    good = json.loads(EXAMPLE_EVIDENCE.read_text())
    cohort = tmp_path / "c"
    for i in range(420):
        evidence_file(cohort, f"l{i:03d}", json.dumps({**good, "learner": f"l{i:03d}"}) if i % 100 else DEEP)
    result = rescore(load_rubric(EXAMPLE_RUBRIC), expand([cohort]), workers=2)
    assert len(result.rows) == 415 and len(result.errors) == 5
    assert all(str(e).startswith(str(cohort)) and "nested deeper" in str(e) for e in result.errors)


def test_cli_keeps_shipped_rubrics_clean():
    res = run_cli("rubric", "lint", *map(str, sorted((ROOT / "rubrics").glob("*.yaml"))))
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize(("method", "flags", "said"), [
    (99, 0, "uses compression method 99"),  # AES (WinZip), which zipfile cannot read
    (zipfile.ZIP_DEFLATED, 0x40, "strongly encrypted"),
])
def test_a_zip_entry_zipfile_cannot_read_is_refused_by_name(tmp_path, method, flags, said):
    from roadmap_ci.ci.artifact import ArtifactError, extract_artifact

    zpath = tmp_path / "a.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("evidence.json", "{}")
    data = bytearray(zpath.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the entry's central-directory record: flags at +8, method at +10
    data[central + 8:central + 10] = flags.to_bytes(2, "little")
    data[central + 10:central + 12] = method.to_bytes(2, "little")
    zpath.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=said) as err:
        extract_artifact(zpath, tmp_path / "out")
    assert "\n" not in str(err.value) and "evidence.json" in str(err.value)
