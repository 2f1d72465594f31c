"""The pre-trained path takes the embed stage's vectors and runs the encoder only for texts they lack."""

import numpy as np
import pytest
import torch

from {{ cookiecutter.module_name }} import encoder


def test_stored_embeddings_are_read_without_loading_the_encoder(tmp_path, monkeypatch):
    path = tmp_path / "embeddings.npz"
    np.savez(path, texts=np.array(["refund please", "login fails"]), vectors=np.eye(2, 384, dtype=np.float32))
    monkeypatch.setattr(encoder, "load_encoder", lambda *a, **k: pytest.fail("the encoder was loaded"))
    out = encoder.embed(["login fails", "refund please", "login fails"], path=path)
    assert out.shape == (3, 384) and out.dtype == torch.float32
    assert out[0].argmax() == 1 and out[1].argmax() == 0 and torch.equal(out[0], out[2])


def test_texts_the_file_lacks_are_encoded(tmp_path, monkeypatch):
    path = tmp_path / "embeddings.npz"
    np.savez(path, texts=np.array(["refund please"]), vectors=np.ones((1, 384), dtype=np.float32))
    asked = []
    monkeypatch.setattr(
        encoder,
        "encode",
        lambda texts, batch_size=128: asked.extend(texts) or np.zeros((len(texts), 384), dtype=np.float32),
    )
    out = encoder.embed(["refund please", "a new message", "a new message"], path=path)
    assert asked == ["a new message"] and out[0].sum() == 384 and out[1].sum() == 0
