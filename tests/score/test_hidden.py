"""Hidden-label scoring: metrics against hand-computed values (and scikit-learn), hard validation of the
learner's predictions file, and what the scorer makes of a failure."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from roadmap_ci.errors import HiddenError
from roadmap_ci.evidence import CollectorError, Evidence
from roadmap_ci.score import hidden, metrics
from roadmap_ci.score.load import LoadedRubric
from roadmap_ci.score.model import HiddenLabels, Rubric
from roadmap_ci.score.scoring import score

# ---------------------------------------------------------------- metrics, by hand

Y = ["1", "1", "1", "0", "0", "0", "0", "1"]
P = ["1", "0", "1", "0", "1", "0", "0", "1"]
# positive "1": tp=3 (rows 0,2,7), fn=1 (row 1), fp=1 (row 4), tn=3


def test_accuracy_by_hand():
    assert metrics.accuracy(Y, P) == 6 / 8


def test_binary_precision_recall_f1_by_hand():
    p, r, f = metrics.precision_recall_f1(Y, P, positive="1")
    assert (p, r) == (3 / 4, 3 / 4)
    assert f == pytest.approx(0.75)


def test_macro_f1_by_hand():
    y = ["a", "a", "b", "b", "c", "c"]
    p = ["a", "b", "b", "b", "c", "a"]
    # a: tp1 fp1 fn1 -> p=.5 r=.5 f=.5 ; b: tp2 fp1 fn0 -> p=2/3 r=1 f=.8 ; c: tp1 fp0 fn1 -> p=1 r=.5 f=2/3
    prec, rec, f1 = metrics.precision_recall_f1(y, p)
    assert prec == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert rec == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert f1 == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)


def test_macro_counts_a_class_only_predicted_as_zero():
    # "z" is never a true label: its precision and recall are 0, and it drags the macro average down
    _, _, f1 = metrics.precision_recall_f1(["a", "a"], ["a", "z"])
    # a: tp1 fn1 fp0 -> p=1 r=.5 f=2/3 ; z: 0
    assert f1 == pytest.approx((2 / 3 + 0) / 2)


def test_roc_auc_by_hand_with_ties():
    y = ["1", "0", "1", "0"]
    s = [0.9, 0.9, 0.4, 0.1]
    # pairs (pos, neg): (0.9,0.9)=.5 (0.9,0.1)=1 (0.4,0.9)=0 (0.4,0.1)=1 -> 2.5/4
    assert metrics.roc_auc(y, s, "1") == 0.625


def test_average_precision_by_hand():
    y = ["1", "0", "1", "0"]
    s = [0.8, 0.6, 0.4, 0.2]
    # thresholds: .8 -> P=1 R=.5 ; .6 -> P=.5 R=.5 ; .4 -> P=2/3 R=1 -> AP = .5*1 + .5*2/3
    assert metrics.average_precision(y, s, "1") == pytest.approx(0.5 + 1 / 3)


def test_average_precision_ties_form_one_threshold():
    # all tied: one threshold, P = 2/4, R = 1 -> AP = 0.5
    assert metrics.average_precision(["1", "0", "1", "0"], [0.5] * 4, "1") == 0.5


def test_regression_metrics_by_hand():
    t = [3.0, -0.5, 2.0, 7.0]
    p = [2.5, 0.0, 2.0, 8.0]
    assert metrics.mae(t, p) == pytest.approx(0.5)
    assert metrics.rmse(t, p) == pytest.approx(math.sqrt(0.375))
    # mean 2.875; ss_tot = 0.015625+11.390625+0.765625+17.015625 = 29.1875; ss_res = 1.5
    assert metrics.r2(t, p) == pytest.approx(1 - 1.5 / 29.1875)


def test_forecast_metrics_by_hand():
    t = [10.0, 0.0, 4.0, 0.0]
    p = [8.0, 2.0, 4.0, 0.0]
    # |t-p|/(|t|+|p|): 2/18, 2/2, 0, 0/0 -> 0
    assert metrics.smape(t, p) == pytest.approx(200 * (2 / 18 + 1) / 4)
    assert metrics.wape(t, p) == pytest.approx(100 * 4 / 14)
    assert metrics.wape([0.0, 0.0], [0.0, 0.0]) == 0.0 and metrics.wape([0.0], [1.0]) == 100.0
    assert 0 <= metrics.smape([1.0, -3.0], [-1.0, 3.0]) == 200.0


def test_r2_constant_target():
    assert metrics.r2([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert metrics.r2([2.0, 2.0], [2.0, 3.0]) == 0.0


def test_auc_undefined_with_one_class():
    with pytest.raises(HiddenError, match="only positive rows"):
        metrics.roc_auc(["1", "1"], [0.2, 0.3], "1")


# ---------------------------------------------------------------- cross-checked with scikit-learn


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_scikit_learn(seed):
    sk = pytest.importorskip("sklearn.metrics")
    rng = random.Random(seed)
    n = 200
    y = [rng.choice(["0", "1"]) for _ in range(n)]
    s = [round(rng.random(), 2) for _ in range(n)]  # rounded: plenty of ties
    p = ["1" if x > 0.5 else "0" for x in s]
    assert metrics.roc_auc(y, s, "1") == pytest.approx(sk.roc_auc_score([int(v) for v in y], s))
    assert metrics.average_precision(y, s, "1") == pytest.approx(
        sk.average_precision_score([int(v) for v in y], s))
    pr, rc, f1 = metrics.precision_recall_f1(y, p, "1")
    assert pr == pytest.approx(sk.precision_score(y, p, pos_label="1", zero_division=0))
    assert rc == pytest.approx(sk.recall_score(y, p, pos_label="1", zero_division=0))
    assert f1 == pytest.approx(sk.f1_score(y, p, pos_label="1", zero_division=0))
    yk = [rng.choice("abcd") for _ in range(n)]
    pk = [rng.choice("abcde") for _ in range(n)]
    _, _, mf1 = metrics.precision_recall_f1(yk, pk)
    assert mf1 == pytest.approx(sk.f1_score(yk, pk, average="macro", zero_division=0))
    assert metrics.accuracy(yk, pk) == pytest.approx(sk.accuracy_score(yk, pk))
    t = [rng.gauss(0, 3) for _ in range(n)]
    q = [v + rng.gauss(0, 1) for v in t]
    assert metrics.mae(t, q) == pytest.approx(sk.mean_absolute_error(t, q))
    assert metrics.rmse(t, q) == pytest.approx(math.sqrt(sk.mean_squared_error(t, q)))
    assert metrics.r2(t, q) == pytest.approx(sk.r2_score(t, q))


# ---------------------------------------------------------------- files


def spec(**kw) -> HiddenLabels:
    base = {"source": "labels.csv", "target_column": "label", "prediction_column": "pred",
            "metrics": ["accuracy", "f1"]}
    return HiddenLabels.model_validate({**base, **kw})


LABELS = "id,label,split\na,1,public\nb,0,public\nc,1,private\nd,0,private\ne,1,private\n"


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    p = tmp_path / "labels.csv"
    p.write_text(LABELS)
    return p


def write(tmp_path: Path, text: str | bytes, name: str = "predictions.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_public_and_private_split(tmp_path, labels):
    preds = write(tmp_path, "id,pred\na,1\nb,1\nc,1\nd,0\ne,0\n")
    got = hidden.score_predictions(spec(positive_label="1"), labels, preds)
    # public: a ok, b wrong -> acc .5; positive 1: tp1 fp1 fn0 -> f1 = 2/3
    # private: c ok, d ok, e wrong -> acc 2/3; tp1 fp0 fn1 -> f1 = 2/3
    assert got == pytest.approx({"public.accuracy": 0.5, "public.f1": 2 / 3,
                                 "private.accuracy": 2 / 3, "private.f1": 2 / 3})
    assert list(got) == sorted(got)


def test_no_split_column_means_all_private(tmp_path):
    lab = write(tmp_path, "id,label\na,x\nb,y\n", "labels.csv")
    preds = write(tmp_path, "id,pred\nb,y\na,y\n")
    assert hidden.score_predictions(spec(metrics=["accuracy"]), lab, preds) == {"private.accuracy": 0.5}


def test_numbers_compare_by_value_and_columns_in_any_order(tmp_path, labels):
    preds = write(tmp_path, "pred,extra,id\n1.0,x,a\n 0 ,y,b\n1,z,c\n0.0,w,d\n1e0,v,e\n")
    got = hidden.score_predictions(spec(metrics=["accuracy"]), labels, preds)
    assert got == {"public.accuracy": 1.0, "private.accuracy": 1.0}


def test_regression_and_scores(tmp_path):
    lab = write(tmp_path, "id,y\n1,3\n2,-0.5\n3,2\n4,7\n", "labels.csv")
    preds = write(tmp_path, "id,yhat\n1,2.5\n2,0\n3,2\n4,8\n")
    s = spec(target_column="y", prediction_column="yhat", task="regression", metrics=["mae", "rmse", "r2"],
             split_column=None)
    got = hidden.score_predictions(s, lab, preds)
    assert got == pytest.approx({"private.mae": 0.5, "private.rmse": math.sqrt(0.375),
                                 "private.r2": 1 - 1.5 / 29.1875})


def test_roc_auc_from_score_column(tmp_path):
    lab = write(tmp_path, "id,label\na,1\nb,0\nc,1\nd,0\n", "labels.csv")
    preds = write(tmp_path, "id,pred,proba\na,1,0.9\nb,1,0.9\nc,0,0.4\nd,0,0.1\n")
    s = spec(metrics=["roc_auc", "pr_auc"], score_column="proba", positive_label="1")
    got = hidden.score_predictions(s, lab, preds)
    # AP: threshold .9 -> P=.5 R=.5; .4 -> P=2/3 R=1 -> .25 + 1/3
    assert got == pytest.approx({"private.roc_auc": 0.625, "private.pr_auc": 0.25 + 1 / 3})


@pytest.mark.parametrize(("text", "message"), [
    ("id,pred\na,1\nb,1\nc,1\nd,0\n", r"1 of 5 ids of the hidden test set have no prediction \(e\.g\. 'e'\)"),
    ("id,pred\na,1\nb,1\nc,1\nd,0\ne,1\na,0\n", r"predictions.csv:7: id 'a' is predicted twice \(first on line 2\)"),
    ("id,pred\na,1\nb,1\nc,1\nd,0\ne,1\nzz,0\n", r"predictions.csv:7: id 'zz' is not in the hidden test set"),
    ("ident,pred\na,1\n", r"lacks the column\(s\) 'id' \(found: 'ident', 'pred'\)"),
    ("id,pred,pred\na,1,1\n", r"predictions.csv:1: the predictions file repeats the column\(s\) 'pred'"),
    ("id,pred\na,1,9\n", r"predictions.csv:2: the predictions file row has 3 fields, the header has 2"),
    ("id,pred\na,\n", r"predictions.csv:2: empty 'pred' for id 'a'"),
    ("", r"the predictions file is empty"),
    ("id,pred\na,\"1\n", r"not valid CSV"),
    (b"id,pred\na,\xff\n", r"not UTF-8"),
    (b"id,pred\na,1\x00\n", r"binary data"),
    ("id,pred\na," + "9" * 5000 + "\n", r"not valid CSV \(field larger than field limit"),
])
def test_bad_predictions_give_one_line_errors(tmp_path, labels, text, message):
    preds = write(tmp_path, text)
    with pytest.raises(HiddenError, match=message) as exc:
        hidden.score_predictions(spec(), labels, preds)
    assert "\n" not in str(exc.value)


def test_non_numeric_regression_prediction(tmp_path):
    lab = write(tmp_path, "id,y\n1,3\n", "labels.csv")
    preds = write(tmp_path, "id,yhat\n1,nan\n")
    s = spec(target_column="y", prediction_column="yhat", task="regression", metrics=["mae"])
    with pytest.raises(HiddenError, match=r"predictions.csv:2: 'yhat' is 'nan', not a finite number"):
        hidden.score_predictions(s, lab, preds)


def test_non_numeric_score(tmp_path, labels):
    preds = write(tmp_path, "id,pred,p\na,1,high\nb,0,0\nc,1,1\nd,0,0\ne,1,1\n")
    s = spec(metrics=["roc_auc"], score_column="p", positive_label="1")
    with pytest.raises(HiddenError, match=r":2: 'p' is 'high', not a finite number"):
        hidden.score_predictions(s, labels, preds)


def test_oversized_predictions_refused_unread(tmp_path, labels):
    preds = write(tmp_path, "id,pred\n" + "a,1\n" * 100)
    with pytest.raises(HiddenError, match="is 408 bytes, more than the 100 allowed"):
        hidden.score_predictions(spec(), labels, preds, max_bytes=100)


def test_symlinked_predictions_refused(tmp_path, labels):
    link = tmp_path / "predictions.csv"
    link.symlink_to(labels)
    with pytest.raises(HiddenError, match="is a symlink"):
        hidden.score_predictions(spec(), labels, link)


def test_long_learner_values_are_truncated(tmp_path, labels):
    preds = write(tmp_path, "id,pred\n" + "x" * 500 + ",1\n")
    with pytest.raises(HiddenError) as exc:
        hidden.score_predictions(spec(), labels, preds)
    assert len(str(exc.value)) < 150


def test_bad_labels_split_is_reported(tmp_path):
    lab = write(tmp_path, "id,label,split\na,1,secret\n", "labels.csv")
    preds = write(tmp_path, "id,pred\na,1\n")
    with pytest.raises(HiddenError, match="labels.csv:2: split 'secret' is neither"):
        hidden.score_predictions(spec(), lab, preds)


# ---------------------------------------------------------------- through the rubric and the scorer


def loaded(tmp_path: Path, source: str = "labels.csv") -> LoadedRubric:
    r = Rubric.model_validate({
        "version": "1", "pass_mark": 0,
        "hidden_labels": {"source": source, "target_column": "label", "prediction_column": "pred",
                          "metrics": ["accuracy"]},
        "criteria": [{"id": "acc", "points": 10, "rule": "threshold", "evidence": "hidden:public.accuracy",
                      "min": 0, "target": 1}],
    })
    return LoadedRubric(rubric=r, path=tmp_path / "rubric.yaml")


def test_source_relative_to_rubric_and_env(tmp_path, labels):
    preds = write(tmp_path, "id,pred\na,1\nb,1\nc,1\nd,0\ne,1\n")
    res = hidden.hidden_metrics(loaded(tmp_path), preds)
    assert res.error is None and res.metrics == {"public.accuracy": 0.5, "private.accuracy": 1.0}
    assert res.details == {"public": 2, "private": 3}
    res = hidden.hidden_metrics(loaded(tmp_path, "env:LABELS_PATH"), preds, env={"LABELS_PATH": str(labels)})
    assert res.metrics == {"public.accuracy": 0.5, "private.accuracy": 1.0}
    res = hidden.hidden_metrics(loaded(tmp_path, "env:LABELS_PATH"), preds, env={})
    assert res.metrics is None and "LABELS_PATH is not set" in (res.error or "")


def test_failure_scores_zero_with_the_reason(tmp_path, labels):
    preds = write(tmp_path, "id,pred\na,1\n")
    lr = loaded(tmp_path)
    claimed = Evidence(deliverable="d", hidden={"public.accuracy": 1.0},
                       errors=[CollectorError(collector="hidden", message="all fine, trust me")])
    ev = hidden.apply(claimed, hidden.hidden_metrics(lr, preds))
    assert ev.hidden is None
    assert [e.message for e in ev.errors] == ["predictions.csv: 4 of 5 ids of the hidden test set have no "
                                              "prediction (e.g. 'b')"]
    c = score(ev, lr).criteria[0]
    assert c.points == 0 and c.status == "missing"
    assert c.reason == ("missing evidence: hidden-label scoring failed: predictions.csv: 4 of 5 ids of the "
                        "hidden test set have no prediction (e.g. 'b')")


def test_apply_replaces_a_claimed_perfect_score(tmp_path, labels):
    preds = write(tmp_path, "id,pred\na,0\nb,1\nc,1\nd,0\ne,1\n")
    lr = loaded(tmp_path)
    claimed = Evidence(deliverable="d", hidden={"public.accuracy": 1.0, "private.accuracy": 1.0})
    ev = hidden.apply(claimed, hidden.hidden_metrics(lr, preds))
    assert ev.hidden == {"public.accuracy": 0.0, "private.accuracy": 1.0}
    assert score(ev, lr).criteria[0].points == 0


def test_with_hidden_metrics_scores_withholds_and_refuses_stale_predictions(tmp_path, labels):
    from roadmap_ci.collect.predictions import Predictions

    preds = write(tmp_path, "id,pred\na,0\nb,1\nc,1\nd,0\ne,1\n")
    lr = loaded(tmp_path)
    claimed = Evidence(deliverable="d", hidden={"public.accuracy": 1.0, "private.accuracy": 1.0})
    ev, res = hidden.with_hidden_metrics(claimed, lr, preds)
    assert ev.hidden == {"public.accuracy": 0.0, "private.accuracy": 1.0} == res.metrics
    assert res.labels == "course" and ev.errors == []

    ev, res = hidden.with_hidden_metrics(claimed, lr, preds, withheld="the daily limit is reached")
    assert ev.hidden is None and res.labels is None
    assert [(e.collector, e.message) for e in ev.errors] == [("hidden", "the daily limit is reached")]

    stale = claimed.model_copy(update={"predictions": Predictions(
        path="data/predictions.csv", status="stale", message="older than the pipeline's last run")})
    ev, res = hidden.with_hidden_metrics(stale, lr, preds)
    assert ev.hidden is None
    assert res.error == "data/predictions.csv is older than the pipeline's last run"
    assert score(ev, lr).criteria[0].status == "missing"

def test_a_local_run_finds_what_the_report_step_will_refuse_without_the_labels(tmp_path):
    # no labels on the learner's machine: the criteria stay pending, unless the report step's own readers
    # already refuse the file (a wrong column, an id twice, an empty prediction) or it is not ok at all
    from roadmap_ci.collect.predictions import Predictions

    lr = loaded(tmp_path)
    (tmp_path / "bundle").mkdir()

    def check(text: str | None, status: str = "ok", message: str = "") -> str | None:
        if text is not None:
            write(tmp_path / "bundle", text)
        ev = Evidence(deliverable="d", predictions=Predictions(
            path="out/predictions.csv", status=status, message=message,
            bundled_as="bundle/predictions.csv" if status == "ok" else None))
        return hidden.local_check(ev, lr, tmp_path)

    assert check("id,pred\nx1,1\nx2,0\n") is None  # ids unknown here: pending, not refused
    assert check("id,lable\nx1,1\n") == ("out/predictions.csv: the predictions file lacks the column(s) 'pred' "
                                         "(found: 'id', 'lable')")
    assert check("id,pred\nx1,1\nx1,0\n") == "out/predictions.csv:3: id 'x1' is predicted twice (first on line 2)"
    assert check("id,pred\nx1,\n") == "out/predictions.csv:2: empty 'pred' for id 'x1'"
    assert check(None, "stale", "stale: written by stage 'predict', which did not run in this run") == (
        "out/predictions.csv is stale: written by stage 'predict', which did not run in this run")
    assert check(None, "invalid", "not UTF-8") == "out/predictions.csv: invalid: not UTF-8"
    assert hidden.local_check(Evidence(deliverable="d"), lr, tmp_path) == (
        "no predictions file was produced (declare predictions: in .roadmap-ci.yml)")
    # scored with that reason: 0 and missing, as CI will say -- not pending
    ev = hidden.apply(Evidence(deliverable="d"), hidden.HiddenResult(None, "out/predictions.csv: invalid: x"))
    c = score(ev, lr).criteria[0]
    assert (c.status, c.points) == ("missing", 0) and "out/predictions.csv: invalid: x" in c.reason
    # once the metrics are there (the report step, a demo), nothing is pre-checked
    assert hidden.local_check(Evidence(deliverable="d", hidden={"public.accuracy": 1.0}), lr, tmp_path) is None


# ---------------------------------------------------------------- where labels live


def test_only_practice_labels_are_packaged_and_none_is_shipped_in_a_template():
    """labels/ holds the practice labels (public: the generators make them from a fixed seed without a course
    secret); they ship in the wheel so a repo without a mentor's labels still gets practice feedback. Graded
    labels come from a course secret and never enter this repository."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"].get("labels") == "roadmap_ci/_bundled/labels"
    label_files = sorted((root / "labels").glob("*.csv"))
    shipped = {p.read_bytes() for p in (root / "templates").rglob("*.csv")}
    shipped |= {p.read_bytes() for p in (root / "rubrics").rglob("*") if p.is_file()}
    for lab in label_files:
        assert lab.read_bytes() not in shipped, f"{lab.name} is copied into a template or rubrics/"


