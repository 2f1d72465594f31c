"""metrics collector: flattening, unusable values as problems, files that are not JSON/YAML, --base REV."""

from __future__ import annotations

from pathlib import Path

from testing.collect_util import ctx, git, make_repo, write

from roadmap_ci.collect import metrics


def test_flatten_numbers_and_problems(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {
        "metrics.json": '{"acc": 0.9, "n": 3, "ok": true, "nested": {"f1": {"macro": 0.8}}, '
                        '"bad": NaN, "inf": Infinity, "name": "resnet", "none": null, '
                        '"curve": [[1, 2], [3, 4]], "empty": {}}',
        "scores.yaml": "rmse: 1.5\nby_fold:\n  - 1.0\n  - 2.0\n",
        "extra.toml": "[eval]\nr2 = 0.5\n",
    })
    got = metrics.collect(ctx(repo, {"metrics": ["metrics.json", "scores.yaml", "extra.toml"]}))
    assert got["metrics"] == {"metrics.json:acc": 0.9, "metrics.json:n": 3.0, "metrics.json:ok": 1.0,
                              "metrics.json:nested.f1.macro": 0.8, "scores.yaml:rmse": 1.5,
                              "extra.toml:eval.r2": 0.5}
    p = got["metric_problems"]
    assert p["metrics.json:bad"] == "nan is not a finite number"
    assert p["metrics.json:inf"] == "inf is not a finite number"
    assert p["metrics.json:name"] == "text 'resnet', not a number"
    assert p["metrics.json:none"] == "null, not a number"
    assert p["metrics.json:curve"].startswith("a list of 2 items")
    assert p["metrics.json:empty"].startswith("an empty mapping")
    assert p["scores.yaml:by_fold"].startswith("a list of 2 items")
    assert "base_metrics" not in got
    # the progress line names the first problems (a bare count sent learners digging in evidence.json)
    assert metrics.summary(got) == ("6 values, 7 problems (metrics.json:bad: nan is not a finite number; "
                                    "metrics.json:curve: a list of 2 items, not a number (name each value with a "
                                    "key); …)")


def test_not_json_or_yaml_and_missing_and_top_level_list(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"metrics.json": "{acc: 0.9,,}", "m.txt": "acc: [1,\n",
                                      "list.json": "[1, 2]"})
    got = metrics.collect(ctx(repo, {"metrics": ["metrics.json", "m.txt", "list.json", "gone.json"]}))
    p = got["metric_problems"]
    assert p["metrics.json"].startswith("not valid JSON: Expecting property name")
    assert p["m.txt"].startswith("not valid JSON or YAML")
    assert p["list.json"] == "the top level is list, expected a mapping of metric names"
    assert p["gone.json"] == "file not found"
    assert got["metrics"] == {}


def test_default_files_come_from_dvc_yaml(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {
        "dvc.yaml": "stages:\n  train:\n    cmd: x\n    metrics:\n      - eval/m.json:\n          cache: false\n"
                    "metrics:\n  - top.json\n",
        "eval/m.json": '{"f1": 0.7}', "top.json": '{"a": 1}'})
    got = metrics.collect(ctx(repo, {"pipeline": {}}))
    assert got["metrics"] == {"eval/m.json:f1": 0.7, "top.json:a": 1.0}


def test_symlink_outside_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text('{"x": 1}')
    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    (repo / "m.json").symlink_to(tmp_path / "secret.json")
    got = metrics.collect(ctx(repo, {"metrics": ["m.json"]}))
    assert got["metrics"] == {} and "outside the repository" in got["metric_problems"]["m.json"]


def test_base_revision_metrics(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"metrics.json": '{"acc": 0.7}'})
    git(repo, "tag", "v1")
    write(repo, {"metrics.json": '{"acc": 0.8, "new": 1}'})
    got = metrics.collect(ctx(repo, {"metrics": ["metrics.json"]}, base="v1"))
    assert got["metrics"] == {"metrics.json:acc": 0.8, "metrics.json:new": 1.0}
    assert got["base_metrics"] == {"metrics.json:acc": 0.7}

    bad = metrics.collect(ctx(repo, {"metrics": ["metrics.json"]}, base="no-such-rev"))
    assert "base_metrics" not in bad
    assert bad["errors"][0].collector == "metrics" and "no-such-rev" in bad["errors"][0].message
