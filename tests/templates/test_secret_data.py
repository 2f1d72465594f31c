"""Secret-seeded hidden data: the public generator code does not reproduce a course's hidden labels.

For every template whose ``generate_data.generate`` takes ``secret=``/``learner=`` (docs/templates.md), the
attack the hidden labels must survive is the one a learner can mount: run the public generator with any
secret they can guess and hand the labels it writes in as predictions. Against the course secret's labels
that must score as chance. Rows are matched by id where the ids agree, else by position in the file (the
strongest pairing a forger has once ids differ).

Each template adds one line to ``CASES``: the metric to read and the band a forgery must stay inside.
Templates whose hidden rows are questions over a world the learner gets (``QUESTIONS``) also face the
stronger forgery: the same question looked up in the practice world or a guessed secret's world. The
generators' command line (``--secret-file``, ``--learner``) is checked too.
"""

from __future__ import annotations

import atexit
import csv
import functools
import inspect
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from _kit import ROOT, load_generator

from roadmap_ci.score.hidden import score_predictions
from roadmap_ci.score.load import load_rubric

COURSE = b"course-secret-of-the-mentor-0001"
GUESS = b"a-learner-s-guess-at-the-secret-02"


@dataclass(frozen=True)
class Case:
    metric: str  # a metric of the rubric's hidden_labels, on the private split
    low: float  # a forgery scores within [low, high]
    high: float


# template id -> what a forgery may score at most / at least. Keep the band tight: it is the test.
CASES: dict[str, Case] = {
    "tabular-classification": Case("roc_auc", 0.45, 0.55),
    "tabular-regression": Case("r2", -10.0, 0.05),
    "unsupervised": Case("roc_auc", 0.45, 0.55),
    "imbalanced-tuning": Case("roc_auc", 0.45, 0.55),
    "ml-pipeline": Case("roc_auc", 0.45, 0.55),
    # every learner forecasts the same (series, day) rows, so the forgery is aligned: a sample path simulated
    # with a guessed process. It scores about the untouched seasonal-naive baseline (private WAPE 50-55 over
    # the benchmark's course secrets, 53 on the practice data; docs/performance.md), far from the
    # improvement path's ≈ 29: a forecast, not a shortcut to the grade.
    "time-series": Case("wape", 50.0, 1000.0),
    "capstone-rag-docqa": Case("accuracy", 0.0, 0.15),  # ~30 gold sections + "unanswerable": chance ≈ 0.05
    "agent-app": Case("accuracy", 0.0, 0.25),  # answers "yes", "1", amounts, ids: all "yes" gets ≈ 0.19
    "capstone-recsys": Case("ndcg_at_k", 0.0, 0.02),  # 1,000 products: a random top 10 ≈ 0.01
    "gnn": Case("accuracy", 0.10, 0.25),  # 6 topics, shares 0.12-0.24: chance agreement = sum(share²) ≈ 0.18
    "image-classifier": Case("accuracy", 0.05, 0.16),  # 10 digits, mildly imbalanced: ≈ 0.10
    "nlp-pipeline": Case("accuracy", 0.18, 0.33),  # 4 teams, shares 0.2-0.3: ≈ 0.26
    "rag-chatbot": Case("accuracy", 0.0, 0.06),  # ≈ 60 gold sections, shares ≤ 0.05: ≈ 0.02
    "recsys": Case("ndcg_at_k", 0.0, 0.02),  # 1,500 films: a random top 10 ≈ 0.005; the popularity baseline ≈ 0.06
}


def _supports_secret(template: str) -> bool:
    gen_file = ROOT / "templates" / template / "generate_data.py"
    if not gen_file.is_file():
        return False
    params = inspect.signature(load_generator(template).generate).parameters
    return "secret" in params and "learner" in params


_GENERATED: dict[tuple[str, bytes | None, str | None], Path] = {}  # per test process (files run on one worker)