# ---------------------------------------------------------------- ranking (recommenders, retrieval)


def test_ranking_metrics_by_hand():
    # user 1: relevant {a, b}; top-3 [a, x, b] -> hits at ranks 1 and 3
    # user 2: relevant {c}; top-3 [x, y, z] -> no hit
    got = metrics.ranking_metrics([frozenset("ab"), frozenset("c")], [list("axb"), list("xyz")], k=3)
    dcg1 = 1 + 1 / math.log2(4)
    idcg1 = 1 + 1 / math.log2(3)
    assert got["precision_at_k"] == pytest.approx((2 / 3 + 0) / 2)
    assert got["recall_at_k"] == pytest.approx((1 + 0) / 2)
    assert got["hit_rate_at_k"] == pytest.approx(0.5)
    assert got["ndcg_at_k"] == pytest.approx((dcg1 / idcg1 + 0) / 2)
    assert got["map_at_k"] == pytest.approx(((1 / 1 + 2 / 3) / 2 + 0) / 2)
    # only the top k count: the same lists at k=1
    one = metrics.ranking_metrics([frozenset("ab"), frozenset("c")], [list("axb"), list("xyz")], k=1)
    assert one["precision_at_k"] == one["hit_rate_at_k"] == 0.5 and one["recall_at_k"] == 0.25


