"""Problem set 3 — optimisation (weeks 4–5): gradient descent, SGD, momentum, Adam and learning rates.

Every optimiser is a *step function* ``step(w, grad, state, lr, **hyper) -> (new_w, new_state)``: it gets the
current weights, the gradient at them and the state it returned last time (an empty dict on the first step),
and returns new weights and state without modifying its inputs. ``minimise`` runs any of them on logistic
regression. NumPy only. Companions: CS229's notes on logistic regression, Sebastian Ruder's *An overview of
gradient descent optimization algorithms*, Kingma & Ba (2015) *Adam*, distill.pub's *Why momentum really works*.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

State = dict[str, np.ndarray | int]
Step = Callable[..., tuple[np.ndarray, State]]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^(−z)), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logistic_loss_and_grad(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of logistic regression p = σ(Xw) and its gradient Xᵀ(p − y)/n."""
    z = x @ w
    # log(1 + e^z) − y z, stable for large |z|
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, x.T @ (sigmoid(z) - y) / x.shape[0]


def sgd_step(w: np.ndarray, grad: np.ndarray, state: State, lr: float) -> tuple[np.ndarray, State]:
    """Exercise 6 (solved): plain (stochastic) gradient descent, w ← w − lr · grad. It keeps no state."""
    return w - lr * grad, state


def momentum_step(
    w: np.ndarray, grad: np.ndarray, state: State, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, State]:
    """Exercise 7 (solved): SGD with (heavy-ball) momentum, as PyTorch defines it.

    v ← β v + grad (v starts at zero), w ← w − lr · v. The state holds ``v``.
    """
    v = beta * state.get("v", np.zeros_like(w)) + grad
    return w - lr * v, {"v": v}


def adam_step(
    w: np.ndarray,
    grad: np.ndarray,
    state: State,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, State]:
    """Exercise 8: one step of Adam (Kingma & Ba, 2015, Algorithm 1).

    With t the step number (1 on the first step) and m, v starting at zero:
    m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,  m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t),
    w ← w − lr · m̂ / (√v̂ + ε). The state holds ``t``, ``m`` and ``v``. On the first step the update is
    almost exactly lr · sign(g): check that by hand.
    """
    raise NotImplementedError("Exercise 8: the Adam update (optim.adam_step)")


def minimise(
    step: Step,
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    n_steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    **hyper: float,
) -> tuple[np.ndarray, list[float]]:
    """Fit logistic regression from w = 0 with ``step``, on mini-batches of ``batch_size`` rows (all rows when
    None) drawn by a seeded shuffle each epoch. Returns the weights and the full-data loss after every step."""
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    size = n if batch_size is None else batch_size
    w, state, losses = np.zeros(x.shape[1]), {}, []
    order, pos = rng.permutation(n), 0
    for _ in range(n_steps):
        if pos + size > n:
            order, pos = rng.permutation(n), 0
        idx = order[pos : pos + size]
        pos += size
        _, grad = logistic_loss_and_grad(w, x[idx], y[idx])
        w, state = step(w, grad, state, lr, **hyper)
        losses.append(logistic_loss_and_grad(w, x, y)[0])
    return w, losses