def _generate(template: str, where: Path, secret: bytes | None, learner: str | None = None) -> Path:
    """The generator's output for (secret, learner) in ``where`` (raw/ and labels.csv). Generated once per test
    process into a folder of its own, then copied, so the same course's data (several tests read the course's
    and the guessed secret's) is not drawn again, and no test sees files another test wrote."""
    key = (template, secret, learner)
    if key not in _GENERATED:
        made = Path(tempfile.mkdtemp(prefix=f"secret-data-{template}-"))
        atexit.register(shutil.rmtree, made, True)
        load_generator(template).generate(made / "raw", made / "labels.csv", secret=secret, learner=learner)
        _GENERATED[key] = made
    shutil.copytree(_GENERATED[key], where, dirs_exist_ok=True)
    return where / "labels.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def forge(spec, truth: Path, guessed: Path, out: Path) -> Path:  # type: ignore[no-untyped-def]
    """Write ``guessed``'s labels as a predictions file keyed by ``truth``'s ids (by id, else by position)."""
    true_rows, guess_rows = _rows(truth), _rows(guessed)
    fields = [spec.id_column, spec.prediction_column] + ([spec.score_column] if spec.score_column else [])
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(fields)
        if spec.task == "ranking":
            truth_ids = list(dict.fromkeys(r[spec.id_column] for r in true_rows))
            by_guess: dict[str, list[str]] = {}
            for r in guess_rows:
                by_guess.setdefault(r[spec.id_column], []).append(r[spec.target_column])
            guess_lists = list(by_guess.values())
            for i, uid in enumerate(truth_ids):
                items = by_guess.get(uid) or guess_lists[i % len(guess_lists)]
                for rank, item in enumerate(dict.fromkeys(items)):
                    writer.writerow([uid, item] + ([len(items) - rank] if spec.score_column else []))
            return out
        guess_by_id = {r[spec.id_column]: r[spec.target_column] for r in guess_rows}
        for i, r in enumerate(true_rows):
            value = guess_by_id.get(r[spec.id_column], guess_rows[i % len(guess_rows)][spec.target_column])
            row = [r[spec.id_column], value]
            if spec.score_column:
                row.append(1.0 if value == spec.positive_label else 0.0)
            writer.writerow(row)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(CASES))
def test_labels_from_a_guessed_secret_score_as_chance(template, tmp_path):
    assert _supports_secret(template), f"templates/{template}/generate_data.py: generate() takes no secret"
    spec = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.hidden_labels
    assert spec is not None
    (tmp_path / "course").mkdir()
    (tmp_path / "guess").mkdir()
    truth = _generate(template, tmp_path / "course", COURSE)
    guessed = _generate(template, tmp_path / "guess", GUESS)
    practice = ROOT / "labels" / f"{template}.csv"
    assert truth.read_bytes() != guessed.read_bytes()
    assert truth.read_bytes() != practice.read_bytes(), "the secret's labels equal the public practice labels"
    case = CASES[template]
    for forged_from in (guessed, practice):
        preds = forge(spec, truth, forged_from, tmp_path / f"forged-{forged_from.parent.name}.csv")
        value = score_predictions(spec, truth, preds)[f"private.{case.metric}"]
        assert case.low <= value <= case.high, (
            f"{template}: labels from {forged_from.name} score private.{case.metric}={value:.3f} "
            f"against the course's, outside the chance band [{case.low}, {case.high}]")


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(CASES))
def test_each_learner_gets_their_own_ids(template, tmp_path):
    spec = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.hidden_labels
    ids = []
    for login in ("alice", "bob"):
        (tmp_path / login).mkdir()
        labels = _generate(template, tmp_path / login, COURSE, learner=login)
        ids.append({r[spec.id_column] for r in _rows(labels)})
    assert ids[0] and ids[1]
    overlap = len(ids[0] & ids[1]) / min(len(ids[0]), len(ids[1]))
    assert overlap <= 0.05, f"{template}: {overlap:.0%} of two learners' hidden ids are the same"


def test_every_case_names_a_metric_its_rubric_computes():
    for template, case in CASES.items():
        spec = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.hidden_labels
        assert spec is not None and case.metric in spec.metrics, template
        assert case.low < case.high, template


