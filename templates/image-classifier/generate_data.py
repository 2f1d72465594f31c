"""Generate the image-classifier data set, deterministically (run from anywhere; not shipped to learners).

    python templates/image-classifier/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

Images are scikit-learn's bundled handwritten digits (``load_digits``: 1,797 images, 8×8), upsampled to
16×16 and distorted the way real scans are: rotation, scaling, shifts, uneven contrast, sensor noise,
a few inverted scans. Messy on purpose, like a Kaggle drop:

* about 3% of the training labels are wrong (annotator noise),
* a few training images are blank (a broken scanner) and a few rows are exact duplicates,
* the classes are mildly imbalanced.

Train and test come from *different* source digits, so no test image is a distortion of a training one.
``pretrain.csv`` is a second, unrelated task for the transfer-learning path: 16×16 capital letters drawn
from strokes (A E F H K L T V X Z, 2,000 images). Pixel columns are ``px000`` … ``px255`` (0–255, row-major).

Writes ``data/raw/{train,test,pretrain}.csv`` into the template and the hidden test labels to
``labels/image-classifier.csv`` at the repository root (id, label, split = public|private).

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the scanner is the course's own: its
distortion ranges (rotation, scale, shift, contrast, noise, inversions) are drawn within narrow bands around
the practice values and every scan carries a faint course-wide background pattern; which source digits are
test digits, the distortions, the ids and the public/private split come from the learner's stream
(``--learner``). A course's test set is larger than the practice one: 30% of each digit class's source
images, each scanned ``COURSE_TEST_SCANS`` times with its own distortions, and 30% of each class's test scans
public. Without a secret the output is the shipped practice data, byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits

from roadmap_ci.seeding import rng as keyed_rng

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "image-classifier.csv"
SIZE = 16
SEED = 2126
DELIVERABLE = "image-classifier"
PIXELS = [f"px{i:03d}" for i in range(SIZE * SIZE)]
# A course scans each of its test digits this many times (1,617 hidden images, not the practice 539): the
# baseline's hidden scores then move less with the learner's own draw of distortions (docs/performance.md).
COURSE_TEST_SCANS = 3

LETTERS = {  # strokes on a unit square, (x0, y0, x1, y1), y grows downwards
    "A": [(0.5, 0.05, 0.1, 0.95), (0.5, 0.05, 0.9, 0.95), (0.28, 0.6, 0.72, 0.6)],
    "E": [(0.2, 0.05, 0.2, 0.95), (0.2, 0.05, 0.85, 0.05), (0.2, 0.5, 0.7, 0.5), (0.2, 0.95, 0.85, 0.95)],
    "F": [(0.2, 0.05, 0.2, 0.95), (0.2, 0.05, 0.85, 0.05), (0.2, 0.5, 0.7, 0.5)],
    "H": [(0.2, 0.05, 0.2, 0.95), (0.8, 0.05, 0.8, 0.95), (0.2, 0.5, 0.8, 0.5)],
    "K": [(0.2, 0.05, 0.2, 0.95), (0.2, 0.55, 0.85, 0.05), (0.4, 0.4, 0.85, 0.95)],
    "L": [(0.25, 0.05, 0.25, 0.95), (0.25, 0.95, 0.85, 0.95)],
    "T": [(0.1, 0.05, 0.9, 0.05), (0.5, 0.05, 0.5, 0.95)],
    "V": [(0.1, 0.05, 0.5, 0.95), (0.9, 0.05, 0.5, 0.95)],
    "X": [(0.1, 0.05, 0.9, 0.95), (0.9, 0.05, 0.1, 0.95)],
    "Z": [(0.1, 0.05, 0.9, 0.05), (0.9, 0.05, 0.1, 0.95), (0.1, 0.95, 0.9, 0.95)],
}


class Scanner(NamedTuple):
    """The generating process's own parameters: the practice values, or a course's draw (:meth:`draw`)."""

    rotation: float = 18  # degrees, either way
    scale_low: float = 0.85
    scale_high: float = 1.12
    shift: float = 1.6  # pixels, either way
    contrast_low: float = 0.55
    noise: float = 0.09
    inverted: float = 0.04
    background: np.ndarray | None = None  # a faint 16×16 pattern every scan of the course carries

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Scanner:
        """Within bands that keep the task as hard as the practice one (benchmarks/bench_secrets_deep.py)."""
        yy, xx = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
        fx, fy, phase = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5), rng.uniform(0, 2 * np.pi)
        background = 0.04 * np.sin(2 * np.pi * (fx * xx + fy * yy) + phase)
        p = PRACTICE  # ±2.5%: ±10% bands moved the baseline by up to 6 points (with the sampling noise)
        return cls(*(v * rng.uniform(0.975, 1.025) for v in p[:-1]), background=background)


PRACTICE = Scanner()


def distort(img: np.ndarray, rng: np.random.Generator, p: Scanner = PRACTICE) -> np.ndarray:
    """A 16×16 float image in [0, 1] → rotated, scaled, shifted, noisy, uneven contrast."""
    angle = np.deg2rad(rng.uniform(-p.rotation, p.rotation))
    scale = rng.uniform(p.scale_low, p.scale_high)
    shift = rng.uniform(-p.shift, p.shift, size=2)
    c, s = np.cos(angle) / scale, np.sin(angle) / scale
    matrix = np.array([[c, -s], [s, c]])
    centre = np.array([(SIZE - 1) / 2, (SIZE - 1) / 2])
    offset = centre - matrix @ (centre + shift)
    out = ndimage.affine_transform(img, matrix, offset=offset, order=1, mode="constant", cval=0.0)
    out = out * rng.uniform(p.contrast_low, 1.0) + rng.uniform(0.0, 0.2)
    if p.background is not None:
        out = out + p.background
    out = out + rng.normal(0.0, p.noise, size=out.shape)
    if rng.random() < p.inverted:
        out = 1.0 - out
    return np.clip(out, 0.0, 1.0)


def draw_letter(strokes: list[tuple[float, float, float, float]], rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(float) + 0.5
    img = np.zeros((SIZE, SIZE))
    jitter = rng.normal(0, 0.03, size=(len(strokes), 4))
    width = rng.uniform(0.8, 1.4)
    for (x0, y0, x1, y1), j in zip(strokes, jitter, strict=True):
        p0 = np.array([x0 + j[0], y0 + j[1]]) * (SIZE - 2) + 1
        p1 = np.array([x1 + j[2], y1 + j[3]]) * (SIZE - 2) + 1
        d = p1 - p0
        t = np.clip(((xx - p0[0]) * d[0] + (yy - p0[1]) * d[1]) / max(d @ d, 1e-9), 0, 1)
        dist = np.hypot(xx - (p0[0] + t * d[0]), yy - (p0[1] + t * d[1]))
        img = np.maximum(img, np.clip(width - dist + 0.5, 0, 1))
    return img


def stratified(order: np.ndarray, classes: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Split ``order`` (indices, in a random order; ``classes`` their labels) into the first ``share`` of each
    class and the rest, both in ``order``'s order."""
    first = np.zeros(len(order), dtype=bool)
    for c in np.unique(classes):
        members = np.flatnonzero(classes == c)
        first[members[: int(round(share * len(members)))]] = True
    return order[first], order[~first]


