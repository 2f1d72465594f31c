"""Generate the gnn data set, deterministically (run from anywhere; not shipped to learners).

    python templates/gnn/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

A citation graph of 3,000 papers (a course's: 9,000) in 6 topics, simulated so that the topics of the hidden
papers are known and nothing is downloaded. Every paper has a 32-dimensional embedding of its abstract from an
old, weak text model (``emb00`` … ``emb31``: the topic shifts it only slightly, so the text alone is weakly
informative), a publication year, and cites 1–8 older papers, about 72% of them in its own topic (a
homophilous graph: the citations carry most of the signal). Messy on purpose, like a real bibliographic export:

* duplicate citation rows, self-citations, and references to papers that are not in the export (dangling),
* a few missing years and a few missing embedding values,
* **a leakage trap**: ``curated_topic`` is the topic a curator gave the paper after its topic was known — it is
  filled for the labelled papers and empty for every hidden one.

Writes ``data/raw/{nodes,edges}.csv`` into the template and the hidden labels (id, topic, split = public for
half of the hidden papers, private for the other half) to ``labels/gnn.csv`` at the repository root.

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the community structure is the course's
own: the topics' embedding centroids, their shares, the in-topic citation rate and the text signal are drawn
(the rates within narrow bands around the practice values); the papers, their citations, the ids (from a
wide range) and which papers are hidden come from the learner's stream (``--learner``). Without a secret
the output is the shipped practice data, byte for byte. A course's graph is three times as large (9,000 papers,
3,000 of them hidden), so that the hidden papers' accuracy, and so the grade, moves less between courses.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from roadmap_ci.seeding import rng as keyed_rng

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "gnn.csv"
SEED = 4758_58
N_NODES, N_HIDDEN, DIM = 3000, 1000, 32
FIRST_ID = 100001
# A course's graph is three times the practice one, hidden papers included (the same share, the same process):
# a few hundred hidden papers' accuracy moved the baseline's grade by 4.7 points over 20 courses; three times
# as many papers move it less (the noise falls as 1/sqrt(n)).
COURSE_NODES, COURSE_HIDDEN = 9000, 3000
TOPICS = ["computer_vision", "databases", "machine_learning", "networking", "robotics", "theory"]
TOPIC_SHARE = [0.20, 0.14, 0.24, 0.15, 0.12, 0.15]
IN_TOPIC = 0.72  # share of citations within the citing paper's topic
SIGNAL = 0.42  # how far the topic moves the embedding, in units of the noise's standard deviation
DELIVERABLE = "gnn"


class Communities(NamedTuple):
    """The generating process's own parameters: the practice values, or a course's draw (:meth:`draw`)."""

    share: tuple[float, ...] = tuple(TOPIC_SHARE)
    in_topic: float = IN_TOPIC
    signal: float = SIGNAL
    centroids: np.ndarray | None = None  # practice: drawn from the one practice stream, in the shipped order

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Communities:
        """Within bands that keep the task as hard as the practice one (benchmarks/bench_secrets_deep.py).

        The centroids are the practice ones under a random rotation of the embedding space: the same
        geometry (how far apart the topics are, which is what makes the text weakly informative), other
        numbers. Freshly drawn centroids moved the feature-only baseline by 5 accuracy points."""
        share = np.array(TOPIC_SHARE) * rng.uniform(0.95, 1.05, len(TOPICS))
        q, r = np.linalg.qr(rng.normal(size=(DIM, DIM)))
        rotation = q * np.sign(np.diag(r))  # uniform over the orthogonal group
        return cls(share=tuple(share / share.sum()), in_topic=rng.uniform(0.715, 0.725),
                   signal=rng.uniform(0.415, 0.425), centroids=practice_centroids() @ rotation)


def practice_centroids() -> np.ndarray:
    """The practice data's topic centroids: the practice stream replayed up to where it draws them."""
    rng = np.random.default_rng(SEED)
    rng.choice(len(TOPICS), size=N_NODES, p=TOPIC_SHARE)
    rng.integers(1995, 2025, size=N_NODES)
    rng.permutation(N_NODES)
    return rng.normal(size=(len(TOPICS), DIM))


