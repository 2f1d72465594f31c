"""{{ cookiecutter.project_name }}: maths-for-ML problem sets implemented from scratch in NumPy.

One module per topic; every exercise is a function whose docstring states the task. Exercises still to do
raise ``NotImplementedError("Exercise N: ...")``. ``EXERCISES`` lists them all, in order.
"""

EXERCISES = {
    1: ("linalg", "project"),
    2: ("linalg", "power_iteration"),
    3: ("linalg", "pca"),
    4: ("calculus", "numerical_gradient"),
    5: ("calculus", "mlp_loss_and_grads"),
    6: ("optim", "sgd_step"),
    7: ("optim", "momentum_step"),
    8: ("optim", "adam_step"),
    9: ("probability", "gaussian_mle"),
    10: ("probability", "bayes_posterior"),
    11: ("probability", "welch_t_test"),
    12: ("probability", "permutation_test"),
    13: ("information", "entropy"),
    14: ("information", "cross_entropy"),
    15: ("information", "kl_divergence"),
    16: ("information", "mutual_information"),
}
