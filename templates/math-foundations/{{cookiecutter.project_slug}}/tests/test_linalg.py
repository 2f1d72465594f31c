import numpy as np
import pytest

from {{ cookiecutter.module_name }}.linalg import pca, power_iteration, project


def test_projection_lies_on_the_line_and_leaves_an_orthogonal_residual():
    v, u = np.array([3.0, 4.0]), np.array([2.0, 0.0])
    p = project(v, u)
    assert np.allclose(p, [3.0, 0.0])
    assert abs((v - p) @ u) < 1e-12


def test_projection_onto_zero_vector_is_an_error():
    with pytest.raises(ValueError):
        project(np.ones(3), np.zeros(3))


def test_power_iteration_finds_the_top_eigenpair_of_a_diagonal_matrix():
    value, vector = power_iteration(np.diag([1.0, 5.0, 2.0]))
    assert value == pytest.approx(5.0, rel=1e-8)
    assert np.allclose(np.abs(vector), [0.0, 1.0, 0.0], atol=1e-6)


def test_pca_of_points_on_a_line_has_one_component():
    t = np.linspace(-1.0, 1.0, 50)
    x = np.column_stack([t, 2 * t]) + 3.0
    components, ratio = pca(x, 2)
    assert components.shape == (2, 2) and ratio.shape == (2,)
    assert ratio[0] == pytest.approx(1.0)
    assert np.allclose(components[0], np.array([1.0, 2.0]) / np.sqrt(5.0))
