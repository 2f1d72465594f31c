"""Rubric loading, extends/overrides and lint errors with file:line:column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roadmap_ci.errors import CannotRun, InvalidInputs
from roadmap_ci.score.load import lint_rubric, load_rubric

BASE = """\
version: "1"
pass_mark: 10
criteria:
  - id: pipeline
    title: Pipeline runs
    points: 10
    rule: pass
    evidence: pipeline
  - id: tests
    points: 10
    rule: fraction
    evidence: tests
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def errors(path: Path) -> list[str]:
    return [str(e) for e in lint_rubric(path)]


def test_valid_rubric_loads_with_hash(tmp_path):
    loaded = load_rubric(write(tmp_path, "r.yaml", BASE))
    assert loaded.rubric.max_points == 20
    assert loaded.hash.startswith("sha256:") and len(loaded.hash) == 71
    # the hash is of the content, not of formatting or comments
    again = load_rubric(write(tmp_path, "r2.yaml", "# a comment\n" + BASE.replace('"1"', "'1'")))
    assert again.hash == loaded.hash
    changed = load_rubric(write(tmp_path, "r3.yaml", BASE.replace("pass_mark: 10", "pass_mark: 11")))
    assert changed.hash != loaded.hash


def test_unknown_key_names_line_column_and_allowed_keys(tmp_path):
    p = write(tmp_path, "r.yaml", BASE.replace("    title: Pipeline runs\n", "    titel: Pipeline runs\n"))
    (err,) = errors(p)
    assert err.startswith(f"{p}:5:5: unknown key 'titel' (allowed: id, title, points")


def test_hidden_label_metrics_must_exist_and_suit_the_task(tmp_path):
    hidden = ("hidden_labels:\n  source: labels.csv\n  target_column: item\n  prediction_column: item\n"
              "  metrics: [accuracy, ndcg_at_k]\ncriteria:\n")
    p = write(tmp_path, "r.yaml", BASE.replace("criteria:\n", hidden, 1))
    (err,) = errors(p)
    assert err.startswith(f"{p}:7:3: ndcg_at_k does not apply to task 'classification' (allowed: accuracy")
    p = write(tmp_path, "r.yaml", BASE.replace("criteria:\n", hidden.replace("ndcg_at_k", "ndgc"), 1))
    (err,) = errors(p)
    assert err.startswith(f"{p}:7:3: unknown metric(s) ndgc (allowed: accuracy")
    ok = hidden.replace("  target_column", "  task: ranking\n  k: 5\n  target_column")
    assert errors(write(tmp_path, "r.yaml", BASE.replace("criteria:\n", ok.replace("accuracy, ", ""), 1))) == []


def test_unknown_rule_lists_the_rules(tmp_path):
    p = write(tmp_path, "r.yaml", BASE.replace("rule: fraction", "rule: percentage"))
    (err,) = errors(p)
    assert f"{p}:11:11:" in err
    assert "unknown rule 'percentage' (allowed: pass, threshold, fraction, exists, all, any)" in err


def test_wrong_type_points_at_the_value(tmp_path):
    p = write(tmp_path, "r.yaml", BASE.replace("points: 10\n    rule: pass", "points: ten\n    rule: pass"))
    (err,) = errors(p)
    assert err.startswith(f"{p}:6:13: points:")


def test_unknown_evidence_namespace(tmp_path):
    p = write(tmp_path, "r.yaml", BASE.replace("evidence: tests", "evidence: coverage"))
    (err,) = errors(p)
    assert "unknown evidence 'coverage' (allowed:" in err and f"{p}:12:15" in err


def test_rule_that_cannot_read_the_evidence(tmp_path):
    p = write(tmp_path, "r.yaml", BASE.replace("evidence: tests", "evidence: file:README.md"))
    (err,) = errors(p)
    assert "rule 'fraction' cannot read 'file'" in err


def test_metric_reference_must_name_file_and_key(tmp_path):
    text = BASE + ("  - id: f1\n    points: 5\n    rule: threshold\n    evidence: metric:f1\n"
                   "    min: 0.5\n    target: 0.9\n")
    (err,) = errors(write(tmp_path, "r.yaml", text))
    assert "must name the metrics file and the key" in err


def test_points_must_add_up_to_total(tmp_path):
    p = write(tmp_path, "r.yaml", "total: 100\n" + BASE)
    (err,) = errors(p)
    assert "criteria points add up to 20, but total is 100" in err


