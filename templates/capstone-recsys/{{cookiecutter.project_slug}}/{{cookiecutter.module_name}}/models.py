"""The models, all exported the same way: a user vector per user and an item vector per item, score = u · v.

* ``popularity``: how many users met each product (the reference every model must beat);
* ``mf``: implicit ALS matrix factorisation in NumPy (Hu, Koren & Volinsky 2008), the baseline; a user with
  no training event has no factors, so MF falls back to popularity for them (one more column: 1 for such a
  user, the item's popularity on the item side);
* ``two_tower``: a PyTorch two-tower model, user tower (id, age band, country, favourite genre) and item
  tower (id, genre, year, price), trained with in-batch negatives (softmax over the other items of the
  batch); a user with no training event is served from their features alone (their id embedding is zero);
* ``blend``: ``mf_weight`` × MF + (1 − ``mf_weight``) × two-tower, each scaled by the spread of its scores,
  for the users with training events; the two-tower alone for the users without (MF for the known, the
  feature tower for the new: the production policy);
  a weighted sum of dot products is the dot product of the concatenated vectors, so it serves the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits


@dataclass
class Ranker:
    user_ids: np.ndarray
    item_ids: np.ndarray
    U: np.ndarray
    V: np.ndarray
    popular: np.ndarray  # item ids, most popular first: the cold-start answer

    def save(self, path) -> None:
        np.savez_compressed(
            path, user_ids=self.user_ids, item_ids=self.item_ids, U=self.U, V=self.V, popular=self.popular
        )

    @classmethod
    def load(cls, path) -> Ranker:
        with np.load(path) as z:
            return cls(*(z[k] for k in ("user_ids", "item_ids", "U", "V", "popular")))


class Index:
    """Row / column positions of the users and items of the catalogue."""

    def __init__(self, users: pd.DataFrame, items: pd.DataFrame):
        self.users = users["user_id"].to_numpy()
        self.items = items["item_id"].to_numpy()
        self.user_pos = {u: i for i, u in enumerate(self.users)}
        self.item_pos = {it: i for i, it in enumerate(self.items)}

    def matrix(self, events: pd.DataFrame) -> sp.csr_matrix:
        pairs = events.drop_duplicates(["user_id", "item_id"])
        rows = pairs["user_id"].map(self.user_pos).to_numpy()
        cols = pairs["item_id"].map(self.item_pos).to_numpy()
        return sp.csr_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(self.users), len(self.items)))


def als(X: sp.csr_matrix, factors: int, regularization: float, alpha: float, iterations: int, seed: int):
    """Implicit ALS: preference [x > 0], confidence 1 + alpha·x, closed-form alternating solves."""
    rng = np.random.default_rng(seed)
    Cui, Ciu = X.tocsr(), X.T.tocsr()
    U = rng.normal(0, 0.01, (X.shape[0], factors))
    V = rng.normal(0, 0.01, (X.shape[1], factors))

    def solve(C, Y):
        YtY = Y.T @ Y + regularization * np.eye(factors)
        out = np.zeros((C.shape[0], factors))
        for r in range(C.shape[0]):
            lo, hi = C.indptr[r], C.indptr[r + 1]
            if lo == hi:
                continue
            idx, conf = C.indices[lo:hi], 1.0 + alpha * C.data[lo:hi]
            Yi = Y[idx]
            out[r] = np.linalg.solve(YtY + (Yi.T * (conf - 1.0)) @ Yi, Yi.T @ conf)
        return out

    with threadpool_limits(1):
        for _ in range(iterations):
            U, V = solve(Cui, V), None
            V = solve(Ciu, U)
    return U, V


def _codes(values: pd.Series, vocab: list) -> np.ndarray:
    pos = {v: i + 1 for i, v in enumerate(vocab)}  # 0: unknown
    return values.map(pos).fillna(0).astype(int).to_numpy()


def two_tower(X: sp.csr_matrix, users: pd.DataFrame, items: pd.DataFrame, cfg: dict, seed: int, threads: int = 1):
    """Train the two towers on the (user, item) pairs of X; return the user and item vectors.

    Runs on exactly ``threads`` PyTorch threads (params.yaml ``threads``), whatever the machine: the thread
    count decides the order of floating-point sums, so the vectors depend on it, and several threads on
    oversubscribed cores spend most of each of the ~1,000 small steps waiting for one another. Nothing here
    reads a clock: the same data and params give the same vectors on a fast or a slow machine.
    """
    import torch
    from torch import nn

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(threads)))
    try:
        return _two_tower(X, users, items, cfg, seed, torch, nn)
    finally:
        torch.set_num_threads(before)


def _two_tower(X, users, items, cfg, seed, torch, nn):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    dim = int(cfg["dim"])
    u_cols = [c for c in ("age_band", "country", "favourite_genre") if c in users]
    u_cat = [torch.tensor(_codes(users[c], sorted(users[c].dropna().unique()))) for c in u_cols]
    i_cat = torch.tensor(_codes(items["genre"], sorted(items["genre"].unique())))
    num = np.c_[items["year"].to_numpy(float), np.log1p(items["price"].to_numpy(float))]
    i_num = torch.tensor((num - num.mean(0)) / (num.std(0) + 1e-9), dtype=torch.float32)

    class Tower(nn.Module):
        def __init__(self, n_ids: int, cats: list[int], n_num: int):
            super().__init__()
            self.ids = nn.Embedding(n_ids, dim)
            self.cats = nn.ModuleList(nn.Embedding(n + 1, dim) for n in cats)
            self.num = nn.Linear(n_num, dim) if n_num else None
            self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))
            nn.init.normal_(self.ids.weight, std=0.05)

        def forward(self, ids, cats, num=None, keep=None):
            h = self.ids(ids) if keep is None else self.ids(ids) * keep[:, None]
            h = h + sum(e(c) for e, c in zip(self.cats, cats, strict=True))
            if self.num is not None:
                h = h + self.num(num)
            return h + self.mlp(h)

    user_tower = Tower(X.shape[0], [int(c.max()) for c in u_cat], 0)
    item_tower = Tower(X.shape[1], [int(i_cat.max())], 2)
    params = list(user_tower.parameters()) + list(item_tower.parameters())
    opt = torch.optim.Adam(params, lr=float(cfg["learning_rate"]), weight_decay=float(cfg["weight_decay"]))
    rows, cols = X.nonzero()
    batch, tau = int(cfg["batch_size"]), float(cfg["temperature"])
    id_dropout = float(cfg.get("id_dropout", 0.0))
    # logQ correction (Yi et al. 2019): an item appears among the in-batch negatives in proportion to its
    # popularity; subtracting log(sampling probability) undoes that bias against popular items
    freq = np.bincount(cols, minlength=X.shape[1]) + 1.0
    log_q = torch.tensor(np.log(freq / freq.sum()), dtype=torch.float32) if cfg.get("logq_correction") else None
    for _ in range(int(cfg["epochs"])):
        order = rng.permutation(len(rows))
        for lo in range(0, len(order), batch):
            b = order[lo : lo + batch]
            u = torch.tensor(rows[b])
            i = torch.tensor(cols[b])
            # id dropout: some users trained on their features alone, as a new user is served
            keep = (torch.rand(len(b)) >= id_dropout).float() if id_dropout else None
            uv = user_tower(u, [c[u] for c in u_cat], keep=keep)
            iv = item_tower(i, [i_cat[i]], i_num[i])
            logits = uv @ iv.T / tau  # in-batch negatives: every other item of the batch
            if log_q is not None:
                logits = logits - log_q[i][None, :]
            same = i[None, :] == i[:, None]  # the same item twice in a batch is not a negative
            logits = logits.masked_fill(same & ~torch.eye(len(b), dtype=torch.bool), -1e9)
            loss = nn.functional.cross_entropy(logits, torch.arange(len(b)))
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        user_tower.ids.weight[torch.tensor(np.diff(X.tocsr().indptr) == 0)] = 0.0  # never trained: features only
        all_u, all_i = torch.arange(X.shape[0]), torch.arange(X.shape[1])
        U = user_tower(all_u, [c[all_u] for c in u_cat]).numpy().astype(np.float64)
        V = item_tower(all_i, [i_cat[all_i]], i_num[all_i]).numpy().astype(np.float64)
    return U, V


def _scaled(U: np.ndarray, V: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Divide by the spread of the scores so two models' scores are on one scale."""
    ru, ri = rng.integers(0, len(U), 2000), rng.integers(0, len(V), 2000)
    sd = float(np.std(np.sum(U[ru] * V[ri], axis=1))) or 1.0
    return U / np.sqrt(sd), V / np.sqrt(sd)