def to_rows(images: np.ndarray) -> np.ndarray:
    return np.rint(images.reshape(len(images), -1) * 255).astype(np.uint8)


def write_csv(path: Path, header: list[str], columns: list[np.ndarray], pixels: np.ndarray) -> None:
    lines = [",".join(header + PIXELS)]
    for i in range(len(pixels)):
        lines.append(",".join([str(col[i]) for col in columns] + [str(v) for v in pixels[i]]))
    path.write_text("\n".join(lines) + "\n")


def generate(out: Path = RAW, labels_path: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the data set; with ``secret``, the course's scanner and the learner's own sample (module doc)."""
    if secret is None:  # the practice data: one stream, in the shipped order
        rng = np.random.default_rng(SEED)
        scanner = PRACTICE
    else:
        scanner = Scanner.draw(keyed_rng(secret, DELIVERABLE, "process", practice=SEED))
        rng = keyed_rng(secret, DELIVERABLE, "rows", practice=SEED, learner=learner)
    digits = load_digits()
    base = np.stack([ndimage.zoom(im / 16.0, 2, order=1) for im in digits.images])
    base = np.clip(base / base.max(axis=(1, 2), keepdims=True), 0, 1)
    y = digits.target.astype(int)

    order = rng.permutation(len(y))
    # mild imbalance: keep every test digit, drop part of the training 1s and 7s
    if secret is None:
        n_test = int(round(0.3 * len(y)))
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:  # a course: 30% of each digit's sources are test sources, so every course tests the same class mix
        test_idx, train_idx = stratified(order, y[order], 0.3)
    drop = np.isin(y[train_idx], [1, 7]) & (rng.random(len(train_idx)) < 0.35)
    train_idx = train_idx[~drop]

    x_train = np.stack([distort(base[i], rng, scanner) for i in train_idx])
    y_train = y[train_idx].copy()
    copies = 1 if secret is None else COURSE_TEST_SCANS
    x_test = np.stack([distort(base[i], rng, scanner) for i in np.repeat(test_idx, copies)])
    y_test = y[np.repeat(test_idx, copies)]

    noisy = rng.random(len(y_train)) < 0.03
    y_train[noisy] = (y_train[noisy] + rng.integers(1, 10, size=noisy.sum())) % 10
    blank = rng.choice(len(y_train), size=7, replace=False)
    x_train[blank] = 0.0
    dup = rng.choice(len(y_train), size=12, replace=False)
    x_train = np.concatenate([x_train, x_train[dup]])
    y_train = np.concatenate([y_train, y_train[dup]])
    shuffle = rng.permutation(len(y_train))
    x_train, y_train = x_train[shuffle], y_train[shuffle]

    train_ids = np.array([f"tr{i:05d}" for i in range(len(y_train))])
    test_perm = rng.permutation(len(y_test))
    x_test, y_test = x_test[test_perm], y_test[test_perm]
    test_ids = np.array([f"te{i:05d}" for i in rng.choice(90000, size=len(y_test), replace=False) + 10000])

    names = sorted(LETTERS)
    letter_y = rng.integers(0, len(names), size=2000)
    letters = np.stack([distort(draw_letter(LETTERS[names[k]], rng), rng, scanner) for k in letter_y])

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "train.csv", ["id", "label"], [train_ids, y_train], to_rows(x_train))
    write_csv(out / "test.csv", ["id"], [test_ids], to_rows(x_test))
    write_csv(out / "pretrain.csv", ["id", "letter"],
              [np.array([f"pt{i:05d}" for i in range(len(letter_y))]), np.array(names)[letter_y]], to_rows(letters))

    if secret is None:
        split = np.where(rng.random(len(y_test)) < 0.3, "public", "private")
    else:  # 30% of each class's test scans are public: the same class mix in both parts, in every course
        perm = rng.permutation(len(y_test))
        public, _ = stratified(perm, y_test[perm], 0.3)
        split = np.where(np.isin(np.arange(len(y_test)), public), "public", "private")
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    rows = ["id,label,split"] + [f"{i},{t},{s}" for i, t, s in zip(test_ids, y_test, split, strict=True)]
    labels_path.write_text("\n".join(rows) + "\n")


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
