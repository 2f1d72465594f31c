"""Grade's fast paths: the verdicts of the shared validation, at cohort scale.

``cohort grade`` reads 150,000 commit folders for a full roadmap; the shared code that ``ci-report`` and
``collect`` validate with (:func:`roadmap_ci.ci.artifact.load_bundle`,
:func:`roadmap_ci.score.files.read_predictions`) streams and re-checks everything, file by file. Each function here
handles the common, well-formed case and returns ``None`` for anything else -- then the caller runs the shared
code, which gives the verdict and explains the error in its own words. So a fast path never accepts what the shared
code refuses, nor says anything the shared code would not.

- :func:`trusted_evidence`: an ``evidence.json`` whose bytes still have the sha256 that ``collect`` recorded
  in the provenance when it validated the artifact with ci-report's code is parsed (with the schema, in Rust)
  without the artifact checks again; a changed file, or a folder collected before the digests, is not.
- :func:`predictions`: a predictions CSV with no quotes and no carriage returns splits exactly as
  :mod:`csv` splits it; the rows are then checked as ``read_predictions`` checks them, and any row it
  would refuse sends the whole file to it.
"""

from __future__ import annotations

import math
import operator
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from roadmap_ci import evidence as _evidence
from roadmap_ci import safeio as _safeio
from roadmap_ci.cohort import store
from roadmap_ci.errors import HiddenError, RoadmapError
from roadmap_ci.score import files
from roadmap_ci.score import metrics as score_metrics


def trusted_evidence(root: Path | str, prov: store.Provenance, data: bytes | None = None,
                     sha: str | None = None) -> tuple[Any, str | None, str | None, str | None] | None:
    """(evidence, predictions copy, the copy's recorded sha256, the copy's path relative to ``root``) when
    ``evidence.json`` is as collect stored it.

    ``data``: the evidence file's bytes when the caller has read them (at most ``MAX_EVIDENCE_BYTES + 1``);
    ``sha``: their sha256, when the caller has computed it."""
    want = prov.files.get(store.EVIDENCE)
    if not want:
        return None
    root = os.fspath(root)
    if data is None:
        sha = None
        try:
            with open(os.path.join(root, store.EVIDENCE), "rb") as fh:
                data = fh.read(_evidence.MAX_EVIDENCE_BYTES + 1)
        except OSError:
            return None
    if len(data) > _evidence.MAX_EVIDENCE_BYTES or (sha if sha is not None else store.digest(data)) != want:
        return None
    try:  # strict UTF-8 without a BOM: the text encodes back to these bytes, whose sha256 is ``want``
        ev = _evidence.parse_evidence_fast(_safeio.decode_text(data, store.EVIDENCE, "evidence file"),
                                           store.EVIDENCE, sha256=None if data.startswith(b"\xef\xbb\xbf") else want)
    except RoadmapError:
        return None
    if ev.predictions is None or not ev.predictions.bundled_as:
        return ev, None, None, None
    bundled = ev.predictions.bundled_as
    parts = bundled.split("/")
    if all(parts) and "." not in parts:  # a plain relative path: PurePosixPath's parts and as_posix() are these
        name, rel_parts = bundled, parts
    else:
        rel = PurePosixPath(bundled)
        if rel.is_absolute():
            return None
        name, rel_parts = rel.as_posix(), list(rel.parts)
    if ".." in rel_parts or "\\" in bundled or name not in prov.files:
        return None
    return ev, os.path.join(root, *rel_parts), prov.files[name], os.path.join(*rel_parts) if rel_parts else "."