def fit(
    events: pd.DataFrame, users: pd.DataFrame, items: pd.DataFrame, params: dict, model_type: str | None = None
) -> Ranker:
    cfg, seed, threads = params["model"], int(params["seed"]), int(params.get("threads", 1))
    kind = model_type or cfg["type"]
    index = Index(users, items)
    X = index.matrix(events)
    counts = np.asarray(X.sum(axis=0)).ravel()
    popular = index.items[np.argsort(-counts, kind="stable")]
    if kind == "popularity":
        U, V = np.ones((X.shape[0], 1)), counts[:, None].astype(float)
    elif kind == "mf":
        m = cfg["mf"]
        U, V = als(X, int(m["factors"]), float(m["regularization"]), float(m["alpha"]), int(m["iterations"]), seed)
        cold = (np.diff(X.tocsr().indptr) == 0).astype(float)  # the popularity fallback for users without events
        U, V = np.c_[U, cold], np.c_[V, counts / max(float(counts.max()), 1.0)]
    elif kind == "two_tower":
        U, V = two_tower(X, users, items, cfg["two_tower"], seed, threads)
    elif kind == "blend":
        rng = np.random.default_rng(seed)
        w = float(cfg["blend"]["mf_weight"])
        m = cfg["mf"]
        Um, Vm = _scaled(
            *als(X, int(m["factors"]), float(m["regularization"]), float(m["alpha"]), int(m["iterations"]), seed), rng
        )
        Ut, Vt = _scaled(*two_tower(X, users, items, cfg["two_tower"], seed, threads), rng)
        cold = np.diff(X.tocsr().indptr) == 0  # MF knows nothing of a user without events: the towers alone
        wu = np.where(cold, 0.0, w)[:, None]
        U, V = np.c_[wu * Um, (1 - wu) * Ut], np.c_[Vm, Vt]
    else:
        raise ValueError(f"unknown model.type {kind!r}: popularity | mf | two_tower | blend")
    return Ranker(index.users, index.items, U, V, popular)