def test_ndcg_matches_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = random.Random(3)
    universe = [f"i{n}" for n in range(30)]
    k = 5
    relevant, ranked, y_true, y_score = [], [], [], []
    for _ in range(40):
        rel = frozenset(rng.sample(universe, rng.randint(1, 8)))
        recs = rng.sample(universe, k)
        relevant.append(rel)
        ranked.append(recs)
        y_true.append([1 if i in rel else 0 for i in universe])
        y_score.append([k - recs.index(i) if i in recs else 0 for i in universe])
    got = metrics.ranking_metrics(relevant, ranked, k)["ndcg_at_k"]
    assert got == pytest.approx(sk.ndcg_score(y_true, y_score, k=k))


RANK_LABELS = "user,item,split\nu1,a,public\nu1,b,public\nu2,c,private\nu3,d,private\nu3,e,private\n"


def rank_spec(**kw) -> HiddenLabels:
    return spec(**{"task": "ranking", "id_column": "user", "target_column": "item", "prediction_column": "item",
                   "k": 2, "metrics": ["precision_at_k", "recall_at_k", "ndcg_at_k"], **kw})


def test_ranking_predictions_by_score_or_file_order(tmp_path):
    lab = write(tmp_path, RANK_LABELS, "labels.csv")
    # by score: u1 -> [a (0.9), x (0.5), b (0.1)]; u2 -> [c]; u3 -> [y, d]
    preds = write(tmp_path, "user,item,score\nu1,b,0.1\nu1,a,0.9\nu1,x,0.5\nu2,c,3\nu3,y,2\nu3,d,1\n")
    got = hidden.score_predictions(rank_spec(score_column="score"), lab, preds)
    assert got["public.precision_at_k"] == pytest.approx(1 / 2) and got["public.recall_at_k"] == pytest.approx(1 / 2)
    # private: u2 precision 1/2 (one item of k=2), recall 1; u3 precision 1/2, recall 1/2
    assert got["private.precision_at_k"] == pytest.approx(1 / 2)
    assert got["private.recall_at_k"] == pytest.approx((1 + 1 / 2) / 2)
    # without a score column the file's order ranks: u1 -> [b, a] -> both relevant
    plain = hidden.score_predictions(rank_spec(), lab, preds)
    assert plain["public.recall_at_k"] == 1.0 and plain["public.ndcg_at_k"] == pytest.approx(1.0)


