"""Problem set 1 — linear algebra (weeks 1–2): vectors, projections, eigenvalues, the SVD and PCA.

NumPy only. ``np.linalg.norm`` and ``np.linalg.svd`` are allowed building blocks; ``np.linalg.eig``/``eigh``
are not (Exercise 2 is how you would compute an eigenpair without them). Companions: 3Blue1Brown's
*Essence of linear algebra*, *Mathematics for Machine Learning* (Deisenroth, Faisal, Ong) chapters 2–4 and 10.
"""

from __future__ import annotations

import numpy as np


def project(v: np.ndarray, onto: np.ndarray) -> np.ndarray:
    """Exercise 1 (solved): the orthogonal projection of the vector ``v`` onto the line spanned by ``onto``.

    proj = (v·u / u·u) u. The residual ``v - proj`` is orthogonal to ``u``. Raise ``ValueError`` when
    ``onto`` is the zero vector (there is no line to project onto).
    """
    v = np.asarray(v, dtype=float)
    u = np.asarray(onto, dtype=float)
    uu = float(u @ u)
    if uu == 0.0:
        raise ValueError("cannot project onto the zero vector")
    return (v @ u) / uu * u


def power_iteration(a: np.ndarray, n_iter: int = 1000, tol: float = 1e-10, seed: int = 0) -> tuple[float, np.ndarray]:
    """Exercise 2 (solved): the dominant eigenpair of a symmetric matrix by power iteration.

    Start from a seeded random unit vector and repeat v ← Av / ‖Av‖. The eigenvalue estimate is the Rayleigh
    quotient λ = vᵀAv; stop when the residual ‖Av − λv‖ falls below ``tol``·max(1, |λ|) or after ``n_iter``
    steps. Return ``(eigenvalue, eigenvector)`` with a unit-norm eigenvector. It converges to the eigenvalue
    of largest magnitude, at a speed set by the ratio of the two largest magnitudes.
    """
    a = np.asarray(a, dtype=float)
    rng = np.random.default_rng(seed)
    v = rng.normal(size=a.shape[0])
    v /= np.linalg.norm(v)
    lam = float(v @ a @ v)
    for _ in range(n_iter):
        w = a @ v
        norm = np.linalg.norm(w)
        if norm == 0.0:  # v is in the null space: 0 is an eigenvalue
            return 0.0, v
        v = w / norm
        lam = float(v @ a @ v)
        if np.linalg.norm(a @ v - lam * v) < tol * max(1.0, abs(lam)):
            break
    return lam, v


def pca(x: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """Exercise 3: principal component analysis through the SVD.

    ``x`` is (n_samples, n_features). Centre every column (subtract its mean), take the thin SVD of the
    centred matrix, Xc = U S Vᵀ, and return ``(components, explained_variance_ratio)``:

    * ``components``: (n_components, n_features), the first ``n_components`` rows of Vᵀ — orthonormal
      directions of largest variance, in decreasing order of variance;
    * ``explained_variance_ratio``: (n_components,), S_i² / Σ_j S_j² for those components.

    Sign convention: flip each component so that its entry of largest absolute value is positive.
    Use ``np.linalg.svd(..., full_matrices=False)``; do not use scikit-learn.
    """
    raise NotImplementedError("Exercise 3: PCA via the SVD (linalg.pca)")
