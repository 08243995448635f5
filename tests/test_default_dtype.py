"""``set_default_dtype``/``get_default_dtype``: what the default float type governs (new
tensors from Python floats, the creation functions, layers' parameters, the promotion of
integers with floats, the printed dtype), what it leaves alone, and the errors."""

from __future__ import annotations

import pytest

import minigrad
from minigrad import nn

F64 = minigrad.float64


@pytest.fixture
def float64_default():
    minigrad.set_default_dtype(F64)
    yield
    minigrad.set_default_dtype(minigrad.float32)


def test_the_default_governs_new_floating_tensors(float64_default, device):
    made = [
        minigrad.tensor([1.5], device=device),
        minigrad.zeros(2, device=device),
        minigrad.ones(2, device=device),
        minigrad.randn(2, device=device),
        minigrad.rand(2, device=device),
        minigrad.empty(2, device=device),
        minigrad.full((2,), 1.5, device=device),
        minigrad.arange(0, 1, 0.5, device=device),
        minigrad.linspace(0, 1, 3, device=device),
        nn.Linear(2, 1).to(device).weight,
        nn.Conv2d(1, 1, 3).to(device).bias,
        minigrad.tensor([1, 2], device=device) * 0.5,  # int with a float: the default
        minigrad.tensor([1.0, 2.0], device=device).mean(),
    ]  # fmt: skip
    assert all(t.dtype == F64 for t in made)
    assert repr(minigrad.tensor([1.5])) == "tensor([1.5000])"  # the default is not printed
    assert "dtype=minigrad.float32" in repr(minigrad.tensor([1.5], dtype=minigrad.float32))


def test_what_the_default_leaves_alone(float64_default):
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64
    assert minigrad.zeros(2, dtype=minigrad.float32).dtype == minigrad.float32
    assert (minigrad.ones(2, dtype=minigrad.float32) * 2.5).dtype == minigrad.float32
    assert minigrad.ones(2).float().dtype == minigrad.float32  # .float() is float32


def test_restored_default_and_errors():
    assert minigrad.get_default_dtype() == minigrad.float32
    with pytest.raises(TypeError, match="only floating-point types are supported"):
        minigrad.set_default_dtype(minigrad.int64)
    assert minigrad.get_default_dtype() == minigrad.float32
