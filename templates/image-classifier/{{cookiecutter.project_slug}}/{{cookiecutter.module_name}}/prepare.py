"""Stage 1 — prepare: clean the raw images and split off a validation set.

Reads data/raw/{train,test,pretrain}.csv. Drops blank scans and exact duplicate rows, splits the rest
into train/valid (stratified by label, seeded), and writes compact arrays for the later stages plus two
small tables the Great Expectations suite checks (gx/processed.json).
"""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }}.config import N_CLASSES, PROCESSED, RAW, load_params
from {{ cookiecutter.module_name }}.data import read_images


def clean(ids: np.ndarray, images: np.ndarray, labels: np.ndarray, min_ink: float):
    """Drop near-blank images (max pixel below ``min_ink`` × 255) and exact duplicate rows (keep the first)."""
    keep = images.reshape(len(images), -1).max(axis=1) >= min_ink * 255
    flat = np.concatenate([images.reshape(len(images), -1), labels.reshape(-1, 1).astype(np.uint8)], axis=1)
    _, first = np.unique(flat, axis=0, return_index=True)
    unique = np.zeros(len(images), dtype=bool)
    unique[first] = True
    keep &= unique
    return ids[keep], images[keep], labels[keep]


def stratified_split(labels: np.ndarray, valid_fraction: float, seed: int) -> np.ndarray:
    """A boolean mask, True for validation rows: the same fraction of every class, chosen by ``seed``."""
    rng = np.random.default_rng(seed)
    valid = np.zeros(len(labels), dtype=bool)
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        n = int(round(valid_fraction * len(rows)))
        valid[rng.permutation(rows)[:n]] = True
    return valid


def main() -> None:
    params = load_params()
    p = params["prepare"]
    PROCESSED.mkdir(parents=True, exist_ok=True)

    ids, images, labels = read_images(RAW / "train.csv")
    n_raw = len(ids)
    ids, images, labels = clean(ids, images, labels.astype(np.int64), p["min_ink"])
    valid = stratified_split(labels, p["valid_fraction"], params["seed"])
    np.savez_compressed(PROCESSED / "train.npz", ids=ids, images=images, labels=labels, valid=valid)

    test_ids, test_images, _ = read_images(RAW / "test.csv", label_column=None)
    np.savez_compressed(PROCESSED / "test.npz", ids=test_ids, images=test_images)

    pre_ids, pre_images, letters = read_images(RAW / "pretrain.csv", label_column="letter")
    names = sorted(set(letters))
    np.savez_compressed(
        PROCESSED / "pretrain.npz",
        images=pre_images,
        labels=np.array([names.index(x) for x in letters]),
        names=np.array(names),
    )

    flat = images.reshape(len(images), -1)
    with open(PROCESSED / "manifest.csv", "w", encoding="utf-8") as fh:
        fh.write("id,label,split,n_pixels,max_pixel,ink\n")
        for i in range(len(ids)):
            split = "valid" if valid[i] else "train"
            ink = flat[i].mean() / 255
            fh.write(f"{ids[i]},{labels[i]},{split},{flat.shape[1]},{flat[i].max()},{ink:.4f}\n")
    counts = np.bincount(labels[~valid], minlength=N_CLASSES)
    with open(PROCESSED / "class_balance.csv", "w", encoding="utf-8") as fh:
        fh.write("label,count,share\n")
        for c in range(N_CLASSES):
            fh.write(f"{c},{counts[c]},{counts[c] / counts.sum():.4f}\n")
    print(
        f"prepare: {n_raw} raw rows -> {len(ids)} kept ({(~valid).sum()} train, {valid.sum()} valid); "
        f"{len(test_ids)} test; {len(pre_ids)} pretrain ({len(names)} letters)"
    )


if __name__ == "__main__":
    main()
