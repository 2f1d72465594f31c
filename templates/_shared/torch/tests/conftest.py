import pytest
import torch

torch.set_num_threads(2)


@pytest.fixture
def params():
    from {{ cookiecutter.module_name }}.config import load_params

    return load_params()
