"""Training behaviour a mentor checks: it can learn, it is reproducible, and it runs without a GPU."""

import torch

from {{ cookiecutter.module_name }}.config import amp_enabled, seed_everything, select_device
from {{ cookiecutter.module_name }}.data import make_loader
from {{ cookiecutter.module_name }}.engine import train_one_epoch
from {{ cookiecutter.module_name }}.model import Classifier
from {{ cookiecutter.module_name }}.train import make_optimizer


def _batch(n=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 16, 16, generator=g), torch.arange(n) % 10


def test_one_batch_overfit():
    """A correct model + loop drives the loss on a single batch close to zero."""
    seed_everything(0)
    x, y = _batch()
    model = Classifier("cnn", channels=8, dropout=0.0)
    loader = make_loader(x, y, batch_size=len(y))
    optimizer, _ = make_optimizer(model, 0.01, 0.0, 1, 1, "constant")
    first = train_one_epoch(model, loader, optimizer, torch.device("cpu"))
    for _ in range(150):
        last = train_one_epoch(model, loader, optimizer, torch.device("cpu"))
    assert last < 0.05 < first


def _train_a_little(seed):
    generator = seed_everything(seed)
    x, y = _batch(64)
    model = Classifier("cnn", channels=8)
    loader = make_loader(x, y, batch_size=16, shuffle=True, augment=True, generator=generator)
    optimizer, scheduler = make_optimizer(model, 0.01, 0.01, 2, len(loader), "onecycle")
    for _ in range(2):
        train_one_epoch(model, loader, optimizer, torch.device("cpu"), scheduler=scheduler)
    return model.state_dict()


def test_same_seed_same_weights():
    a, b, c = _train_a_little(7), _train_a_little(7), _train_a_little(8)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a if a[k].is_floating_point())


def test_device_selection_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    if getattr(torch.backends, "mps", None) is not None:
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert select_device("auto").type == "cpu"
    assert select_device("cuda").type == "cpu"
    assert not amp_enabled(True, torch.device("cpu"))


def test_mixed_precision_is_a_no_op_on_cpu():
    """The AMP code path (GradScaler disabled on CPU) trains exactly like the plain one."""
    x, y = _batch()
    results = []
    for scaler in (None, torch.amp.GradScaler("cuda", enabled=False)):
        seed_everything(3)
        model = Classifier("cnn", channels=8)
        optimizer, _ = make_optimizer(model, 0.01, 0.0, 1, 1, "constant")
        results.append(
            train_one_epoch(model, make_loader(x, y, 16), optimizer, torch.device("cpu"), scaler=scaler, amp=True)
        )
    assert results[0] == results[1]
