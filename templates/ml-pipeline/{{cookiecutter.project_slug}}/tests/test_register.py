from {{ cookiecutter.module_name }}.register import decide


def test_first_model_becomes_champion():
    assert decide(0.6, None).promote


def test_better_model_replaces_the_champion():
    assert decide(0.81, 0.80).promote


def test_worse_or_equal_model_does_not():
    assert not decide(0.79, 0.80).promote
    assert not decide(0.80, 0.80).promote
    assert not decide(0.805, 0.80, min_improvement=0.01).promote


def test_force_promotes_anyway():
    assert decide(0.70, 0.80, force=True).promote
