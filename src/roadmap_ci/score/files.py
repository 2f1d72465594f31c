"""Reading the hidden-label files: the mentor's labels and the learner's predictions, validated hard.

The predictions file is learner-controlled: it is refused unread when it is a symlink, not a file or too
large, then streamed (:func:`roadmap_ci.safeio.csv_rows`) with limits on bytes, rows, fields and cell
sizes, its columns and ids checked against the labels and its numbers against ``inf``/``nan``. The labels
file is the mentor's (``docs/security.md``), read with its own limits. Every problem is a
:class:`~roadmap_ci.errors.HiddenError` with a one-line message naming the file and line.

:func:`predictions_csv` and :func:`columns` are the header-and-rows reader and the column lookup every
reader here uses; other views of the predictions (``cohort similar``) read through them too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from roadmap_ci.errors import HiddenError, InvalidInput
from roadmap_ci.score.metrics import SCORE_METRICS, SPLITS, Label, Prediction, Relevant, canonical_label, number

if TYPE_CHECKING:
    from roadmap_ci.score.model import HiddenLabels

MAX_PREDICTIONS_BYTES = 32 * 1024 * 1024  # a predictions file larger than this is refused unread
MAX_PREDICTION_ROWS = 500_000  # rows of a predictions file: refused past this, before the row is kept
MAX_LABELS_BYTES = 256 * 1024 * 1024  # the mentor's labels file
MAX_LABEL_ROWS = 2_000_000
MAX_FIELD_CHARS = 4096  # one cell; longer is refused (csv's own limit is 128 KiB)

Rows = tuple[list[str], Iterator[tuple[int, list[str]]]]  # the header, then (line number, row) pairs


def show(text: str, limit: int = 40) -> str:
    """A learner-supplied value, quoted and truncated, safe on one line."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


def _read_csv(path: Path, what: str, name: str, max_bytes: int, max_rows: int) -> Rows:
    """The header and a stream of (line number, row) pairs; every problem a one-line HiddenError.

    Streaming (:func:`roadmap_ci.safeio.csv_rows`): bytes, rows, fields and cell sizes are checked as
    the file is read, before a row is kept, so memory follows what the caller keeps, not the file.
    """
    from roadmap_ci.safeio import csv_rows

    rows = csv_rows(path, name, what, max_bytes=max_bytes, max_rows=max_rows, max_field_chars=MAX_FIELD_CHARS)
    try:
        _, header = next(rows)
    except InvalidInput as exc:
        raise HiddenError(str(exc)) from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise HiddenError(f"{name}:1: {what} repeats the column(s) {', '.join(map(show, dupes))}")

    def body() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in rows:
                if len(row) != len(header):
                    raise HiddenError(f"{name}:{line}: {what} row has {len(row)} fields, the header has "
                                      f"{len(header)}")
                yield line, row
        except HiddenError:
            raise
        except InvalidInput as exc:
            raise HiddenError(str(exc)) from None

    return header, body()


def _labels_csv(path: Path) -> Rows:
    try:
        if not path.is_file():
            raise HiddenError(f"hidden labels not readable: {path.name}: not a file")
    except OSError as exc:
        raise HiddenError(f"hidden labels not readable: {path.name}: {exc.strerror or exc}") from None
    return _read_csv(path, "the labels file", path.name, MAX_LABELS_BYTES, MAX_LABEL_ROWS)


def columns(header: list[str], want: dict[str, str], what: str, name: str) -> dict[str, int]:
    """``{key: index}`` of each wanted column (``{key: column name}``); one line listing the missing ones."""
    missing = [col for col in want.values() if col not in header]
    if missing:
        found = ", ".join(map(show, header[:8])) + (" …" if len(header) > 8 else "")
        raise HiddenError(f"{name}: {what} lacks the column(s) {', '.join(map(repr, missing))} (found: {found})")
    return {key: header.index(col) for key, col in want.items()}


def read_labels(path: Path, spec: HiddenLabels) -> dict[str, Label]:
    """The mentor's labels: id -> (target, split). Errors name the file (it is the mentor's to fix)."""
    header, rows = _labels_csv(path)
    want = {"id": spec.id_column, "target": spec.target_column}
    split_col = spec.split_column if spec.split_column and spec.split_column in header else None
    if split_col:
        want["split"] = split_col
    cols = columns(header, want, "the labels file", path.name)
    labels: dict[str, Label] = {}
    for line, row in rows:
        key = row[cols["id"]].strip()
        if not key:
            raise HiddenError(f"{path.name}:{line}: empty id in the labels file")
        if key in labels:
            raise HiddenError(f"{path.name}:{line}: id {show(key)} appears twice in the labels file")
        split = row[cols["split"]].strip().lower() if split_col else "private"
        if split not in SPLITS:
            raise HiddenError(f"{path.name}:{line}: split {show(split)} is neither 'public' nor 'private'")
        labels[key] = Label(canonical_label(row[cols["target"]]), split)
    if not labels:
        raise HiddenError(f"{path.name}: the labels file has no rows")
    return labels


def predictions_csv(path: Path, name: str, max_bytes: int = MAX_PREDICTIONS_BYTES) -> Rows:
    """The learner's file, refused unread when it is a symlink, not a file, or too large; then streamed."""
    try:
        if path.is_symlink():
            raise HiddenError(f"{name}: the predictions file is a symlink")
        size = path.stat().st_size
    except FileNotFoundError:
        raise HiddenError(f"{name}: the predictions file is missing") from None
    except OSError as exc:
        raise HiddenError(f"{name}: the predictions file is not readable ({exc.strerror or exc})") from None
    if not path.is_file():
        raise HiddenError(f"{name}: the predictions path is not a file")
    if size > max_bytes:
        raise HiddenError(f"{name}: the predictions file is {size:,} bytes, more than the {max_bytes:,} allowed")
    return _read_csv(path, "the predictions file", name, max_bytes, MAX_PREDICTION_ROWS)


