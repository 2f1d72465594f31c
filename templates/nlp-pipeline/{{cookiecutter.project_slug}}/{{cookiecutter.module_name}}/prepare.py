"""Stage 1 — prepare: clean the messages and split off a validation set.

Drops empty messages and exact duplicates, cleans HTML and case, truncates pasted logs to
``prepare.max_tokens`` words and splits train/valid stratified by label. Writes
data/processed/{train,test}.csv (with ``n_tokens``) and class_balance.csv, which gx/*.json check.
"""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }}.config import CLASSES, PROCESSED, RAW, load_params
from {{ cookiecutter.module_name }}.data import read_csv
from {{ cookiecutter.module_name }}.text import clean, tokenize

EMPTY = {"", "n/a", "na", "none", "-"}


def normalise(text: str, max_tokens: int) -> str:
    """Cleaned text cut after the word that brings it to ``max_tokens`` tokens."""
    words, n = [], 0
    for word in clean(text).split():
        n += len(tokenize(word))
        if n > max_tokens:
            break
        words.append(word)
    return " ".join(words)


def stratified_split(labels: np.ndarray, valid_fraction: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    valid = np.zeros(len(labels), dtype=bool)
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        valid[rng.permutation(rows)[: int(round(valid_fraction * len(rows)))]] = True
    return valid


def main() -> None:
    params = load_params()
    p = params["prepare"]
    PROCESSED.mkdir(parents=True, exist_ok=True)

    train = read_csv(RAW / "train.csv")
    n_raw = len(train)
    train["text"] = [normalise(t, p["max_tokens"]) for t in train["text"]]
    train = train[~train["text"].isin(EMPTY)].drop_duplicates(subset=["text", "label"]).reset_index(drop=True)
    train["n_tokens"] = [len(tokenize(t)) for t in train["text"]]
    valid = stratified_split(train["label"].to_numpy(), p["valid_fraction"], params["seed"])
    train["split"] = np.where(valid, "valid", "train")
    train.to_csv(PROCESSED / "train.csv", index=False)

    test = read_csv(RAW / "test.csv")
    test["text"] = [normalise(t, p["max_tokens"]) for t in test["text"]]
    test["n_tokens"] = [len(tokenize(t)) for t in test["text"]]
    test.to_csv(PROCESSED / "test.csv", index=False)

    counts = train.loc[~valid, "label"].value_counts()
    with open(PROCESSED / "class_balance.csv", "w", encoding="utf-8") as fh:
        fh.write("label,count,share\n")
        for c in CLASSES:
            fh.write(f"{c},{counts.get(c, 0)},{counts.get(c, 0) / counts.sum():.4f}\n")
    print(
        f"prepare: {n_raw} raw rows -> {len(train)} kept ({(~valid).sum()} train, {valid.sum()} valid); "
        f"{len(test)} test"
    )


if __name__ == "__main__":
    main()
