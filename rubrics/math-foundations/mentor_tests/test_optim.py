import numpy as np
import pytest


@pytest.fixture(scope="module")
def opt(learner):
    return learner("optim")


def test_sgd_step_is_exact(opt):
    w, g = np.array([1.0, -1.0, 0.5]), np.array([2.0, 0.0, -4.0])
    new, _ = opt.sgd_step(w, g, {}, lr=0.25)
    assert np.allclose(new, [0.5, -1.0, 1.5])
    assert np.array_equal(w, [1.0, -1.0, 0.5]), "inputs must not be modified"


def test_momentum_three_steps_by_hand(opt):
    w, state = np.array([0.0]), {}
    for g in (1.0, 2.0, -1.0):
        w, state = opt.momentum_step(w, np.array([g]), state, lr=0.1, beta=0.5)
    # v: 1, 2.5, 0.25; w: -0.1, -0.35, -0.375
    assert np.allclose(w, [-0.375])


def reference_adam(grads, lr, b1=0.9, b2=0.999, eps=1e-8):
    w, m, v = np.zeros_like(grads[0]), np.zeros_like(grads[0]), np.zeros_like(grads[0])
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w


def test_adam_first_step_by_hand(opt):
    g = np.array([0.3, -20.0, 1e-3])
    w, state = opt.adam_step(np.zeros(3), g, {}, lr=0.01)
    # m̂ = g, v̂ = g², so the step is lr · g / (|g| + eps)
    assert np.allclose(w, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-10, atol=0)


def test_adam_several_steps_match_the_paper(opt):
    rng = np.random.default_rng(31)
    grads = [rng.normal(size=4) for _ in range(5)]
    w, state = np.zeros(4), {}
    for g in grads:
        w, state = opt.adam_step(w, g, state, lr=0.003, beta1=0.8, beta2=0.99)
    assert np.allclose(w, reference_adam(grads, 0.003, 0.8, 0.99), rtol=1e-9, atol=1e-12)


def test_adam_does_not_modify_its_inputs(opt):
    w, g = np.ones(2), np.array([1.0, -1.0])
    _, state = opt.adam_step(w, g, {}, lr=0.1)
    saved = {k: np.copy(v) for k, v in state.items()}
    opt.adam_step(w, g, state, lr=0.1)
    assert np.array_equal(w, np.ones(2)) and all(np.array_equal(state[k], saved[k]) for k in saved)


def test_adam_fits_logistic_regression(opt):
    rng = np.random.default_rng(32)
    x = np.hstack([rng.normal(size=(300, 2)), np.ones((300, 1))])
    y = (rng.random(300) < opt.sigmoid(x @ np.array([2.0, -1.0, 0.5]))).astype(float)
    _, losses = opt.minimise(opt.adam_step, x, y, lr=0.05, n_steps=300)
    _, gd = opt.minimise(opt.sgd_step, x, y, lr=0.5, n_steps=3000)
    assert losses[-1] < gd[-1] + 0.01