def read_predictions(path: Path, spec: HiddenLabels, labels: Mapping[str, Label],
                     max_bytes: int = MAX_PREDICTIONS_BYTES, display: str | None = None) -> dict[str, Prediction]:
    """The learner's predictions, validated against the labels' ids. ``display`` names the file in messages."""
    name = display or path.name
    header, rows = predictions_csv(path, name, max_bytes)
    want = {"id": spec.id_column, "pred": spec.prediction_column}
    needs_score = any(m in SCORE_METRICS for m in spec.metrics)
    if needs_score:
        if not spec.score_column:
            raise HiddenError("the rubric asks for roc_auc/pr_auc but names no score_column")
        want["score"] = spec.score_column
    cols = columns(header, want, "the predictions file", name)
    regression = spec.task == "regression"
    preds: dict[str, Prediction] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        key = row[cols["id"]].strip()
        if not key:
            raise HiddenError(f"{name}:{line}: empty {spec.id_column!r}")
        if key in preds:
            raise HiddenError(f"{name}:{line}: id {show(key)} is predicted twice (first on line {first_line[key]})")
        if key not in labels:
            raise HiddenError(f"{name}:{line}: id {show(key)} is not in the hidden test set")
        raw = row[cols["pred"]].strip()
        if not raw:
            raise HiddenError(f"{name}:{line}: empty {spec.prediction_column!r} for id {show(key)}")
        if regression and number(raw) is None:
            raise HiddenError(f"{name}:{line}: {spec.prediction_column!r} is {show(raw)}, not a finite number")
        score = None
        if needs_score:
            score = number(row[cols["score"]].strip())
            if score is None:
                raise HiddenError(f"{name}:{line}: {spec.score_column!r} is {show(row[cols['score']])}, "
                                  "not a finite number")
        preds[key] = Prediction(canonical_label(raw), score)
        first_line[key] = line
    absent = [k for k in labels if k not in preds]
    if absent:
        raise HiddenError(f"{name}: {len(absent)} of {len(labels)} ids of the hidden test set have no prediction "
                          f"(e.g. {show(absent[0])})")
    return preds


# ---------------------------------------------------------------- ranking files


def read_ranking_labels(path: Path, spec: HiddenLabels) -> dict[str, Relevant]:
    """The mentor's labels for ``task: ranking``: id -> its relevant items and split (one row per item)."""
    header, rows = _labels_csv(path)
    want = {"id": spec.id_column, "item": spec.target_column}
    split_col = spec.split_column if spec.split_column and spec.split_column in header else None
    if split_col:
        want["split"] = split_col
    cols = columns(header, want, "the labels file", path.name)
    items: dict[str, set[str]] = {}
    splits: dict[str, str] = {}
    for line, row in rows:
        key, item = row[cols["id"]].strip(), row[cols["item"]].strip()
        if not key or not item:
            raise HiddenError(f"{path.name}:{line}: empty {'id' if not key else 'item'} in the labels file")
        split = row[cols["split"]].strip().lower() if split_col else "private"
        if split not in SPLITS:
            raise HiddenError(f"{path.name}:{line}: split {show(split)} is neither 'public' nor 'private'")
        if splits.setdefault(key, split) != split:
            raise HiddenError(f"{path.name}:{line}: id {show(key)} is in both splits")
        if item in items.setdefault(key, set()):
            raise HiddenError(f"{path.name}:{line}: item {show(item)} appears twice for id {show(key)}")
        items[key].add(item)
    if not items:
        raise HiddenError(f"{path.name}: the labels file has no rows")
    return {k: Relevant(frozenset(v), splits[k]) for k, v in items.items()}


def read_ranking_predictions(path: Path, spec: HiddenLabels, labels: Mapping[str, Relevant],
                             max_bytes: int = MAX_PREDICTIONS_BYTES,
                             display: str | None = None) -> dict[str, list[str]]:
    """The learner's recommendations: id -> items, best first (``score_column`` descending, else file order)."""
    name = display or path.name
    header, rows = predictions_csv(path, name, max_bytes)
    want = {"id": spec.id_column, "item": spec.prediction_column}
    if spec.score_column:
        want["score"] = spec.score_column
    cols = columns(header, want, "the predictions file", name)
    ranked: dict[str, list[tuple[float, int, str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        key, item = row[cols["id"]].strip(), row[cols["item"]].strip()
        if not key:
            raise HiddenError(f"{name}:{line}: empty {spec.id_column!r}")
        if key not in labels:
            raise HiddenError(f"{name}:{line}: id {show(key)} is not in the hidden test set")
        if not item:
            raise HiddenError(f"{name}:{line}: empty {spec.prediction_column!r} for id {show(key)}")
        if (key, item) in seen:
            raise HiddenError(f"{name}:{line}: item {show(item)} is recommended twice for id {show(key)} "
                              f"(first on line {seen[key, item]})")
        seen[key, item] = line
        score = 0.0
        if spec.score_column:
            value = number(row[cols["score"]].strip())
            if value is None:
                raise HiddenError(f"{name}:{line}: {spec.score_column!r} is {show(row[cols['score']])}, "
                                  "not a finite number")
            score = value
        ranked.setdefault(key, []).append((-score, line, item))
    absent = [k for k in labels if k not in ranked]
    if absent:
        raise HiddenError(f"{name}: {len(absent)} of {len(labels)} ids of the hidden test set have no prediction "
                          f"(e.g. {show(absent[0])})")
    return {k: [item for _, _, item in sorted(v)] for k, v in ranked.items()}