@pytest.mark.parametrize(("text", "message"), [
    ("user,item\nu1,a\nu1,a\nu2,c\nu3,d\n", "predictions.csv:3: item 'a' is recommended twice for id 'u1' "
                                            "(first on line 2)"),
    ("user,item\nu1,a\nu9,a\nu2,c\nu3,d\n", "predictions.csv:3: id 'u9' is not in the hidden test set"),
    ("user,item\nu1,a\nu2,c\n", "predictions.csv: 1 of 3 ids of the hidden test set have no prediction (e.g. 'u3')"),
    ("user,item\nu1,\nu2,c\nu3,d\n", "predictions.csv:2: empty 'item' for id 'u1'"),
    ("user,thing\nu1,a\n", "predictions.csv: the predictions file lacks the column(s) 'item' (found: 'user', 'thing')"),
])
def test_bad_ranking_predictions_are_one_line(tmp_path, text, message):
    lab = write(tmp_path, RANK_LABELS, "labels.csv")
    with pytest.raises(HiddenError) as err:
        hidden.score_predictions(rank_spec(), lab, write(tmp_path, text))
    assert str(err.value) == message


def test_bad_ranking_labels_are_one_line(tmp_path):
    preds = write(tmp_path, "user,item\nu1,a\n")
    lab = write(tmp_path, "user,item,split\nu1,a,public\nu1,b,private\n", "labels.csv")
    with pytest.raises(HiddenError, match=r"labels.csv:3: id 'u1' is in both splits"):
        hidden.score_predictions(rank_spec(), lab, preds)
    lab = write(tmp_path, "user,item,split\nu1,a,public\nu1,a,public\n", "labels.csv")
    with pytest.raises(HiddenError, match=r"labels.csv:3: item 'a' appears twice for id 'u1'"):
        hidden.score_predictions(rank_spec(), lab, preds)


