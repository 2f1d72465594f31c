import numpy as np
import pytest

from {{ cookiecutter.module_name }}.calculus import gradient_check, init_mlp, mlp_loss, mlp_loss_and_grads, numerical_gradient


def test_numerical_gradient_of_a_quadratic():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.0])
    grad = numerical_gradient(lambda v: float(v @ a @ v), x)
    assert np.allclose(grad, 2 * a @ x, atol=1e-7)
    assert np.array_equal(x, [0.5, -1.0]), "x must be left unchanged"


def test_numerical_gradient_keeps_the_shape():
    x = np.arange(6.0).reshape(2, 3)
    assert numerical_gradient(lambda v: float(np.sum(v**2)), x).shape == (2, 3)


def test_backprop_loss_and_shapes():
    rng = np.random.default_rng(0)
    params = init_mlp(3, 4, 2, seed=1)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    loss, grads = mlp_loss_and_grads(params, x, y)
    assert loss == pytest.approx(mlp_loss(params, x, y))
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in params.items()}


def test_backprop_passes_the_gradient_check():
    rng = np.random.default_rng(0)
    params = init_mlp(3, 4, 2, seed=1)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    assert gradient_check(params, x, y) < 1e-6
