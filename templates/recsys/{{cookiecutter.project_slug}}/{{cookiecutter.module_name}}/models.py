"""Recommenders on an implicit-feedback matrix X (users × items, CSR, weights ≥ 0): popularity, item-item
cosine kNN, ALS for implicit feedback (Hu, Koren & Volinsky 2008) and BPR (Rendle et al. 2009), in NumPy/SciPy.

Every model has ``fit(X, events=None)`` and ``score(rows) -> array (len(rows) × n_items)``: higher is better.
``recommend`` turns scores into the top k per user, never an item the user already has in X.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits


class Popularity:
    """Most-interacted items (optionally only over the last ``window_days``): the same list for everyone."""

    def __init__(self, window_days: int | None = None):
        self.window_days = window_days

    def fit(self, X: sp.csr_matrix, events: pd.DataFrame | None = None) -> Popularity:
        if self.window_days and events is not None:
            recent = events[events["timestamp"] >= events["timestamp"].max() - pd.Timedelta(days=self.window_days)]
            counts = np.bincount(recent["item_idx"], minlength=X.shape[1]).astype(float)
            self.counts_ = counts + 1e-3 * np.asarray((X > 0).sum(axis=0)).ravel()  # ties: all-time counts
        else:
            self.counts_ = np.asarray((X > 0).sum(axis=0), dtype=float).ravel()
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.counts_, (len(rows), 1))


class ItemKNN:
    """Item-item cosine similarity on the binary matrix, ``neighbours`` most similar items kept per item;
    a user's score for an item is the summed similarity to the items they have."""

    def __init__(self, neighbours: int = 100, shrink: float = 0.0):
        self.neighbours, self.shrink = neighbours, shrink

    def fit(self, X: sp.csr_matrix, events: pd.DataFrame | None = None) -> ItemKNN:
        B = (X > 0).astype(np.float64).tocsc()
        co = (B.T @ B).toarray()
        norms = np.sqrt(np.diag(co))
        sim = co / (np.outer(norms, norms) + self.shrink + 1e-9)
        np.fill_diagonal(sim, 0.0)
        if self.neighbours < sim.shape[0]:
            cut = np.partition(sim, -self.neighbours, axis=0)[-self.neighbours]
            sim[sim < cut[None, :]] = 0.0
        self.sim_, self.X_ = sim, (X > 0).astype(np.float64).tocsr()
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.X_[rows] @ self.sim_)


class ALS:
    """Implicit ALS: preference p = [x > 0], confidence c = 1 + alpha·x; alternately solve the user and item
    factors of min Σ c (p − u·v)² + λ(|u|² + |v|²) in closed form."""

    def __init__(
        self, factors: int = 32, regularization: float = 0.1, alpha: float = 10.0, iterations: int = 10, seed: int = 0
    ):
        self.factors, self.reg, self.alpha = factors, regularization, alpha
        self.iterations, self.seed = iterations, seed

    def fit(self, X: sp.csr_matrix, events: pd.DataFrame | None = None) -> ALS:
        rng = np.random.default_rng(self.seed)
        Cui = X.tocsr().astype(np.float64)
        Ciu = Cui.T.tocsr()
        self.U_ = rng.normal(0, 0.01, (X.shape[0], self.factors))
        self.V_ = rng.normal(0, 0.01, (X.shape[1], self.factors))
        with threadpool_limits(1):  # thousands of small solves: threads only add overhead
            for _ in range(self.iterations):
                self.U_ = self._solve(Cui, self.V_)
                self.V_ = self._solve(Ciu, self.U_)
        return self

    def _solve(self, C: sp.csr_matrix, Y: np.ndarray) -> np.ndarray:
        f = Y.shape[1]
        YtY = Y.T @ Y + self.reg * np.eye(f)
        out = np.zeros((C.shape[0], f))
        for r in range(C.shape[0]):
            lo, hi = C.indptr[r], C.indptr[r + 1]
            if lo == hi:
                continue
            idx, conf = C.indices[lo:hi], 1.0 + self.alpha * C.data[lo:hi]
            Yi = Y[idx]
            A = YtY + (Yi.T * (conf - 1.0)) @ Yi
            out[r] = np.linalg.solve(A, Yi.T @ conf)
        return out

    def score(self, rows: np.ndarray) -> np.ndarray:
        return self.U_[rows] @ self.V_.T