def test_metrics_must_suit_the_task():
    with pytest.raises(ValueError, match=r"ndcg_at_k does not apply to task 'classification' \(allowed: accuracy"):
        spec(metrics=["accuracy", "ndcg_at_k"])
    with pytest.raises(ValueError, match=r"f1 does not apply to task 'ranking' \(allowed: ndcg_at_k"):
        rank_spec(metrics=["f1"])
    with pytest.raises(ValueError, match=r"unknown metric\(s\) fscore \(allowed: accuracy"):
        spec(metrics=["fscore"])


def test_the_shipped_labels_are_practice_and_a_mentors_are_not(tmp_path):
    from roadmap_ci.paths import labels_dir, rubrics_dir
    from roadmap_ci.score.hidden import hidden_metrics, is_practice
    from roadmap_ci.score.load import load_rubric

    shipped = labels_dir() / "tabular-classification.csv"
    assert is_practice(shipped)
    mentors = tmp_path / "labels.csv"
    mentors.write_bytes(shipped.read_bytes())
    assert not is_practice(mentors)
    loaded = load_rubric(rubrics_dir() / "tabular-classification.yaml")
    rows = shipped.read_text().splitlines()[1:]
    preds = tmp_path / "preds.csv"
    preds.write_text("id,churned,churn_probability\n" + "".join(f"{r.split(',')[0]},0,0.1\n" for r in rows))
    practice = hidden_metrics(loaded, preds)  # the bundled rubric's own source: the practice labels
    assert practice.error is None and practice.practice
    course = hidden_metrics(loaded, preds, labels_file=mentors)
    assert course.metrics == practice.metrics and not course.practice
