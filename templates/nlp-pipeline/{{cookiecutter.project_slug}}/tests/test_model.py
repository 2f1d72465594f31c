"""Shapes and padding behaviour of the models."""

import pytest
import torch

from {{ cookiecutter.module_name }}.model import EmbeddingHead, build_model


@pytest.mark.parametrize("kind", ["embedding_bag", "transformer"])
def test_logits_have_one_column_per_class(kind, params):
    model = build_model(kind, params["model"], vocab_size=50, n_classes=4, max_len=16).eval()
    ids = torch.randint(1, 50, (3, 16))
    ids[0, 5:] = 0
    out = model(ids)
    assert out.shape == (3, 4) and torch.isfinite(out).all()


@pytest.mark.parametrize("kind", ["embedding_bag", "transformer"])
def test_padding_does_not_change_the_prediction(kind, params):
    model = build_model(kind, params["model"], vocab_size=50, n_classes=4, max_len=16).eval()
    short = torch.tensor([[4, 9, 13, 0, 0, 0]])
    longer = torch.tensor([[4, 9, 13, 0, 0, 0, 0, 0, 0, 0]])
    assert torch.allclose(model(short), model(longer), atol=1e-5)


def test_pretrained_head_takes_sentence_embeddings():
    assert EmbeddingHead(384, 4)(torch.randn(2, 384)).shape == (2, 4)
