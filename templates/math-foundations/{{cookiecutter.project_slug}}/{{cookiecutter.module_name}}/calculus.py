"""Problem set 2 — calculus (weeks 3–4): derivatives, the chain rule, gradients and backpropagation.

NumPy only. Companions: 3Blue1Brown's *Essence of calculus* and *Neural networks* (chapters 3–4 on
backpropagation), CS231n's notes *Backpropagation, intuitions*, *Mathematics for Machine Learning* chapter 5.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Exercise 4 (solved): the gradient of a scalar function by central differences.

    For every entry i of the array ``x`` (any shape), ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / 2ε.
    Return an array of the same shape as ``x``; leave ``x`` itself unchanged. The error is O(ε²).
    """
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2.0 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The largest elementwise relative difference |a − b| / max(|a| + |b|, 1e-8) (a gradient-check helper)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def init_mlp(n_in: int, n_hidden: int, n_out: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Weights of a 2-layer MLP (Xavier-scaled normal), biases at zero: W1 (n_in, n_hidden), b1, W2, b2."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(scale=np.sqrt(1.0 / n_in), size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(scale=np.sqrt(1.0 / n_hidden), size=(n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


def mlp_forward(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The MLP's output: tanh(X W1 + b1) W2 + b2, shape (n_samples, n_out)."""
    return np.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


def mlp_loss(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Half the mean squared error: L = 1/(2n) Σ_samples Σ_outputs (out − y)²."""
    out = mlp_forward(params, x)
    return float(0.5 * np.sum((out - y) ** 2) / x.shape[0])


def mlp_loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Exercise 5: backpropagation through the 2-layer MLP of ``mlp_forward`` with the loss of ``mlp_loss``.

    Forward: Z = X W1 + b1, H = tanh(Z), out = H W2 + b2, L = 1/(2n) Σ (out − y)². Apply the chain rule
    backwards (dL/dout, then W2 and b2, then H, then Z with tanh′(z) = 1 − tanh²(z), then W1 and b1) and
    return ``(loss, grads)`` where ``grads`` has the keys and shapes of ``params``. No loops over samples.
    ``gradient_check`` below tells you whether you got it right.
    """
    raise NotImplementedError("Exercise 5: backpropagation for the 2-layer MLP (calculus.mlp_loss_and_grads)")


def gradient_check(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, eps: float = 1e-5) -> float:
    """The largest relative error between ``mlp_loss_and_grads`` and ``numerical_gradient`` over every parameter."""
    _, grads = mlp_loss_and_grads(params, x, y)
    worst = 0.0
    for name, value in params.items():

        def f(v: np.ndarray, name: str = name) -> float:
            return mlp_loss({**params, name: v}, x, y)

        worst = max(worst, relative_error(grads[name], numerical_gradient(f, value, eps)))
    return worst
