import numpy as np
import pytest


@pytest.fixture(scope="module")
def calc(learner):
    return learner("calculus")


def finite_differences(f, x, eps=1e-6):
    """The mentor's own reference (independent of the learner's numerical_gradient)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


def test_numerical_gradient_of_a_matrix_function(calc):
    rng = np.random.default_rng(21)
    w, v = rng.normal(size=(3, 4)), rng.normal(size=4)
    grad = calc.numerical_gradient(lambda m: float(np.sum(np.tanh(m @ v))), w)
    exact = np.outer(1 - np.tanh(w @ v) ** 2, v)
    assert grad.shape == w.shape and np.allclose(grad, exact, atol=1e-8)


def test_numerical_gradient_leaves_its_input_alone(calc):
    x = np.array([1.0, -2.0, 3.0])
    calc.numerical_gradient(lambda v: float(v @ v), x)
    assert np.array_equal(x, [1.0, -2.0, 3.0])


@pytest.fixture(scope="module")
def problem(calc):
    rng = np.random.default_rng(22)
    params = calc.init_mlp(4, 6, 3, seed=5)
    params = {k: v + rng.normal(scale=0.1, size=v.shape) for k, v in params.items()}  # non-zero biases
    return params, rng.normal(size=(7, 4)), rng.normal(size=(7, 3))


def reference_loss(params, x, y):
    out = np.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    return 0.5 * np.sum((out - y) ** 2) / x.shape[0]


def test_backprop_loss_value(calc, problem):
    params, x, y = problem
    loss, _ = calc.mlp_loss_and_grads(params, x, y)
    assert loss == pytest.approx(reference_loss(params, x, y), rel=1e-10)


def test_backprop_gradient_shapes(calc, problem):
    params, x, y = problem
    _, grads = calc.mlp_loss_and_grads(params, x, y)
    assert set(grads) == set(params)
    assert all(grads[k].shape == params[k].shape for k in params)


def test_backprop_matches_finite_differences(calc, problem):
    params, x, y = problem
    _, grads = calc.mlp_loss_and_grads(params, x, y)
    for name in params:
        ref = finite_differences(lambda v, name=name: reference_loss({**params, name: v}, x, y), params[name])
        assert np.allclose(grads[name], ref, rtol=1e-5, atol=1e-8), f"d loss / d {name} is wrong"


def test_backprop_gradient_is_zero_at_a_perfect_fit(calc, problem):
    params, x, _ = problem
    y = calc.mlp_forward(params, x)
    loss, grads = calc.mlp_loss_and_grads(params, x, y)
    assert loss == pytest.approx(0.0, abs=1e-20)
    assert all(np.allclose(g, 0.0, atol=1e-12) for g in grads.values())
