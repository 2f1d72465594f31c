"""cohort grade's fast paths give the shared code's results: predictions read column-wise, the hidden metrics
from per-split counts, and the plan's criteria compiled once -- each compared with the code it stands in for."""

from __future__ import annotations

import contextlib
import json
import random
import re
import sys
from pathlib import Path

import pytest
from testing.common import ROOT

import roadmap_ci.cohort.rescore  # noqa: F401 (the module, not the function the package exports)
from roadmap_ci.cohort import fastpath
from roadmap_ci.errors import HiddenError, InvalidInput
from roadmap_ci.evidence import parse_evidence
from roadmap_ci.score import files
from roadmap_ci.score import metrics as score_metrics
from roadmap_ci.score.hidden import HiddenResult, apply
from roadmap_ci.score.load import load_rubric
from roadmap_ci.score.model import HiddenLabels

rs = sys.modules["roadmap_ci.cohort.rescore"]


def _labels(tmp_path: Path, spec: HiddenLabels, targets: list[str]) -> dict:
    rows = [f"r{i:03d},{t},{'public' if i % 3 else 'private'}" for i, t in enumerate(targets)]
    path = tmp_path / "labels.csv"
    path.write_text("id,label,split\n" + "\n".join(rows) + "\n")
    return files.read_labels(path, spec)