def generate(raw_dir: Path = RAW, labels_file: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the graph; with ``secret``, the course's communities and the learner's own papers (module doc)."""
    if secret is None:  # the practice data: one stream, in the shipped order
        rng, world = np.random.default_rng(SEED), Communities()
    else:
        world = Communities.draw(keyed_rng(secret, DELIVERABLE, "process", practice=SEED))
        rng = keyed_rng(secret, DELIVERABLE, "rows", practice=SEED, learner=learner)
    n, n_hidden = (N_NODES, N_HIDDEN) if secret is None else (COURSE_NODES, COURSE_HIDDEN)
    mess = n // N_NODES  # the export's mess grows with it
    topic = rng.choice(len(TOPICS), size=n, p=world.share)
    year = np.sort(rng.integers(1995, 2025, size=n))  # row order = publication order, so citations go backwards
    # ids do not reveal the order; with a secret they come from a wide range, so two learners barely share one
    ids = FIRST_ID + (rng.permutation(n) if secret is None else rng.choice(799_999, size=n, replace=False))

    centroids = rng.normal(size=(len(TOPICS), DIM)) if world.centroids is None else world.centroids.copy()
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) / np.sqrt(DIM) * 1.0
    emb = world.signal * centroids[topic] / np.sqrt(DIM) * 3 + rng.normal(size=(n, DIM))
    emb = np.round(emb, 3)

    by_topic = [np.flatnonzero(topic == t) for t in range(len(TOPICS))]
    sources, targets = [], []
    for i in range(1, n):
        k = min(1 + rng.poisson(2.6), 8)
        for _ in range(k):
            if rng.random() < world.in_topic:
                pool = by_topic[topic[i]]
                pool = pool[pool < i]
            else:
                pool = np.arange(i)
            if len(pool) == 0:
                continue
            sources.append(i)
            targets.append(int(rng.choice(pool)))
    src, dst = ids[np.array(sources)], ids[np.array(targets)]
    edges = pd.DataFrame({"source": src, "target": dst})
    # the export's mess: duplicate rows, self-citations, references to papers outside the export
    dup = edges.sample(60 * mess, random_state=1)
    loops = pd.DataFrame({"source": ids[rng.choice(n, 25 * mess, replace=False)]})
    loops["target"] = loops["source"]
    dangling = pd.DataFrame({"source": ids[rng.choice(n, 40 * mess, replace=False)],
                             "target": rng.integers(900001, 999999, size=40 * mess)})
    edges = pd.concat([edges, dup, loops, dangling], ignore_index=True)
    edges = edges.iloc[rng.permutation(len(edges))].reset_index(drop=True)

    hidden = np.zeros(n, dtype=bool)
    hidden[rng.choice(n, n_hidden, replace=False)] = True
    names = np.array(TOPICS)[topic]
    nodes = pd.DataFrame({"id": ids, "year": year.astype(float)})
    nodes.loc[rng.random(n) < 0.03, "year"] = np.nan
    for j in range(DIM):
        col = emb[:, j].copy()
        col[rng.random(n) < 0.004] = np.nan
        nodes[f"emb{j:02d}"] = col
    curated = names.astype(object).copy()
    flip = rng.random(n) < 0.03
    curated[flip] = np.array(TOPICS)[rng.integers(0, len(TOPICS), size=flip.sum())]
    curated[hidden] = None
    nodes["curated_topic"] = curated
    label = names.astype(object).copy()
    label[hidden] = None
    nodes["topic"] = label
    nodes["year"] = nodes["year"].astype("Int64")
    nodes = nodes.sort_values("id").reset_index(drop=True)

    order = np.flatnonzero(hidden)
    order = order[np.argsort(ids[order])]
    split = np.where(rng.random(len(order)) < 0.5, "public", "private")
    labels = pd.DataFrame({"id": ids[order], "topic": names[order], "split": split})

    raw_dir.mkdir(parents=True, exist_ok=True)
    labels_file.parent.mkdir(parents=True, exist_ok=True)
    nodes.to_csv(raw_dir / "nodes.csv", index=False, lineterminator="\n", float_format="%.3f")
    edges.to_csv(raw_dir / "edges.csv", index=False, lineterminator="\n")
    labels.to_csv(labels_file, index=False, lineterminator="\n")


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