@dataclass(frozen=True)
class Questions:
    """A template whose hidden rows are questions over a shipped world: where its question sets live."""

    hidden: str  # data/raw file: id column + question (no answers)
    dev: str  # data/raw file: the development questions with their answers
    answer: str  # the answer's column in ``dev`` (and the labels' target)
    found: float  # the share of the course's hidden questions the forger finds asked in another world, at least
    high: float  # what answering by looking the question up may score at most


# Templates whose hidden data is questions over a world the learner gets (docs/templates.md).
QUESTIONS = {
    # a course numbers every document's sections in its own layout ("16-1-plans"), so a practice or guessed
    # world's gold sections name none of the course's; only "unanswerable" (the commonest label, a sixth of
    # the questions) carries over, which is what answering "unanswerable" to everything gets; a course asks
    # every paraphrase of a hidden fact (six, the practice files three) and 30 unanswerable questions (the
    # practice files 14), so about 40 % of its hidden questions are asked in the practice world
    "capstone-rag-docqa": Questions("questions.csv", "qa.csv", "section_id", 0.35, 0.25),
    # answering blindly by kind of question ("yes", "1", …) gets ≈ 0.30: no more may carry over
    "agent-app": Questions("test_tasks.csv", "dev_tasks.csv", "answer", 0.03, 0.40),
    # the same questions are asked of every world: their gold sections must not carry over (a course's
    # catalogue is three times the practice one, so about a third of its questions are asked in the practice world)
    "rag-chatbot": Questions("questions.csv", "qa.csv", "section_id", 0.3, 0.10),
}


def _kind(question: str) -> str:
    """What kind of question it is: its first words, numbers masked ("Is order # still")."""
    return " ".join(re.sub(r"\d+", "#", question).split()[:4])


def _answer_book(raw: Path, labels: Path, q: Questions, id_column: str) -> dict[str, str]:
    """Question text -> answer, from every question of one generated world (dev answers and hidden labels)."""
    book = {r["question"]: r[q.answer] for r in _rows(raw / q.dev)}
    answers = {r[id_column]: r[q.answer] for r in _rows(labels)}
    book.update({r["question"]: answers[r[id_column]] for r in _rows(raw / q.hidden)})
    return book


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(QUESTIONS))
def test_answers_looked_up_by_question_text_score_as_chance(template, tmp_path):
    """The stronger forgery for question sets: the same question asked of the practice world, or of a world
    from a guessed secret, must not carry its answer over to the course's world."""
    spec = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.hidden_labels
    q = QUESTIONS[template]
    for name in ("course", "guess"):
        (tmp_path / name).mkdir()
    truth = _generate(template, tmp_path / "course", COURSE)
    guessed = _generate(template, tmp_path / "guess", GUESS)
    practice_raw = load_generator(template).RAW
    books = {"practice": _answer_book(practice_raw, ROOT / "labels" / f"{template}.csv", q, spec.id_column),
             "guess": _answer_book(guessed.parent / "raw", guessed, q, spec.id_column)}
    asked = _rows(tmp_path / "course" / "raw" / q.hidden)
    for name, book in books.items():
        found = sum(r["question"] in book for r in asked)
        assert found >= q.found * len(asked), f"the forgery finds {found} of {len(asked)} questions"
        blind: dict[str, Counter[str]] = {}  # a question not found gets the commonest answer to its kind
        for question, answer in book.items():
            blind.setdefault(_kind(question), Counter())[answer] += 1
        commonest = Counter(book.values()).most_common(1)[0][0]
        preds = tmp_path / f"looked-up-{name}.csv"
        with preds.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([spec.id_column, spec.prediction_column])
            writer.writerows([r[spec.id_column], book.get(r["question"]) or (
                blind[_kind(r["question"])].most_common(1)[0][0] if _kind(r["question"]) in blind else commonest)]
                for r in asked)
        value = score_predictions(spec, truth, preds)["private.accuracy"]
        print(f"{template}: looked up in the {name} world ({found} found): private.accuracy={value:.3f}")
        assert value <= q.high, f"{template}: answers looked up in the {name} world score {value:.3f} > {q.high}"