class BPR:
    """Bayesian personalised ranking with SGD on (user, seen item, unseen item) triples, vectorised in batches."""

    def __init__(
        self,
        factors: int = 32,
        learning_rate: float = 0.05,
        regularization: float = 0.002,
        epochs: int = 30,
        batch_size: int = 1024,
        seed: int = 0,
    ):
        self.factors, self.lr, self.reg = factors, learning_rate, regularization
        self.epochs, self.batch_size, self.seed = epochs, batch_size, seed

    def fit(self, X: sp.csr_matrix, events: pd.DataFrame | None = None) -> BPR:
        rng = np.random.default_rng(self.seed)
        X = (X > 0).tocsr()
        users, items = X.nonzero()
        n_items = X.shape[1]
        self.U_ = rng.normal(0, 0.1, (X.shape[0], self.factors))
        self.V_ = rng.normal(0, 0.1, (n_items, self.factors))
        self.b_ = np.zeros(n_items)
        for _ in range(self.epochs):
            order = rng.permutation(len(users))
            for start in range(0, len(order), self.batch_size):
                sel = order[start : start + self.batch_size]
                u, i = users[sel], items[sel]
                j = rng.integers(0, n_items, len(sel))
                keep = ~np.asarray(X[u, j]).ravel().astype(bool)
                u, i, j = u[keep], i[keep], j[keep]
                Uu, Vi, Vj = self.U_[u], self.V_[i], self.V_[j]
                x = np.sum(Uu * (Vi - Vj), axis=1) + self.b_[i] - self.b_[j]
                g = 1 / (1 + np.exp(x))  # d log σ(x) / dx
                np.add.at(self.U_, u, self.lr * (g[:, None] * (Vi - Vj) - self.reg * Uu))
                np.add.at(self.V_, i, self.lr * (g[:, None] * Uu - self.reg * Vi))
                np.add.at(self.V_, j, self.lr * (-g[:, None] * Uu - self.reg * Vj))
                np.add.at(self.b_, i, self.lr * (g - self.reg * self.b_[i]))
                np.add.at(self.b_, j, self.lr * (-g - self.reg * self.b_[j]))
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return self.U_[rows] @ self.V_.T + self.b_


class ItemPrior:
    """Adds ``weight`` × a standardised log1p(item column) to another model's scores (a catalogue feature as a
    prior). Only columns known when the recommendations are made belong here (data/raw/item_columns.csv)."""

    def __init__(self, model, values: np.ndarray, weight: float):
        v = np.log1p(np.asarray(values, dtype=float))
        self.model, self.weight = model, weight
        self.prior_ = (v - v.mean()) / (v.std() + 1e-9)

    def fit(self, X: sp.csr_matrix, events: pd.DataFrame | None = None) -> ItemPrior:
        self.model.fit(X, events)
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        s = np.asarray(self.model.score(rows), dtype=float)
        s = (s - s.mean(axis=1, keepdims=True)) / (s.std(axis=1, keepdims=True) + 1e-9)
        return s + self.weight * self.prior_


def build_model(params: dict[str, Any], items: pd.DataFrame | None = None):
    """The model params.yaml asks for; with ``model.item_prior.column`` set, wrapped in an ItemPrior over
    ``items`` (the catalogue in matrix column order)."""
    model = _base_model(params)
    prior = params["model"].get("item_prior") or {}
    if prior.get("column"):
        if items is None or prior["column"] not in items.columns:
            raise ValueError(f"model.item_prior.column {prior['column']!r} is not a column of items.csv")
        model = ItemPrior(model, items[prior["column"]].fillna(0).to_numpy(), float(prior.get("weight", 1.0)))
    return model


def _base_model(params: dict[str, Any]):
    cfg = params["model"]
    kind = cfg["type"]
    seed = int(params.get("seed", 0))
    if kind == "popularity":
        return Popularity(window_days=cfg["popularity"].get("window_days"))
    if kind == "item_knn":
        return ItemKNN(**cfg["item_knn"])
    if kind == "als":
        return ALS(**cfg["als"], seed=seed)
    if kind == "bpr":
        return BPR(**cfg["bpr"], seed=seed)
    raise ValueError(f"unknown model.type {kind!r}: popularity | item_knn | als | bpr")


def recommend(model, X: sp.csr_matrix, rows: np.ndarray, k: int, batch: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Top-k item indices and their scores for each row of X in ``rows``, excluding the items in the row."""
    top_idx, top_score = [], []
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        scores = np.asarray(model.score(part), dtype=np.float64).copy()
        seen = X[part].tocoo()
        scores[seen.row, seen.col] = -np.inf
        idx = np.argpartition(-scores, k, axis=1)[:, :k]
        part_scores = np.take_along_axis(scores, idx, axis=1)
        order = np.argsort(-part_scores, axis=1, kind="stable")
        top_idx.append(np.take_along_axis(idx, order, axis=1))
        top_score.append(np.take_along_axis(part_scores, order, axis=1))
    return np.vstack(top_idx), np.vstack(top_score)
