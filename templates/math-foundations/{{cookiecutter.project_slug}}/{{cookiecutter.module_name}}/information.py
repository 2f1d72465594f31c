"""Problem set 5 — information theory (week 8): entropy, cross-entropy, KL divergence, mutual information.

Distributions are 1-D arrays of probabilities (non-negative, summing to 1); ``base`` is the logarithm's base
(2: bits, e: nats). Terms with p = 0 contribute 0 (the limit of p log p). NumPy only. Companions: Chris
Olah's *Visual Information Theory*, *Elements of Information Theory* (Cover & Thomas) chapter 2, David
MacKay's *Information Theory, Inference, and Learning Algorithms* (free online).
"""

from __future__ import annotations

import numpy as np


def as_distribution(p: np.ndarray) -> np.ndarray:
    """``p`` as a float array, checked: no negative entries, sums to 1 within 1e-9 (else ``ValueError``)."""
    p = np.asarray(p, dtype=float)
    if np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-9):
        raise ValueError("not a probability distribution (negative entries or the sum is not 1)")
    return p


def entropy(p: np.ndarray, base: float = 2.0) -> float:
    """Exercise 13 (solved): the Shannon entropy H(p) = −Σ p_i log p_i, in units of ``base``."""
    p = as_distribution(p)
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)) / np.log(base))


def cross_entropy(p: np.ndarray, q: np.ndarray, base: float = 2.0) -> float:
    """Exercise 14 (solved): the cross-entropy H(p, q) = −Σ p_i log q_i — the expected code length when
    data from p is coded with a code built for q. It is ``inf`` when q_i = 0 for some p_i > 0."""
    p, q = as_distribution(p), as_distribution(q)
    mask = p > 0
    if np.any(q[mask] == 0):
        return float("inf")
    return float(-np.sum(p[mask] * np.log(q[mask])) / np.log(base))


def kl_divergence(p: np.ndarray, q: np.ndarray, base: float = 2.0) -> float:
    """Exercise 15: the Kullback–Leibler divergence KL(p ‖ q) = Σ p_i log(p_i / q_i).

    Terms with p_i = 0 contribute 0; return ``inf`` when q_i = 0 for some p_i > 0. Validate both inputs with
    ``as_distribution``. KL(p ‖ q) = H(p, q) − H(p) ≥ 0, with equality exactly when p = q; it is not symmetric.
    """
    raise NotImplementedError("Exercise 15: the KL divergence (information.kl_divergence)")


def mutual_information(joint: np.ndarray, base: float = 2.0) -> float:
    """Exercise 16: the mutual information I(X; Y) of a joint probability table.

    ``joint[i, j]`` = P(X = i, Y = j) (non-negative, summing to 1). With the marginals p(x) (row sums) and
    p(y) (column sums), I(X; Y) = Σ p(x, y) log(p(x, y) / (p(x) p(y))) over the non-zero cells. It is 0 exactly
    when X and Y are independent, and I(X; X) = H(X).
    """
    raise NotImplementedError("Exercise 16: mutual information of a joint table (information.mutual_information)")