def test_pass_mark_above_available_points(tmp_path):
    (err,) = errors(write(tmp_path, "r.yaml", BASE.replace("pass_mark: 10", "pass_mark: 30")))
    assert "pass_mark 30 is more than the 20 points available" in err


def test_threshold_direction_is_checked(tmp_path):
    text = BASE + ("  - id: rmse\n    points: 5\n    rule: threshold\n    evidence: metric:metrics.json:rmse\n"
                   "    better: lower\n    min: 1.0\n    target: 2.0\n")
    (err,) = errors(write(tmp_path, "r.yaml", text))
    assert "with better: lower, target (2) must be below min (1)" in err


def test_duplicate_ids_and_group_children_with_points(tmp_path):
    text = BASE + "  - id: tests\n    points: 1\n    rule: pass\n    evidence: tests\n"
    assert any("used twice" in e for e in errors(write(tmp_path, "a.yaml", text)))
    group = BASE + ("  - id: g\n    points: 5\n    rule: all\n    criteria:\n      - id: c1\n        points: 2\n"
                    "        rule: pass\n        evidence: lint\n")
    assert any("inside an all group only the group carries points" in e for e in errors(write(tmp_path, "b.yaml",
                                                                                             group)))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("version: '1'\ncriteria: [\n", "invalid YAML"),
        ("", "empty rubric"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary data, expected a text rubric"),
        (b"version: '1'\n\xff\xfe\n", "not UTF-8 text"),
        ("- just\n- a list\n", "a rubric must be a mapping"),
        ("version: '1'\npass_mark: 1\n", "missing required key 'criteria'"),
    ],
)
def test_bad_files_give_one_line(tmp_path, content, expected):
    p = write(tmp_path, "r.yaml", content)
    errs = errors(p)
    assert len(errs) == 1
    assert str(p) in errs[0] and expected in errs[0]
    assert "\n" not in errs[0]


def test_missing_rubric_is_cannot_run(tmp_path):
    with pytest.raises(CannotRun, match="rubric not found"):
        load_rubric(tmp_path / "nope.yaml")


def test_extends_overrides_by_id_and_drops(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", (
        "version: '2'\nextends: base.yaml\ndrop: [tests]\npass_mark: 12\ncriteria:\n"
        "  - id: pipeline\n    points: 15\n"
        "  - id: f1\n    points: 5\n    rule: threshold\n    evidence: metric:metrics.json:f1\n"
        "    min: 0.5\n    target: 0.8\n"))
    r = load_rubric(child).rubric
    assert [c.id for c in r.criteria] == ["pipeline", "f1"]
    assert r.criteria[0].points == 15 and r.criteria[0].title == "Pipeline runs"  # title inherited
    assert r.version == "2" and r.pass_mark == 12


def test_error_in_an_inherited_field_points_at_the_file_that_set_it(tmp_path):
    write(tmp_path, "base.yaml", BASE.replace("evidence: tests", "evidence: test"))
    child = write(tmp_path, "child.yaml", "version: '2'\nextends: base.yaml\ncriteria:\n  - id: tests\n    points: 5\n")
    (err,) = errors(child)
    assert err.startswith(f"{tmp_path / 'base.yaml'}:") and "unknown evidence 'test'" in err


def test_extends_missing_file_and_cycles(tmp_path):
    p = write(tmp_path, "a.yaml", "version: '1'\nextends: missing.yaml\npass_mark: 1\ncriteria: []\n")
    (err,) = errors(p)
    assert err == f"{p}:2:10: extends a missing file: missing.yaml"
    write(tmp_path, "x.yaml", "version: '1'\nextends: y.yaml\npass_mark: 1\ncriteria: []\n")
    y = write(tmp_path, "y.yaml", "version: '1'\nextends: x.yaml\npass_mark: 1\ncriteria: []\n")
    (err,) = errors(y)
    assert "extends makes a cycle: y.yaml -> x.yaml -> y.yaml" in err


def test_every_problem_is_reported(tmp_path):
    text = BASE.replace("titel", "x").replace("rule: pass", "rule: nope").replace("evidence: tests", "evidence: zz")
    with pytest.raises(InvalidInputs) as info:
        load_rubric(write(tmp_path, "r.yaml", text))
    assert len(info.value.errors) == 2


