"""Reference solution (probability): spliced over the stubs by test_math_foundations.py."""

import numpy as np


def permutation_test(a, b, n_permutations=10_000, seed=0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    pool = np.concatenate([a, b])
    observed = abs(a.mean() - b.mean())
    hits = 0
    for _ in range(n_permutations):
        perm = rng.permutation(pool)
        hits += abs(perm[: a.size].mean() - perm[a.size:].mean()) >= observed - 1e-12
    return (1 + hits) / (1 + n_permutations)
