"""structure collector: rubric file: refs + config files, README headings, symlinks outside never followed."""

from __future__ import annotations

from pathlib import Path

from testing.collect_util import ctx, make_repo

from roadmap_ci.collect import structure
from roadmap_ci.score.load import load_rubric

README = """\
# Project

Intro.

## How to run

```bash
# not a heading
make
```

Results
-------

### Next steps ###
"""


def test_files_readme_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "outdir").mkdir()
    repo = make_repo(tmp_path / "r", {"README.md": README, "src/model.py": "x = 1\n", "reports/.keep": ""})
    (repo / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (repo / "linked").symlink_to(tmp_path / "outdir")
    (repo / "inside_link.py").symlink_to(repo / "src" / "model.py")
    (tmp_path / "rubric.yaml").write_text(
        "version: '1'\npass_mark: 1\ncriteria:\n"
        "  - {id: files, points: 1, rule: exists, evidence: ['file:src/model.py', 'file:reports/', 'file:leak.txt', "
        "'file:../escape.txt']}\n"
        "  - id: grp\n    rule: all\n    points: 1\n    criteria:\n"
        "      - {id: c1, rule: pass, evidence: 'file:linked/x.csv'}\n")
    c = ctx(repo, {"files": ["inside_link.py", "missing.csv"]},
            rubric=load_rubric(tmp_path / "rubric.yaml"))
    got = structure.collect(c)["structure"]
    kinds = {f.path: f.kind for f in got.files}
    assert kinds == {"src/model.py": "file", "reports": "dir", "leak.txt": "outside", "../escape.txt": "outside",
                     "linked/x.csv": "outside", "inside_link.py": "file", "missing.csv": "missing"}
    assert next(f.size for f in got.files if f.path == "src/model.py") == 6
    assert next(f.size for f in got.files if f.path == "leak.txt") is None  # never read
    assert got.readme_path == "README.md"
    assert got.readme_sections == ["Project", "How to run", "Results", "Next steps"]


def test_no_readme(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": ""})
    got = structure.collect(ctx(repo, {}))["structure"]
    assert got.readme_path is None and got.readme_sections == [] and got.files == []


def test_rst_headings() -> None:
    assert structure.headings("Title\n=====\n\ntext\n\nUsage\n-----\n", rst=True) == ["Title", "Usage"]


def test_outputs_of_stages_that_did_not_run_are_stale_and_earn_nothing(tmp_path):
    from testing.collect_util import ctx, make_repo

    from roadmap_ci.collect import predictions, structure
    from roadmap_ci.collect.pipeline import Pipeline, Stage
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.facts import parse_ref, resolve

    dvc_yaml = ("stages:\n  train:\n    cmd: python train.py\n    outs: [models/model.pkl]\n"
                "  plots:\n    cmd: python plots.py\n    deps: [models/model.pkl]\n    outs: [reports/figures]\n"
                "  predict:\n    cmd: python predict.py\n    outs: [data/predictions/predictions.csv]\n")
    repo = make_repo(tmp_path / "r", {"dvc.yaml": dvc_yaml, "models/model.pkl": "m",
                                      "reports/figures/roc.png": "png", "README.md": "# r\n",
                                      "data/predictions/predictions.csv": "id,p\n1,0\n"})
    c = ctx(repo, {"files": ["models/model.pkl", "reports/figures/roc.png", "reports/figures/", "README.md"],
                   "predictions": {"path": "data/predictions/predictions.csv"}})
    ran = Pipeline(status="failed", failed_stage="plots", stages=[
        Stage(name="train", status="cached"), Stage(name="plots", status="failed"),
        Stage(name="predict", status="not_run")])
    c.put("pipeline", {"pipeline": ran})
    got = structure.collect(c)["structure"]
    kinds = {f.path: f.kind for f in got.files}
    assert kinds == {"models/model.pkl": "file", "reports/figures/roc.png": "stale", "reports/figures": "stale",
                     "README.md": "file"}
    preds = predictions.collect(c)["predictions"]
    assert preds.status == "stale" and "stage 'predict', which did not run" in preds.message
    ev = Evidence(deliverable="demo", structure=got, predictions=preds)
    fact = resolve(ev, parse_ref("file:reports/figures/roc.png"), "bool")
    assert fact.value is False and "stage 'plots', which failed in this run" in fact.detail
    assert resolve(ev, parse_ref("predictions"), "bool").value is False
    # once the stages ran, the same files count
    c.put("pipeline", {"pipeline": Pipeline(status="ok", stages=[Stage(name=n, status="ran")
                                                                  for n in ("train", "plots", "predict")])})
    assert {f.kind for f in structure.collect(c)["structure"].files} == {"file", "dir"}
    assert predictions.collect(c)["predictions"].status == "ok"