def test_bundled_rubrics_lint_clean():
    root = Path(__file__).resolve().parents[2]
    files = sorted((root / "rubrics").glob("*.yaml")) + [root / "examples" / "demo-learner" / "rubric.yaml"]
    assert files
    for f in files:
        assert lint_rubric(f) == [], f


def test_cli_lint_exit_codes_and_schema(cli, tmp_path):
    good = write(tmp_path, "good.yaml", BASE)
    bad = write(tmp_path, "bad.yaml", BASE.replace("rule: pass", "rule: nope"))
    res = cli("rubric", "lint", str(good), str(bad))
    assert res.returncode == 1
    assert f"{good}: ok" in res.stdout
    assert f"{bad}:7:11: unknown rule 'nope'" in res.stderr
    assert "Traceback" not in res.stderr
    res = cli("rubric", "schema")
    schema = json.loads(res.stdout)
    assert schema["title"] == "roadmap-ci rubric" and "criteria" in schema["properties"]


def test_cli_lint_of_a_missing_file_could_not_run_and_the_rest_is_still_checked(cli, tmp_path):
    good = write(tmp_path, "good.yaml", BASE)
    bad = write(tmp_path, "bad.yaml", BASE.replace("rule: pass", "rule: nope"))
    missing = tmp_path / "missing.yaml"
    res = cli("rubric", "lint", str(missing), str(good), str(bad))
    assert res.returncode == 2, res.stderr  # as `score -r missing.yaml`: could not run, the worse of 1 and 2
    assert f"{good}: ok" in res.stdout and "unknown rule 'nope'" in res.stderr
    assert str(missing) in res.stderr and len(res.stderr.strip().splitlines()) == 2
    assert "Traceback" not in res.stderr
    res = cli("rubric", "lint", str(missing))
    assert res.returncode == 2 and res.stdout == ""


def test_cli_explain_shows_what_a_learner_reads(cli, tmp_path):
    text = BASE + ("  - id: secret\n    title: Hidden F1\n    points: 5\n    rule: threshold\n"
                   "    evidence: hidden:private.f1\n    min: 0.5\n    target: 0.9\n    visibility: hidden\n")
    res = cli("rubric", "explain", "--format", "md", str(write(tmp_path, "r.yaml", text)))
    assert res.returncode == 0, res.stderr
    assert "| Pipeline runs | pipeline passes (all or nothing) | 10 | always |" in res.stdout
    assert "| Hidden F1 | details hidden from learners | 5 | never |" in res.stdout
    assert "0.9" not in res.stdout  # the hidden criterion's thresholds are not revealed


def test_a_key_written_twice_is_an_error_at_the_second(tmp_path):
    p = write(tmp_path, "r.yaml", BASE.replace("    points: 10\n    rule: pass\n",
                                               "    points: 10\n    rule: pass\n    points: 5\n"))
    (err,) = errors(p)
    assert err == f"{p}:8:5: duplicate key 'points' (it was already set above)"


def test_yaml_1_1_words_are_text_not_booleans(tmp_path):
    # `title: no` is the text "no" (YAML 1.2), not False — the "Norway problem" of YAML 1.1 loaders
    p = write(tmp_path, "r.yaml", BASE.replace("title: Pipeline runs", "title: no"))
    loaded = load_rubric(p)
    assert loaded.rubric.criteria[0].title == "no"
    # real booleans still are
    bad = write(tmp_path, "b.yaml", BASE.replace("title: Pipeline runs", "title: true"))
    (err,) = errors(bad)
    assert err.startswith(f"{bad}:5:12: ")


def test_score_modules_import_alone_and_the_rubric_model_does_not_pull_in_the_scorers():
    """Each module of the score stage imports fresh on its own (no import cycle); the rubric model needs only
    the metric names, not the file readers, the hidden-label orchestration or the scorer."""
    import subprocess
    import sys

    modules = ["model", "load", "explain", "scoring", "embargo", "metrics", "files", "hidden"]
    code = ("import importlib, sys; importlib.import_module('roadmap_ci.score.' + sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith('roadmap_ci.score.')))")
    loaded = {}
    for name in modules:
        r = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        loaded[name] = r.stdout.strip()
    assert loaded["model"] == "['roadmap_ci.score.metrics', 'roadmap_ci.score.model']"
    assert "roadmap_ci.score.model" not in loaded["metrics"] and "roadmap_ci.score.model" not in loaded["files"]
