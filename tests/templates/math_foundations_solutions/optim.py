"""Reference solution (optim): spliced over the stubs by test_math_foundations.py."""

import numpy as np


def adam_step(w, grad, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = int(state.get("t", 0)) + 1
    m = beta1 * state.get("m", np.zeros_like(w)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(w)) + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}