def _finite(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


_MEMO: dict[bool, dict[str, str]] = {}  # per process: (regression?) -> raw prediction text -> its canonical label
_PLAIN = " \t\x0b\x0c\x1c\x1d\x1e\x1f"  # what ``str.strip`` removes from ASCII text, line breaks aside

Columns = tuple[list[str], list[str], list[float] | None]  # ids, canonical predictions, scores (or None), in row order


def columns(data: bytes, spec: Any, labels: Mapping[str, Any], *, tsv: bool = False) -> Columns | None:
    """``files.read_predictions``'s result for a well-formed file as three columns in row order, else None."""
    if spec.task == "ranking" or not data or len(data) > files.MAX_PREDICTIONS_BYTES:
        return None
    if b"\x00" in data or b'"' in data or b"\r" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    # a line longer than one cell may be (in characters) could break a cap: the shared reader decides
    if len(text) > files.MAX_FIELD_CHARS and max(map(len, lines)) > files.MAX_FIELD_CHARS:
        return None
    delimiter = "\t" if tsv else ","
    if "" in lines:  # blank lines (the last newline's included) hold no row
        lines = [ln for ln in lines if ln]
    if not lines or len(lines) > files.MAX_PREDICTION_ROWS + 1:
        return None
    header = [h.strip() for h in lines[0].split(delimiter)]
    width = len(header)
    if width > _safeio.CSV_MAX_FIELDS or len(set(header)) != width:
        return None
    needs_score = any(m in score_metrics.SCORE_METRICS for m in spec.metrics)
    if needs_score and not spec.score_column:
        return None
    wanted = [spec.id_column, spec.prediction_column] + ([spec.score_column] if needs_score else [])
    if any(col not in header for col in wanted):
        return None
    ci, pi = header.index(spec.id_column), header.index(spec.prediction_column)
    si = header.index(spec.score_column) if needs_score else -1
    regression = spec.task == "regression"
    memo = _MEMO.setdefault(regression, {})
    if len(memo) > 100_000:
        memo.clear()
    body = lines[1:]
    if not needs_score:  # whole columns at once: the same checks as the row loop below, in C
        if not body:
            return ([], [], None) if not labels else None
        if set(map(operator.methodcaller("count", delimiter), body)) != {width - 1}:
            return None  # a row of another width
        cells = delimiter.join(body).split(delimiter)  # every row has ``width`` cells: row after row
        keys, raws = cells[ci::width], cells[pi::width]
        if not text.isascii() or any(ch in text for ch in _PLAIN):  # else strip() would change nothing
            keys, raws = list(map(str.strip, keys)), list(map(str.strip, raws))
        if not all(keys) or not all(raws):
            return None
        # the labels' ids in their file's order (the usual case) are distinct, as many as the labels, and known
        if keys != _order(labels) and (len(set(keys)) != len(keys) or len(keys) != len(labels)
                                       or not all(map(labels.__contains__, keys))):
            return None
        for raw in set(raws).difference(memo):
            if regression and _finite(raw) is None:
                return None
            memo[raw] = score_metrics.canonical_label(raw)
        return keys, list(map(memo.__getitem__, raws)), None
    keys, values, scores = [], [], []
    seen: set[str] = set()
    for row in (ln.split(delimiter) for ln in body):
        if len(row) != width:
            return None
        key, raw = row[ci].strip(), row[pi].strip()
        if not key or not raw or key in seen or key not in labels:
            return None
        score = _finite(row[si].strip())
        if score is None or (regression and _finite(raw) is None):
            return None
        seen.add(key)
        keys.append(key)
        values.append(score_metrics.canonical_label(raw))
        scores.append(score)
    if len(keys) != len(labels):  # every id is a label's and none twice: equal counts, every label predicted
        return None
    return keys, values, scores


def predictions(data: bytes, spec: Any, labels: Mapping[str, Any], *, tsv: bool = False) -> dict[str, Any] | None:
    """``files.read_predictions``'s result for a well-formed file, else None (then ask it)."""
    got = columns(data, spec, labels, tsv=tsv)
    if got is None:
        return None
    keys, values, scores = got
    return {k: score_metrics.Prediction(v, s) for k, v, s in zip(keys, values, scores or [None] * len(keys),
                                                                  strict=True)}


# id(labels) -> (labels, its ids in file order, per split with rows: (split, ids sorted, true labels, positions))
_SPLITS: dict[int, tuple[Any, list[str], list[tuple[str, list[str], list[str], list[int]]]]] = {}


def _indexed(labels: Mapping[str, Any]) -> tuple[list[str], list[tuple[str, list[str], list[str], list[int]]]]:
    """The labels' ids in file order, and per split: its ids sorted (as ``compute`` lists them), their true
    labels and their positions in file order -- once per labels file, not per learner."""
    got = _SPLITS.get(id(labels))
    if got is not None and got[0] is labels:
        return got[1], got[2]
    order = list(labels)
    at = {k: i for i, k in enumerate(order)}
    out = []
    for split in score_metrics.SPLITS:
        ids = sorted(k for k, lab in labels.items() if lab.split == split)
        if ids:
            out.append((split, ids, [labels[k].target for k in ids], [at[k] for k in ids]))
    if len(_SPLITS) > 64:
        _SPLITS.clear()
    _SPLITS[id(labels)] = (labels, order, out)
    return order, out


def _order(labels: Mapping[str, Any]) -> list[str]:
    return _indexed(labels)[0]


_VALUE, _SCORE = operator.attrgetter("value"), operator.attrgetter("score")
_LABEL_METRICS = ("accuracy", "precision", "recall", "f1")


def _accuracy(pairs: Counter[tuple[str, str]], y_true: list[str]) -> float:
    """``metrics.accuracy``: rows whose prediction equals the label, over the rows."""
    if not y_true:
        score_metrics._same_length(y_true, y_true)  # its error: no rows to score
    return sum(n for (t, p), n in pairs.items() if t == p) / len(y_true)


def _precision_recall_f1(pairs: Counter[tuple[str, str]], y_true: list[str], y_pred: list[str],
                         positive: str | None) -> tuple[float, float, float]:
    """``metrics.precision_recall_f1`` from the (label, prediction) counts: the same integers per class, then
    the same ``_prf`` and the same running sums."""
    score_metrics._same_length(y_true, y_pred)
    classes = [positive] if positive is not None else sorted(set(y_true) | set(y_pred))
    sums = [0.0, 0.0, 0.0]
    for c in classes:
        tp = pairs.get((c, c), 0)
        fp = y_pred.count(c) - tp
        fn = y_true.count(c) - tp
        for i, v in enumerate(score_metrics._prf(tp, fp, fn)):
            sums[i] += v
    n = len(classes)
    return sums[0] / n, sums[1] / n, sums[2] / n


def metrics(spec: Any, labels: Mapping[str, Any], preds: Mapping[str, Any]) -> dict[str, float]:
    """``metrics.compute(spec, labels, preds)`` (see :func:`metrics_of`)."""
    keys = list(preds)
    got = list(preds.values())
    return metrics_of(spec, labels, (keys, list(map(_VALUE, got)), list(map(_SCORE, got))))


def metrics_of(spec: Any, labels: Mapping[str, Any], cols: Columns) -> dict[str, float]:
    """``metrics.compute(spec, labels, preds)`` for predictions given as :func:`columns` (every label's id
    once): each split's ids sorted once per labels file (not per learner), and precision, recall and f1 from
    one pass (the same function ``compute`` calls for each)."""
    problem = score_metrics.metrics_problem(spec.metrics, spec.task)
    if problem:
        raise HiddenError(problem)
    positive = score_metrics.canonical_label(spec.positive_label) if spec.positive_label is not None else None
    keys, values, scores_col = cols
    order, splits = _indexed(labels)
    at = None
    if keys != order:  # rows in another order: each label's row found by its id
        pos = {k: i for i, k in enumerate(keys)}
        at = pos.__getitem__
    out: dict[str, float] = {}
    for split, ids, y_true, rows in splits:
        if at is not None:
            rows = list(map(at, ids))
        y_pred = list(map(values.__getitem__, rows))
        scores = list(map(scores_col.__getitem__, rows)) if scores_col is not None else [None] * len(rows)
        prf = None
        pairs: Counter[tuple[str, str]] | None = None
        for m in spec.metrics:
            try:
                if m in _LABEL_METRICS:  # counted in C; the same sums, in the same order, as metrics.py's
                    if pairs is None:
                        pairs = Counter(zip(y_true, y_pred, strict=True))
                    if m == "accuracy":
                        value = _accuracy(pairs, y_true)
                    else:
                        if prf is None:
                            prf = _precision_recall_f1(pairs, y_true, y_pred, positive)
                        value = prf[_LABEL_METRICS.index(m) - 1]
                else:
                    value = score_metrics._metric(m, spec, positive, y_true, y_pred, scores, split)
            except OverflowError:
                value = math.inf
            out[f"{split}.{m}"] = _in_range(f"{split}.{m}", value)
    return dict(sorted(out.items()))


def _in_range(name: str, value: float) -> float:
    """A metric's value, or the one-line error an overflow (inf, nan) is."""
    if not math.isfinite(value):
        raise HiddenError(f"{name}: the predictions or labels are too large to score (the metric overflows the float "
                          "range); keep values well below 1e150")
    return value


# ---------------------------------------------------------------- hidden metrics, per deliverable chunk

_CELL_OUT = '\n\r"\x00'  # never in a cell ``columns`` accepts (quotes, CR and NUL send a file to the shared reader)
TEMPLATE_MOST = 20_000  # label rows at most in a file template (a regex of one group per row)
# regular files of one (labels, header) a process reads through columns() before it builds their template:
# compiling one costs about 0.25 ms per label row, what the template saves on about 600 files, whatever the rows
TEMPLATE_AFTER = 256
# per process: (id(labels), delimiter, id column, prediction column, header line) -> [labels, regular files seen,
# the template (False: not built yet; None: none for this header)]
_TEMPLATES: dict[tuple[Any, ...], list[Any]] = {}


class ChunkHidden:
    """The hidden step for every learner of a deliverable chunk: one labels file, one spec, many predictions.

    Built once per (labels, spec): the labels' ids in file order and, per split, each true class's row
    positions (one ``itemgetter`` each). Per learner, :meth:`columns` and :meth:`metrics` give exactly what
    :func:`columns` and :func:`metrics_of` give:

    - a predictions file is first matched against a **template** of its header: once :func:`columns` has
      accepted ``TEMPLATE_AFTER`` files in this process whose ids are the labels' ids in the labels file's order
      (a cohort's worth: small cohorts and per-learner labels never pay the compile), every later file with
      the same header line is one ``re.fullmatch`` of ``header, then row after row: that id, a delimiter, a cell``
      (cells without a delimiter, line break, quote, CR or NUL; one optional last newline). A file the template
      matches is one :func:`columns` accepts with the same header, the same rows in the same order; the cells
      are then stripped, checked non-empty and canonicalised exactly as there. Anything else -- another header,
      another order, blank lines, a score column, a file near the caps -- goes to :func:`columns` (and from
      there, when irregular, to the shared reader), so the verdicts are its verdicts;
    - the label metrics (accuracy, precision, recall, f1) come from each split's true classes: one tuple of
      predictions per (split, true class), counted with ``tuple.count`` (accuracy, a positive label) or one
      ``Counter`` each (the macro average) -- the same integers ``metrics_of`` counts, then the same ``_prf`` and
      the same running sums in the same class order, so the floats are equal. Other metrics go through the
      scorer's own ``_metric`` as in ``metrics_of``.
    """

    def __init__(self, spec: Any, labels: Mapping[str, Any], *, tsv: bool = False) -> None:
        import re

        self.spec, self.labels, self.tsv = spec, labels, tsv
        self.delimiter = "\t" if tsv else ","
        self.order, self.splits = _indexed(labels)
        self.problem = score_metrics.metrics_problem(spec.metrics, spec.task)
        self.positive = (score_metrics.canonical_label(spec.positive_label)
                         if spec.positive_label is not None and not self.problem else None)
        self.regression = spec.task == "regression"
        self.needs_score = any(m in score_metrics.SCORE_METRICS for m in spec.metrics)
        self.matched = 0  # files read through a template
        self._key = (id(labels), self.delimiter, spec.id_column, spec.prediction_column)
        self._plain = spec.task != "ranking" and not self.needs_score and 0 < len(self.order) <= TEMPLATE_MOST
        out = re.escape(self.delimiter + _CELL_OUT)
        self._cell = f"([^{out}]*)"
        self._other = f"[^{out}]*"
        # per split: (split, [(true class, getter of its rows' predictions, its row count)], rows, true labels)
        self._classes = []
        for split, _ids, y_true, rows in self.splits:
            by: dict[str, list[int]] = {}
            for t, r in zip(y_true, rows, strict=True):
                by.setdefault(t, []).append(r)
            groups = [(t, _getter(rs), len(rs)) for t, rs in by.items()]
            self._classes.append((split, groups, rows, y_true))

    def _template(self, header: str) -> Any:
        """The compiled template of this header, or None when the labels' ids cannot be one's fixed text (each
        must be exactly as stripped, without a delimiter, line break, quote, CR or NUL)."""
        import re

        spec = self.spec
        if not all(k and k == k.strip() and not any(ch in k for ch in self.delimiter + _CELL_OUT) for k in self.order):
            return None
        cells = [h.strip() for h in header.split(self.delimiter)]
        ci, pi = cells.index(spec.id_column), cells.index(spec.prediction_column)
        d = re.escape(self.delimiter)
        parts = []
        for k in self.order:
            row = [re.escape(k) if j == ci else self._cell if j == pi else self._other for j in range(len(cells))]
            parts.append(d.join(row))
        return re.compile(re.escape(header) + "\n" + "\n".join(parts) + "\n?")

    def columns(self, data: bytes) -> Columns | None:
        """:func:`columns` of this file (None: as it says)."""
        if not self._plain or not data or len(data) > files.MAX_PREDICTIONS_BYTES:
            return columns(data, self.spec, self.labels, tsv=self.tsv)
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return None  # columns' verdict too
        header = text.partition("\n")[0]
        key = (*self._key, header)
        slot = _TEMPLATES.get(key)
        if slot is not None and slot[0] is not self.labels:  # another labels object that had the same id
            slot = None
        template = slot[2] if slot is not None else False
        got = template.fullmatch(text) if template is not False and template is not None else None
        if got is None:  # no template for this header (yet), or not a file it matches: columns decides
            cols = columns(data, self.spec, self.labels, tsv=self.tsv)
            if template is False and header and cols is not None and cols[0] == self.order:
                if slot is None:
                    if len(_TEMPLATES) > 64:
                        _TEMPLATES.clear()
                    slot = _TEMPLATES[key] = [self.labels, 0, False]
                slot[1] += 1
                if slot[1] >= TEMPLATE_AFTER:
                    # kept only when it matches this file itself: then its header line is the one columns read
                    # (the file's first line, not blank) and a file it matches has the same lines but the cells
                    built = self._template(header)
                    slot[2] = built if built is not None and built.fullmatch(text) else None
            return cols
        if len(text) > files.MAX_FIELD_CHARS and max(map(len, text.split("\n"))) > files.MAX_FIELD_CHARS:
            return None  # a line longer than one cell may be: columns refuses it too
        raws: Any = got.groups()
        self.matched += 1
        if not text.isascii() or any(ch in text for ch in _PLAIN):  # else strip() would change nothing
            raws = list(map(str.strip, raws))
        if not all(raws):
            return None
        memo = _MEMO.setdefault(self.regression, {})
        if len(memo) > 100_000:
            memo.clear()
        for raw in set(raws).difference(memo):
            if self.regression and _finite(raw) is None:
                return None
            memo[raw] = score_metrics.canonical_label(raw)
        return self.order, list(map(memo.__getitem__, raws)), None

    def metrics(self, cols: Columns) -> dict[str, float]:
        """:func:`metrics_of` ``(spec, labels, cols)``."""
        keys, values, scores_col = cols
        if self.problem or keys is not self.order and keys != self.order:
            return metrics_of(self.spec, self.labels, cols)  # its error, or rows in another order
        spec, positive = self.spec, self.positive
        out: dict[str, float] = {}
        for split, groups, rows, y_true in self._classes:
            n = len(rows)
            # each true class's predictions, as a tuple
            got = [(t, get(values) if size > 1 else (get(values),), size) for t, get, size in groups]
            prf = None
            y_pred = None
            for m in spec.metrics:
                try:
                    if m == "accuracy":  # rows whose prediction is their true class
                        value = sum([preds.count(t) for t, preds, _ in got]) / n
                    elif m in _LABEL_METRICS:
                        if prf is None:
                            prf = self._prf(got, positive)
                        value = prf[_LABEL_METRICS.index(m) - 1]
                    else:
                        if y_pred is None:
                            y_pred = list(map(values.__getitem__, rows))
                        scores = (list(map(scores_col.__getitem__, rows)) if scores_col is not None
                                  else [None] * n)
                        value = score_metrics._metric(m, spec, positive, y_true, y_pred, scores, split)
                except OverflowError:
                    value = math.inf
                out[f"{split}.{m}"] = _in_range(f"{split}.{m}", value)
        return dict(sorted(out.items()))

    @staticmethod
    def _prf(got: list[tuple[str, tuple[str, ...], int]], positive: str | None) -> tuple[float, float, float]:
        """``metrics.precision_recall_f1`` from each true class's predictions: per class the same tp, fp, fn
        (for ``positive`` alone: counted with ``tuple.count``; for the macro average: one ``Counter`` per class)."""
        if positive is not None:
            tp = predicted = true = 0
            for t, preds, size in got:
                k = preds.count(positive)
                predicted += k
                if t == positive:
                    tp, true = k, size
            p, r, f = score_metrics._prf(tp, predicted - tp, true - tp)
            return p + 0.0, r + 0.0, f + 0.0  # the running sums from 0.0, over one class
        counts = [(t, Counter(preds), size) for t, preds, size in got]
        all_predicted: Counter[str] = Counter()
        for _, c, _ in counts:
            all_predicted.update(c)
        sizes = {t: size for t, _, size in counts}
        by_true = {t: c for t, c, _ in counts}
        classes = sorted(set(sizes) | set(all_predicted))
        sums = [0.0, 0.0, 0.0]
        for c in classes:
            tp = by_true[c][c] if c in by_true else 0
            for i, v in enumerate(score_metrics._prf(tp, all_predicted[c] - tp, sizes.get(c, 0) - tp)):
                sums[i] += v
        k = len(classes)
        return sums[0] / k, sums[1] / k, sums[2] / k


def _getter(rows: list[int]) -> Any:
    """The predictions at these rows: a tuple (several rows) or the one value (one row), as ``itemgetter``."""
    return operator.itemgetter(*rows)


_CHUNK_HIDDEN: dict[tuple[int, int, bool], ChunkHidden] = {}  # per process: (labels, spec, tsv) -> its plan


def chunk_hidden(spec: Any, labels: Mapping[str, Any], tsv: bool) -> ChunkHidden:
    """The :class:`ChunkHidden` of these labels and spec (built once, kept while they are the ones in use)."""
    key = (id(labels), id(spec), tsv)
    got = _CHUNK_HIDDEN.get(key)
    if got is None or got.labels is not labels or got.spec is not spec:
        if len(_CHUNK_HIDDEN) > 16:
            _CHUNK_HIDDEN.clear()
        got = _CHUNK_HIDDEN[key] = ChunkHidden(spec, labels, tsv=tsv)
    return got


def _compiled(c: Any) -> Any:
    """A leaf criterion as one function of the evidence: its rule's fraction with ``explain=False``.

    The facts come from the namespaces' own resolvers (``facts.NAMESPACES``), called directly instead of through
    the rule and ``facts.resolve``; a ``metric:`` or ``hidden:`` number that the evidence holds is read from its
    dict, which is what ``number_fact`` returns for a key it holds. Everything else -- a missing value, a
    criterion relative to the base branch -- is the rule's own code."""
    from roadmap_ci import facts
    from roadmap_ci.score import model, scoring

    rule = scoring._RULES[type(c)]
    refs = c.parsed_refs
    resolvers = [facts.NAMESPACES[r.namespace].resolve for r in refs]
    linear = scoring._linear

    def by_rule(ev: Any) -> float:
        return rule(c, ev, None, False)[0]

    if isinstance(c, model.ThresholdCriterion):
        if c.relative_to is not None:
            return by_rule
        ref, resolve = refs[0], resolvers[0]
        lo, hi, higher = c.min, c.target, c.better == "higher"
        key = ref.key or ""
        field = {"metric": "metrics", "hidden": "hidden"}.get(ref.namespace)

        def threshold(ev: Any) -> float:
            if field is not None:
                values = getattr(ev, field)
                if values is not None and key in values:
                    return linear(float(values[key]), lo, hi, higher)
            fact = resolve(ev, ref, "number", None)
            return linear(float(fact.value), lo, hi, higher) if fact.kind == "number" else 0.0

        return threshold
    if isinstance(c, model.FractionCriterion):
        ref, resolve = refs[0], resolvers[0]
        lo, hi = c.min, c.target

        def fraction(ev: Any) -> float:
            f = resolve(ev, ref, "fraction", None).fraction  # None for a missing fact
            return linear(f, lo, hi, True) if f is not None else 0.0

        return fraction
    if isinstance(c, model.PassCriterion):
        ref, resolve = refs[0], resolvers[0]

        def passed(ev: Any) -> float:
            fact = resolve(ev, ref, "bool", None)
            return 1.0 if fact.kind != "missing" and fact.value else 0.0

        return passed
    if isinstance(c, model.ExistsCriterion):
        pairs = list(zip(refs, resolvers, strict=True))
        n = len(pairs)

        def exists(ev: Any) -> float:
            present = 0
            for ref, resolve in pairs:
                fact = resolve(ev, ref, "bool", None)
                if fact.kind == "bool" and fact.value:
                    present += 1
            return present / n  # (facts - absent) / facts, as the rule counts

        return exists
    return by_rule


def _points_of(fn: Any, weight: float) -> Any:
    """A criterion's points from its compiled fraction: clamped and rounded as ``scoring._outcome`` does."""

    def points(ev: Any) -> float:
        frac = fn(ev)
        if not 0.0 <= frac <= 1.0:
            frac = min(1.0, max(0.0, frac)) if math.isfinite(frac) else 0.0
        return round(weight * frac + 0.0, 2)  # scoring._pts

    return points


class Scorer:
    """``rescore.score_with`` for one plan, each criterion compiled once per plan (not per learner).

    Each leaf criterion is one function (:func:`_compiled`) giving its rule's fraction as the scorer's rule
    does with ``explain=False`` (``score_with`` calls them so); the points, pending points and totals are summed in
    the same order with the same rounding, so the totals are equal. A group criterion goes through the scorer's
    own ``_outcome``.
    """

    def __init__(self, p: Any) -> None:
        from roadmap_ci.score import scoring

        self._s = scoring
        self.steps = []
        for c in p.criteria:
            fn = _compiled(c) if type(c) in scoring._RULES else None
            self.steps.append((c, fn, bool(c.hidden_only), c.points, scoring._pts(c.points)))
        self.rubrics = [self._totals_of(p.new.rubric, p.new_picks)]
        if p.old is not None and p.old_picks is not None:
            self.rubrics.append(self._totals_of(p.old.rubric, p.old_picks))
        # no group criterion: with the hidden metrics computed (or failed) nothing is pending, and each criterion's
        # points are one call
        self._points = ([_points_of(fn, weight) for _, fn, _, weight, _ in self.steps]
                        if all(fn is not None for _, fn, _, _, _ in self.steps) else None)

    def _totals_of(self, rubric: Any, picks: list[int]) -> tuple[Any, ...]:
        s = self._s
        return (picks, [c.id for c in rubric.criteria], s._pts(rubric.max_points), rubric.pass_mark)

    def criteria(self, ev: Any) -> tuple[list[float], list[bool], list[float]]:
        """Per criterion of the plan: the points, whether pending, the fraction (unrounded; 0 when pending)."""
        s = self._s
        pts_ = s._pts
        undone = ev.hidden is None and not any(e.collector == "hidden" for e in ev.errors)  # scoring._pending
        points: list[float] = []
        pending: list[bool] = []
        fracs: list[float] = []
        for c, fn, hidden_only, weight, _ in self.steps:
            if fn is None:
                o = s._outcome(c, ev, None, False)
                points.append(o.points)
                pending.append(o.status == "pending")
                fracs.append(o.fraction)
                continue
            if hidden_only and undone:
                points.append(0.0)
                pending.append(True)
                fracs.append(0.0)
                continue
            frac = fn(ev)
            if not 0.0 <= frac <= 1.0:
                frac = min(1.0, max(0.0, frac)) if math.isfinite(frac) else 0.0
            points.append(pts_(weight * frac))
            pending.append(False)
            fracs.append(frac)
        return points, pending, fracs

    def __call__(self, ev: Any) -> tuple[Any, Any]:
        s = self._s
        pts_ = s._pts
        if self._points is not None and (ev.hidden is not None or any(e.collector == "hidden" for e in ev.errors)):
            points, pending = [f(ev) for f in self._points], None  # not undone: no criterion pending
        else:
            points, pending = self.criteria(ev)[:2]
        out = []
        for picks, ids, max_points, pass_mark in self.rubrics:
            mine = [points[i] for i in picks]
            total = pts_(sum(mine))
            held = pts_(sum([self.steps[i][4] for i in picks if pending[i]]) if pending is not None else 0)
            out.append(s.Totals(total, max_points, s._r(100 * (total / max_points)) if max_points else 0.0,
                                total >= pass_mark - 1e-9, held, dict(zip(ids, mine, strict=True))))
        return out[0], (out[1] if len(out) > 1 else None)