CASES = {
    "binary": (dict(positive_label="1", metrics=["accuracy", "precision", "recall", "f1"]), ["0", "1"], False),
    "macro": (dict(metrics=["f1", "accuracy", "recall", "precision"]), ["cat", "dog", "eel", "1", "1.0"], False),
    "regression": (dict(task="regression", metrics=["mae", "rmse", "r2", "smape", "wape"]), None, False),
    "scores": (dict(positive_label="1", score_column="p", metrics=["roc_auc", "pr_auc", "f1"]), ["0", "1"], True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_predictions_and_metrics_equal_the_shared_readers(tmp_path, case):
    extra, classes, scored = CASES[case]
    spec = HiddenLabels(source="labels.csv", target_column="label", prediction_column="pred", **extra)
    rnd = random.Random(case)

    def value() -> str:
        return rnd.choice(classes) if classes else f"{rnd.uniform(-50, 50):.3f}"

    labels = _labels(tmp_path, spec, [value() for _ in range(60)])
    for trial in range(25):
        order = list(labels)  # the labels file's own order (the usual case), or any other
        if trial % 2:
            rnd.shuffle(order)  # any row order, padded cells, a BOM, a trailing blank line
        head = "id,pred" + (",p" if scored else "")
        rows = [f"{' ' if trial % 4 == 0 else ''}{k},{value()}" + (f",{rnd.random():.4f}" if scored else "")
                for k in order]
        text = ("\ufeff" if trial % 5 == 0 else "") + head + "\n" + "\n".join(rows) + ("\n\n" if trial % 3 else "")
        path = tmp_path / f"p{trial}.csv"
        path.write_bytes(text.encode())
        fast = fastpath.predictions(path.read_bytes(), spec, labels)
        shared = files.read_predictions(path, spec, labels)
        assert fast == shared
        try:
            want = score_metrics.compute(spec, labels, shared)
        except HiddenError as exc:
            with pytest.raises(HiddenError, match=str(exc)):
                fastpath.metrics(spec, labels, shared)
            continue
        assert fastpath.metrics(spec, labels, shared) == want  # equal floats, not approximately
        cols = fastpath.columns(path.read_bytes(), spec, labels)
        assert cols is not None and fastpath.metrics_of(spec, labels, cols) == want


def test_fast_predictions_leave_every_irregular_file_to_the_shared_reader(tmp_path):
    spec = HiddenLabels(source="labels.csv", target_column="label", prediction_column="pred", positive_label="1",
                        metrics=["f1"])
    labels = _labels(tmp_path, spec, ["0", "1", "1", "0"])
    good = ["r000,0", "r001,1", "r002,1", "r003,0"]
    bad = {
        "a missing id": good[:3],
        "an id twice": [*good[:3], "r002,1"],
        "an id not in the labels": [*good[:3], "r099,1"],
        "a row of another width": [*good[:3], "r003,0,extra"],
        "an empty prediction": [*good[:3], "r003,"],
        "a quoted cell": [*good[:3], 'r003,"0"'],
        "a carriage return": [*good[:3], "r003,0\r"],
    }
    assert fastpath.predictions(("id,pred\n" + "\n".join(good)).encode(), spec, labels) is not None
    for pad in ("\u00a0", "\x0b", "\t", " ", "\x1f"):  # whatever strip() removes, ASCII or not: as the shared reader
        path = tmp_path / "padded.csv"
        path.write_bytes(("id,pred\n" + "\n".join(f"{pad}{k}{pad},{p}" for k, p in (g.split(",") for g in good))
                          ).encode())
        assert fastpath.predictions(path.read_bytes(), spec, labels) == files.read_predictions(path, spec, labels)
    for why, rows in bad.items():
        assert fastpath.predictions(("id,pred\n" + "\n".join(rows)).encode(), spec, labels) is None, why


GROUPED = """\
version: "g1"
deliverable: tabular-classification
pass_mark: 30
criteria:
  - id: pipeline
    points: 10
    rule: pass
    evidence: pipeline
  - id: quality
    points: 20
    rule: all
    criteria:
      - id: tests
        rule: fraction
        evidence: tests
        min: 0.5
        target: 1.0
      - id: f1-hidden
        rule: threshold
        evidence: hidden:f1
        min: 0.5
        target: 0.9
  - id: private-f1
    points: 15
    rule: threshold
    evidence: hidden:private.f1
    min: 0.5
    target: 0.9
  - id: lint
    points: 5
    rule: threshold
    evidence: lint
    better: lower
    min: 20
    target: 0
"""


def test_compiled_plan_equals_score_with(tmp_path):
    """The demo rubric and a rubric with a group, alone and as a --rubric pair, on varied evidence: hidden
    metrics computed, not computed (pending) and failed (an error): the same totals as rescore.score_with."""
    demo = load_rubric(ROOT / "examples" / "demo-learner" / "rubric.yaml")
    (tmp_path / "g.yaml").write_text(GROUPED)
    grouped = load_rubric(tmp_path / "g.yaml")
    base = json.loads((ROOT / "examples" / "demo-learner" / "evidence.json").read_text())
    rnd = random.Random(3)
    evs = []
    for i in range(30):
        ev = parse_evidence(json.dumps({**base, "hidden": None, "metrics": {
            **base["metrics"], "metrics.json:f1": round(rnd.uniform(0.3, 1.0), 4),
            "metrics.json:roc_auc": round(rnd.uniform(0.5, 1.0), 4)}}))
        f1 = round(rnd.uniform(0.2, 1.0), 4)
        result = [HiddenResult({"f1": f1, "public.f1": f1, "private.f1": f1 - 0.05}, None),
                  HiddenResult(None, None), HiddenResult(None, "hidden labels labels.csv: no rows")][i % 3]
        evs.append(apply(ev, result) if i % 3 != 1 else ev)
    for new, old in ((demo, None), (grouped, None), (grouped, demo), (demo, grouped)):
        p = rs.plan(new, old)
        scorer = fastpath.Scorer(p)
        for ev in evs:
            assert scorer(ev) == rs.score_with(ev, p)


def test_trusted_evidence_records_the_digest_the_shared_parser_records(tmp_path):
    """The fast path hands parse_evidence_fast the digest it already has: the scorecard's evidence digest is
    still the shared parser's, with or without a byte-order mark."""
    from datetime import UTC, datetime

    from roadmap_ci.cohort import store
    from roadmap_ci.evidence import evidence_digest

    text = (ROOT / "examples" / "demo-learner" / "evidence.json").read_text(encoding="utf-8")
    for bom in (b"", b"\xef\xbb\xbf"):
        data = bom + text.encode()
        (tmp_path / "evidence.json").write_bytes(data)
        prov = store.Provenance(1, datetime(2027, 1, 1, tzinfo=UTC), "0" * 40, "o/r", None, "", False,
                                {"evidence.json": store.digest(data)})
        got = fastpath.trusted_evidence(tmp_path, prov, data, store.digest(data))
        assert got is not None
        assert evidence_digest(got[0]) == evidence_digest(parse_evidence(data.decode("utf-8-sig")))


@pytest.mark.parametrize("first", [4, 7, 64 * 1024])
def test_read_capped_returns_the_file_or_one_byte_past_the_cap(tmp_path, monkeypatch, first):
    """The reads grow from READ_FIRST bytes: every size around the buffer and the cap gives what one unbounded
    read would, cut at cap + 1."""
    from roadmap_ci.cohort import store

    monkeypatch.setattr(store, "READ_FIRST", first)
    cap = 20
    rnd = random.Random(first)
    for size in [0, 1, 3, 4, 5, 7, 8, 9, 15, 19, 20, 21, 22, 40, 1000]:
        data = bytes(rnd.randrange(256) for _ in range(size))
        path = tmp_path / f"f{size}"
        path.write_bytes(data)
        got = store.read_capped(path, cap)
        assert got == data[: cap + 1], size
        assert (len(got) > cap) == (size > cap)
    with pytest.raises(FileNotFoundError):
        store.read_capped(tmp_path / "absent", cap)


def _shared(path: Path, spec: HiddenLabels, labels: dict) -> tuple[str, object]:
    """The shared code's verdict on a predictions file: its predictions and metrics, or its error."""
    try:
        preds = files.read_predictions(path, spec, labels)
        return "ok", (preds, score_metrics.compute(spec, labels, preds))
    except HiddenError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("case", sorted(CASES))
def test_chunk_hidden_gives_columns_and_the_shared_metrics_file_after_file(tmp_path, monkeypatch, case):
    """One ChunkHidden over a stream of files, as a chunk of learners: the first regular file builds a header's
    template and the later ones are matched against it; every file, regular or not, gets exactly columns()'s
    result, and the metrics are the shared reader's and compute()'s, equal floats."""
    extra, classes, scored = CASES[case]
    spec = HiddenLabels(source="labels.csv", target_column="label", prediction_column="pred", **extra)
    rnd = random.Random(f"chunk-{case}")

    def value() -> str:
        return rnd.choice(classes) if classes else f"{rnd.uniform(-50, 50):.3f}"

    labels = _labels(tmp_path, spec, [value() for _ in range(40)])
    order = list(labels)
    head = "id,pred" + (",p" if scored else "")

    def rows(keys: list[str], fmt: str = "{k},{v}") -> list[str]:
        return [fmt.format(k=k, v=value()) + (f",{rnd.random():.4f}" if scored else "") for k in keys]

    texts = []
    for trial in range(12):  # regular files first (the template), varied endings, a BOM, padded cells
        body = rows(order, "{k},  {v} " if trial % 4 == 3 else "{k},{v}")
        texts.append(("\ufeff" if trial % 5 == 4 else "") + head + "\n" + "\n".join(body) + ("\n" if trial % 2 else ""))
    texts += [
        head + "\n" + "\n".join(rows(order[::-1])) + "\n",  # another order
        head + "\n" + "\n".join(rows(order[:-1])) + "\n",  # a row missing
        head + "\n" + "\n".join(rows([*order, order[0]])) + "\n",  # an id twice
        head + "\n" + "\n".join(rows(order)) + "\n\n",  # blank lines at the end
        head + "\n\n" + "\n".join(rows(order)) + "\n",  # a blank line after the header
        "\n" + head + "\n" + "\n".join(rows(order)) + "\n",  # a blank line before the header
        "\n" + "\n".join(rows(order)) + "\n",  # no header, a blank first line
        head + "\n" + "\n".join(rows(order, "{k},")) + "\n",  # empty predictions
        head + "\n" + "\n".join(rows(order, "{k},\u00a0{v}\u00a0")) + "\n",  # padding strip() removes, not ASCII
        head + "\n" + "\n".join(rows(order, "{k},{v}\u00e9")) + "\n",  # not ASCII, nothing to strip
        head + "\n" + "\n".join(rows(order, "{k},{v},x")) + "\n",  # a row of another width
        head + "\n" + "\n".join(rows(order, '{k},"{v}"')) + "\n",  # quoted cells
        head + "\n" + "\n".join(rows(order)) + "\r\n",  # a carriage return
        head + ",x\n" + "\n".join(r + ",1" for r in rows(order)) + "\n",  # another header: its own template
        head + ",x\n" + "\n".join(r + ",2" for r in rows(order)) + "\n",
        head + ",x\n" + "\n".join(r + ",3" for r in rows(order)[:-1]) + "\n",
        "pred,id\n" + "\n".join(f"{value()},{k}" for k in order) + "\n",  # columns swapped
        "pred,id\n" + "\n".join(f"{value()},{k}" for k in order) + "\n",
        head + "\n" + "\n".join(rows(order, "{k},{v}" + "9" * 5000)) + "\n",  # a cell past MAX_FIELD_CHARS
        head + "\n" + "\n".join(rows(order, "{k},{v}")) + "\n",  # regular again, after all of them
    ]
    monkeypatch.setattr(fastpath, "TEMPLATE_AFTER", 3)  # a header's template after three regular files
    monkeypatch.setattr(fastpath, "_TEMPLATES", {})
    chunk = fastpath.ChunkHidden(spec, labels)
    for n, text in enumerate(texts):
        path = tmp_path / f"p{n}.csv"
        path.write_bytes(text.encode())
        data = path.read_bytes()
        got = chunk.columns(data)
        assert got == fastpath.columns(data, spec, labels), n
        verdict, shared = _shared(path, spec, labels)
        if got is None:
            continue
        assert verdict == "ok", n  # columns accepts only what the shared reader accepts
        preds, want = shared
        assert {k: (v, s) for k, v, s in zip(*got[:2], got[2] or [None] * len(got[0]), strict=True)} == {
            k: (p.value, p.score) for k, p in preds.items()}, n
        assert chunk.metrics(got) == want, n  # equal floats, not approximately
    if not scored:
        assert chunk.matched >= 9  # the template path was taken: the regular files after the first three, ...
        assert any(slot[2] for slot in fastpath._TEMPLATES.values())
    else:  # a score column: never a template
        assert chunk.matched == 0 and not fastpath._TEMPLATES


def test_chunk_hidden_metrics_refuse_as_metrics_of(tmp_path):
    """A metric of another task, or one these labels cannot feed: the same HiddenError, file after file."""
    for metrics in (["accuracy", "mae"], ["f1", score_metrics.RANKING_METRICS[0]]):
        spec = HiddenLabels(source="labels.csv", target_column="label", prediction_column="pred", metrics=["f1"])
        spec = spec.model_copy(update={"metrics": metrics})
        labels = _labels(tmp_path, spec, ["a", "b", "a"])
        cols = fastpath.columns(b"id,pred\nr000,a\nr001,b\nr002,b\n", spec, labels)
        assert cols is not None
        chunk = fastpath.ChunkHidden(spec, labels)
        for _ in range(2):
            with pytest.raises(HiddenError) as want:
                fastpath.metrics_of(spec, labels, cols)
            with pytest.raises(HiddenError, match=re.escape(str(want.value))):
                chunk.metrics(cols)


EXTRA_REFS = """\
version: "x1"
deliverable: tabular-classification
pass_mark: 10
criteria:
  - {id: t-glob, points: 3, rule: fraction, evidence: "tests:tests.test_features::*"}
  - {id: t-failing, points: 2, rule: threshold, evidence: tests, better: lower, min: 5, target: 0}
  - {id: t-pass, points: 1, rule: pass, evidence: tests}
  - {id: suite, points: 2, rule: pass, evidence: "data:raw"}
  - {id: lint-rule, points: 2, rule: threshold, evidence: "lint:F", better: lower, min: 4, target: 0}
  - {id: lint-pass, points: 1, rule: pass, evidence: lint}
  - {id: metric-pass, points: 1, rule: pass, evidence: "metric:metrics.json:recall"}
  - {id: metric-lower, points: 2, rule: threshold, evidence: "metric:metrics.json:precision", better: lower,
     min: 0.9, target: 0.5}
  - {id: vs-base-zero, points: 2, rule: threshold, evidence: "metric:metrics.json:roc_auc", relative_to: base,
     if_no_base: zero, min: -0.05, target: 0.01}
  - {id: hidden-pass, points: 1, rule: pass, evidence: "hidden:f1"}
  - {id: stage, points: 1, rule: pass, evidence: "pipeline:train"}
  - {id: duration, points: 1, rule: threshold, evidence: pipeline, better: lower, min: 60, target: 5}
  - {id: preds, points: 1, rule: pass, evidence: predictions}
  - {id: rows, points: 1, rule: threshold, evidence: predictions, min: 10, target: 1000}
  - {id: dir, points: 1, rule: exists, evidence: ["file:reports/", "file:reports/figures/roc.csv", "readme:Results"]}
  - {id: notebooks, points: 1, rule: fraction, evidence: notebooks}
"""


def _mutated(base: dict, rnd: random.Random) -> dict:
    """The demo evidence with sections dropped, emptied or broken at random (each still valid evidence)."""
    ev = json.loads(json.dumps(base))
    choices = [
        lambda: ev.update(hidden=None), lambda: ev.update(hidden={}), lambda: ev.update(base_metrics=None),
        lambda: ev.update(metrics={}), lambda: ev.update(metrics=None), lambda: ev["metrics"].pop("metrics.json:f1"),
        lambda: ev.update(tests=None), lambda: ev.update(data=None), lambda: ev.update(lint=None),
        lambda: ev.update(structure=None), lambda: ev.update(pipeline=None), lambda: ev.update(predictions=None),
        lambda: ev.update(lint={"status": "error", "message": "ruff crashed", "total": 0, "by_rule": {}}),
        lambda: ev.update(tests={"status": "error", "message": "no pytest", "cases": []}),
        lambda: ev["metrics"].update({"metrics.json:f1": rnd.uniform(-1e300, 1e300)}),
        lambda: ev["metrics"].update({"metrics.json:f1": rnd.uniform(0.0, 1.0)}),
        lambda: ev.update(hidden={"f1": rnd.uniform(0, 1), "public.f1": rnd.uniform(0, 1)}),
        lambda: ev.update(errors=[{"collector": "hidden", "message": "hidden labels labels.csv: no rows"}]),
        lambda: ev["structure"].update(readme_path=None),
        lambda: ev["structure"].update(readme_sections=[]),
        lambda: ev.update(data=[]),
        lambda: [c.update(outcome=rnd.choice(["passed", "failed"])) for c in ev["tests"]["cases"]],
        lambda: [c.update(outcome="passed") for c in ev["tests"]["cases"]],
        lambda: [c.update(outcome="failed") for c in ev["tests"]["cases"]],
        lambda: [e.update(success=True) for s in ev["data"] for e in s["expectations"]],
        lambda: [e.update(success=False) for s in ev["data"] for e in s["expectations"]],
    ]
    for _ in range(rnd.randrange(0, 5)):
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            rnd.choice(choices)()
    return ev


def test_compiled_criteria_equal_the_model_scorer_on_every_rubric(tmp_path):
    """Every shipped rubric, the demo's, a group and one reading every other kind of reference, on evidence
    with sections missing, empty or broken: each criterion's fraction and points are the model scorer's
    (``scoring.criterion_outcomes``, explained), pending exactly where it says pending, and the totals are
    ``score_with``'s. The reasons are the model scorer's own: the compiled plan composes none (grade's output
    holds no reason), and a report scores with ``scoring.score``."""
    from roadmap_ci.score import scoring

    (tmp_path / "g.yaml").write_text(GROUPED)
    (tmp_path / "x.yaml").write_text(EXTRA_REFS)
    rubrics = [load_rubric(p) for p in sorted((ROOT / "rubrics").glob("*.yaml")) if p.name != "base.yaml"]
    rubrics += [load_rubric(ROOT / "examples" / "demo-learner" / "rubric.yaml"), load_rubric(tmp_path / "g.yaml"),
                load_rubric(tmp_path / "x.yaml")]
    base = json.loads((ROOT / "examples" / "demo-learner" / "evidence.json").read_text())
    rnd = random.Random(11)
    evs = []
    while len(evs) < 120:
        with contextlib.suppress(InvalidInput):
            evs.append(parse_evidence(json.dumps(_mutated(base, rnd))))
    seen = set()
    for rubric in rubrics:
        p = rs.plan(rubric, None)
        scorer = fastpath.Scorer(p)
        for ev in evs:
            points, pending, fracs = scorer.criteria(ev)
            outcomes = scoring.criterion_outcomes(ev, p.criteria, explain=True)
            for o, pt, held, frac in zip(outcomes, points, pending, fracs, strict=True):
                assert (pt, held, frac) == (o.points, o.status == "pending", o.fraction), o.criterion.id
                seen.add((type(o.criterion).__name__, o.status))
            assert scorer(ev) == rs.score_with(ev, p)
    for kind in ("ThresholdCriterion", "FractionCriterion", "PassCriterion", "ExistsCriterion"):
        assert {s for k, s in seen if k == kind} >= {"pass", "fail"}, kind  # each kind met both ways
    assert {s for _, s in seen} >= {"missing", "pending", "partial"}


def test_chunk_hidden_metrics_when_the_positive_class_is_rare_or_absent(tmp_path):
    """The positive label absent from a split's labels, from the predictions, or from both; one row per class:
    precision, recall and f1 are still compute()'s floats."""
    spec = HiddenLabels(source="labels.csv", target_column="label", prediction_column="pred", positive_label="yes",
                        metrics=["precision", "recall", "f1", "accuracy"])
    rnd = random.Random(5)
    for targets in (["no", "maybe", "no", "no", "maybe", "no"], ["no", "yes", "maybe", "no", "no", "no"],
                    ["yes", "no", "maybe"]):
        labels = _labels(tmp_path, spec, targets)
        chunk = fastpath.ChunkHidden(spec, labels)
        for trial in range(12):
            preds = [rnd.choice(["yes", "no", "maybe", "other"]) if trial % 3 else "no" for _ in labels]
            path = tmp_path / "p.csv"
            path.write_text("id,pred\n" + "\n".join(f"{k},{v}" for k, v in zip(labels, preds, strict=True)) + "\n")
            cols = chunk.columns(path.read_bytes())
            assert cols is not None
            assert chunk.metrics(cols) == score_metrics.compute(spec, labels, files.read_predictions(path, spec,
                                                                                                      labels))


def test_a_grade_through_the_templates_is_the_grade_without_them(tmp_path, monkeypatch):
    """A whole grade (serial, so in this process) with a template after the first regular file, and with none:
    the same grades, missing reasons and problems, and the totals computed from the rubric's definition -- with
    predictions in the labels' order, reordered, with a blank line, and changed after collect."""
    from testing.cohort_kit import expected_points, predictions_csv, sha_of, store_commit, write_cohort

    from roadmap_ci.cohort import grade
    from roadmap_ci.cohort.model import load_cohort

    logins = [f"t{i:02d}" for i in range(16)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    want = {}
    for i, lg in enumerate(logins):
        text = predictions_csv(i % 4, i % 6)
        if i % 5 == 3:  # rows reversed: columns() reads them, no template matches
            head, *body = text.rstrip("\n").split("\n")
            text = "\n".join([head, *body[::-1]]) + "\n"
        if i % 7 == 5:
            text += "\n"  # a blank line at the end
        folder = store_commit(s, "churn", lg, sha_of(lg), text, created_at="2027-01-20T00:00:00Z", run_id=i + 1)
        if i == 9:  # changed after collect: the full validation, and these predictions' metrics
            (folder / "predictions.csv").write_text(predictions_csv(1, 1))
        want[lg] = expected_points(1, 1) if i == 9 else expected_points(i % 4, i % 6)
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]
    monkeypatch.setattr(grade, "read_cache", lambda *_a, **_k: {})  # every grade computes (no caches read)
    monkeypatch.setattr(grade, "read_scores", lambda *_a, **_k: {})
    results = []
    for after in (1, 10**9):
        monkeypatch.setattr(fastpath, "TEMPLATE_AFTER", after)
        monkeypatch.setattr(fastpath, "_TEMPLATES", {})
        got = grade.grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1)
        built = any(slot[2] for slot in fastpath._TEMPLATES.values())
        assert built == (after == 1)
        results.append(({k: (g.raw, g.final, g.hidden_error) for k, g in got.grades.items()}, got.missing,
                        [str(p) for p in got.problems]))
        assert {k: g.raw.total for k, g in got.grades.items()} == pytest.approx(want)
    assert results[0] == results[1]
