"""Reference solution (linalg): spliced over the stubs by test_math_foundations.py."""

import numpy as np


def pca(x, n_components):
    x = np.asarray(x, dtype=float)
    xc = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    comps = vt[:n_components].copy()
    signs = np.sign(comps[np.arange(comps.shape[0]), np.argmax(np.abs(comps), axis=1)])
    comps *= signs[:, None]
    return comps, (s**2 / np.sum(s**2))[:n_components]
