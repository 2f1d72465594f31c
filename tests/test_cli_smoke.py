"""The CLI as a user meets it: help, version, the roadmap table, and the demo."""

from __future__ import annotations

import json
import subprocess
import sys

from testing.common import EXAMPLE_EVIDENCE, EXAMPLE_RUBRIC


def test_help_lists_the_stages(cli):
    res = cli("--help")
    assert res.returncode == 0
    for command in ("roadmap", "rubric", "score", "rescore"):
        assert command in res.stdout


def test_roadmap_json_lists_every_deliverable_of_the_curriculum(cli):
    res = cli("roadmap", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    ids = [d["id"] for p in data["phases"] for d in p["deliverables"]]
    assert len(data["phases"]) == 7
    for expected in ("math-foundations", "tabular-regression", "tabular-classification", "unsupervised",
                     "imbalanced-tuning", "image-classifier", "nlp-pipeline", "rag-chatbot", "agent-app",
                     "ml-pipeline", "recsys", "time-series", "gnn", "capstone-recsys", "capstone-rag-docqa"):
        assert expected in ids
    tc = next(d for p in data["phases"] for d in p["deliverables"] if d["id"] == "tabular-classification")
    assert tc["weeks"] == [12, 14] and tc["rubric"] == "rubrics/tabular-classification.yaml"
    assert isinstance(tc["rubric_available"], bool)


def test_score_example_prints_table_and_writes_scorecard(cli, tmp_path):
    out = tmp_path / "scorecard.json"
    res = cli("score", "--evidence", str(EXAMPLE_EVIDENCE), "--rubric", str(EXAMPLE_RUBRIC),
              "--out", str(out))
    assert res.returncode == 0, res.stderr
    card = json.loads(out.read_text())
    assert card["passed"] is True
    assert 0 < card["total"] < card["max"] == 100
    assert "Tests pass" in res.stdout
    # the after_due criterion is withheld from the learner's table but counted
    assert "F1 on the hidden test labels" not in res.stdout
    assert "1 hidden criteria" in res.stdout


# What a real `score` run imports when it ends: it reads the collectors' evidence models and fact resolvers
# (roadmap_ci.collect.registry), never what collecting runs, the libraries it drives or the collectors'
# .roadmap-ci.yml section models (each collector's cached config()).
_SCORE_PROBE = """
import runpy, sys
sys.argv = ["roadmap-ci", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("roadmap_ci", run_name="__main__")
except SystemExit as exc:
    code = exc.code
registry = sys.modules.get("roadmap_ci.collect.registry")  # read, not imported: the check below needs it loaded
built = [n for n, c in getattr(registry, "COLLECTORS", {}).items()
         if hasattr(c.config, "cache_info") and c.config.cache_info().currsize]
print("\\nbuilt " + " ".join(built), file=sys.stderr)
print(str(code) + " " + " ".join(sorted(sys.modules)), file=sys.stderr)
"""


def test_score_imports_no_collect_machinery_and_nothing_heavy(tmp_path):
    res = subprocess.run([sys.executable, "-c", _SCORE_PROBE, "score", "--evidence", str(EXAMPLE_EVIDENCE),
                          "--rubric", str(EXAMPLE_RUBRIC), "--out", str(tmp_path / "card.json")],
                         capture_output=True, text=True, timeout=120)
    *_, built_line, loaded_line = res.stderr.strip().splitlines()
    code, *loaded = loaded_line.split()
    # the .roadmap-ci.yml section models are built on first use, and score never uses them
    assert built_line.split() == ["built"], built_line
    assert code in ("0", "None"), res.stderr
    assert json.loads((tmp_path / "card.json").read_text())["passed"] is True
    assert "roadmap_ci.collect.registry" in loaded  # the collectors' models are read, so the check means something
    machinery = [m for m in loaded if m in {f"roadmap_ci.collect.{n}" for n in
                                            ("proc", "_dvc", "_cache", "_context", "_nbrun", "config", "run")}]
    assert machinery == [], f"score imported what only collecting needs: {machinery}"
    heavy = {"dvc", "mlflow", "great_expectations", "pandas", "numpy", "github3", "jinja2", "ruamel", "sklearn"}
    assert sorted(heavy & {m.split(".")[0] for m in loaded}) == []


def _bundled_ids() -> list[str]:
    from testing.common import RUBRICS

    return sorted(p.stem for p in RUBRICS.glob("*.yaml") if p.stem != "base")


def test_rubric_explain_and_score_accept_a_bundled_rubric_id(cli, tmp_path):
    """The id `.roadmap-ci.yml` takes (`rubric: tabular-classification`) works on the command line too."""
    from testing.common import RUBRICS

    by_id = cli("rubric", "explain", "--format", "md", "tabular-classification")
    by_path = cli("rubric", "explain", "--format", "md", str(RUBRICS / "tabular-classification.yaml"))
    assert by_id.returncode == 0, by_id.stderr
    assert by_id.stdout == by_path.stdout and "| " in by_id.stdout
    out = tmp_path / "card.json"
    res = cli("score", "--evidence", str(EXAMPLE_EVIDENCE), "--rubric", "tabular-classification", "--json",
              "--out", str(out))
    assert res.returncode in (0, 1), res.stderr
    card = json.loads(out.read_text())
    assert card["deliverable"] == "tabular-classification" and card["max"] == 100


def test_an_unknown_rubric_id_is_one_line_listing_the_bundled_ids(cli, tmp_path):
    listed = f"(allowed: {', '.join(_bundled_ids())}; or give a path)"
    for args in (("rubric", "explain", "no-such-rubric"),
                 ("score", "--evidence", str(EXAMPLE_EVIDENCE), "--rubric", "no-such-rubric")):
        res = cli(*args)
        assert res.returncode == 2, res.stdout + res.stderr
        assert res.stderr == f"error: rubric 'no-such-rubric' is not a bundled rubric {listed}\n"
    missing = tmp_path / "nope.yaml"  # a path stays a path: the file's own error
    res = cli("rubric", "explain", str(missing))
    assert res.returncode == 2 and res.stderr == f"{missing}: rubric not found\n"
