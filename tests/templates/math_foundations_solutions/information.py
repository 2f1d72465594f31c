"""Reference solution (information): spliced over the stubs by test_math_foundations.py."""

import numpy as np


def kl_divergence(p, q, base=2.0):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    for d in (p, q):
        if np.any(d < 0) or not np.isclose(d.sum(), 1.0, atol=1e-9):
            raise ValueError("not a probability distribution")
    mask = p > 0
    if np.any(q[mask] == 0):
        return float("inf")
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])) / np.log(base))


def mutual_information(joint, base=2.0):
    joint = np.asarray(joint, dtype=float)
    if np.any(joint < 0) or not np.isclose(joint.sum(), 1.0, atol=1e-9):
        raise ValueError("not a joint probability table")
    px, py = joint.sum(axis=1, keepdims=True), joint.sum(axis=0, keepdims=True)
    mask = joint > 0
    return float(max(0.0, np.sum(joint[mask] * np.log(joint[mask] / (px @ py)[mask])) / np.log(base)))
