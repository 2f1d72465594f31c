"""Shapes, the replaceable head, and the checkpoint round trip."""

import pytest
import torch

from {{ cookiecutter.module_name }}.model import Classifier, build_model, count_parameters


@pytest.mark.parametrize("arch", ["cnn", "resnet"])
def test_logits_have_one_column_per_class(arch):
    model = Classifier(arch, channels=8).eval()
    out = model(torch.rand(5, 1, 16, 16))
    assert out.shape == (5, 10)
    assert torch.isfinite(out).all()


def test_new_head_keeps_the_backbone():
    model = Classifier("cnn", channels=8)
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    model.new_head(4)
    assert model.eval()(torch.rand(2, 1, 16, 16)).shape == (2, 4)
    after = model.backbone.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_model_is_built_from_params(params):
    model = build_model(params)
    assert count_parameters(model) > 0
    assert model(torch.rand(3, 1, 16, 16)).shape == (3, 10)