def _cli(template: str, *args: str) -> subprocess.CompletedProcess[str]:
    gen_file = ROOT / "templates" / template / "generate_data.py"
    return subprocess.run([sys.executable, str(gen_file), *args], capture_output=True, text=True)


@pytest.mark.slow  # an interpreter per template, importing its numeric stack
@pytest.mark.parametrize("template", sorted(CASES))
def test_the_cli_refuses_a_bad_secret_file_in_one_line(template, tmp_path):
    short = tmp_path / "secret.txt"
    short.write_text("too-short\n")
    out = ["--out", str(tmp_path / "raw"), "--labels", str(tmp_path / "labels.csv")]
    res = _cli(template, *out, "--secret-file", str(short))
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "secret.txt" in res.stderr, res.stderr
    res = _cli(template, *out, "--secret-file", str(tmp_path / "missing.txt"))
    assert res.returncode == 2 and "missing.txt" in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert not (tmp_path / "labels.csv").exists()


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(CASES))
def test_the_cli_writes_the_learner_s_data(template, tmp_path):
    key = tmp_path / "secret.txt"
    key.write_bytes(COURSE + b"\n")  # surrounding white space is not part of the secret
    res = _cli(template, "--out", str(tmp_path / "cli" / "raw"), "--labels", str(tmp_path / "cli" / "labels.csv"),
               "--secret-file", str(key), "--learner", "Alice")
    assert res.returncode == 0, res.stderr
    (tmp_path / "api").mkdir()
    labels = _generate(template, tmp_path / "api", COURSE, learner="alice")  # logins are case-insensitive
    assert (tmp_path / "cli" / "labels.csv").read_bytes() == labels.read_bytes()


def _raw_suites(template: str) -> list[Path]:
    """The template's GX suites that check a ``data/raw`` file: the data a course secret replaces."""
    gx_dir = ROOT / "templates" / template / "{{cookiecutter.project_slug}}" / "gx"

    def data_file(suite: Path) -> str:
        return str(json.loads(suite.read_text(encoding="utf-8")).get("meta", {}).get("data_file", ""))

    return [p for p in sorted(gx_dir.glob("*.json")) if data_file(p).startswith("data/raw/")]


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(CASES))
def test_a_course_s_data_passes_the_template_s_raw_data_checks(template, tmp_path):
    """A course's data is the learner's data: the template's own checks of ``data/raw`` (the suites
    ``evaluate`` runs on every push) must pass on it as on the practice data, or every learner of a course
    loses the data-checks points and reads failures they did not cause."""
    from roadmap_ci.collect import data
    from roadmap_ci.collect._context import Context

    suites = _raw_suites(template)
    assert suites, f"templates/{template}: no GX suite checks a data/raw file"
    gx_context = functools.cache(data.ephemeral_context)  # one context per test, as the collector keeps one

    for k, (name, secret) in enumerate((("practice", None), ("course", COURSE))):
        repo = tmp_path / name
        (repo / "data").mkdir(parents=True)
        if secret is None:
            shutil.copytree(load_generator(template).RAW, repo / "data" / "raw")
        else:
            _generate(template, repo / "data", secret, learner="alice")
        shutil.copytree(suites[0].parent, repo / "gx")
        ctx = Context(repo=repo.resolve(), out_dir=tmp_path, config=None)  # type: ignore[arg-type]
        failed = []
        for i, suite_file in enumerate(suites):
            result = data._one(ctx, 100 * k + i, f"gx/{suite_file.name}", gx_context)  # a data source each
            failed += [f"{suite_file.name}: {result.message}"] if result.status == "error" else [
                f"{suite_file.name}: {e.type}({e.column}) {e.partial_unexpected[:3]}"
                for e in result.expectations if not e.success]
        assert not failed, f"{template}, {name} data: " + "; ".join(failed)
