"""Problem set 4 — probability and statistics (weeks 5–7): distributions, Bayes' rule, maximum likelihood,
hypothesis tests and p-values.

NumPy only, except that ``scipy.stats`` distributions (``t.sf``, ``norm.cdf``) may be used for tail
probabilities. Companions: *Mathematics for Machine Learning* chapter 6, Seeing Theory (Brown University),
StatQuest's videos on maximum likelihood and p-values, *Think Stats* (Allen Downey).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    """Exercise 9 (solved): the maximum-likelihood estimates (μ̂, σ̂²) of a Gaussian from samples ``x``.

    Setting the derivatives of the log-likelihood to zero gives μ̂ = mean(x) and σ̂² = 1/n Σ (x − μ̂)² —
    note 1/n, not the unbiased 1/(n − 1).
    """
    x = np.asarray(x, dtype=float)
    mu = float(np.mean(x))
    return mu, float(np.mean((x - mu) ** 2))


def bayes_posterior(prior: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """Exercise 10 (solved): Bayes' rule over a discrete set of hypotheses.

    posterior_i = prior_i · likelihood_i / Σ_j prior_j · likelihood_j. Raise ``ValueError`` when the
    evidence (the denominator) is zero or a prior/likelihood entry is negative.
    """
    prior = np.asarray(prior, dtype=float)
    likelihood = np.asarray(likelihood, dtype=float)
    if np.any(prior < 0) or np.any(likelihood < 0):
        raise ValueError("probabilities cannot be negative")
    joint = prior * likelihood
    evidence = joint.sum()
    if evidence == 0:
        raise ValueError("the evidence is zero: the data is impossible under every hypothesis")
    return joint / evidence


def welch_t_test(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Exercise 11 (solved): Welch's two-sample t-test (unequal variances), two-sided.

    t = (ā − b̄) / √(s_a²/n_a + s_b²/n_b) with unbiased sample variances, degrees of freedom by the
    Welch–Satterthwaite equation, p = 2 · P(T_df > |t|). Return ``(t, p_value)``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(t), float(2.0 * stats.t.sf(abs(t), df))


def permutation_test(a: np.ndarray, b: np.ndarray, n_permutations: int = 10_000, seed: int = 0) -> float:
    """Exercise 12: a two-sided permutation test of "a and b come from the same distribution".

    The statistic is the difference of means, ā − b̄. Pool the samples; ``n_permutations`` times, shuffle
    the pool with a ``np.random.default_rng(seed)`` generator, split it into groups of the original sizes
    and compute the statistic. Return the p-value
    (1 + #{|shuffled statistic| ≥ |observed statistic|}) / (1 + n_permutations)
    (the +1s count the observed split itself, so the p-value is never 0).
    """
    raise NotImplementedError("Exercise 12: a permutation-test p-value (probability.permutation_test)")
