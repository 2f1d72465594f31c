import numpy as np
import pytest

from {{ cookiecutter.module_name }}.optim import adam_step, logistic_loss_and_grad, minimise, momentum_step, sgd_step


def test_sgd_step_moves_against_the_gradient():
    w, _ = sgd_step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), {}, lr=0.1)
    assert np.allclose(w, [0.95, 2.1])


def test_momentum_accumulates_velocity():
    w, state = momentum_step(np.zeros(1), np.ones(1), {}, lr=1.0, beta=0.5)
    w, state = momentum_step(w, np.ones(1), state, lr=1.0, beta=0.5)
    assert np.allclose(state["v"], [1.5]) and np.allclose(w, [-2.5])


def test_logistic_gradient_is_zero_at_the_optimum_of_balanced_data():
    x = np.array([[1.0], [-1.0]])
    loss, grad = logistic_loss_and_grad(np.zeros(1), x, np.array([1.0, 0.0]))
    assert loss == pytest.approx(np.log(2.0)) and grad[0] < 0


def test_adam_first_step_is_lr_times_the_sign():
    w, state = adam_step(np.zeros(2), np.array([0.3, -20.0]), {}, lr=0.01)
    assert np.allclose(w, [-0.01, 0.01], atol=1e-6)
    assert state["t"] == 1


def test_adam_decreases_the_logistic_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 2))
    y = (x[:, 0] > 0).astype(float)
    _, losses = minimise(adam_step, x, y, lr=0.05, n_steps=50)
    assert losses[-1] < 0.5 * losses[0]
