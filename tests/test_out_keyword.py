"""PyTorch's ``out=`` keyword on the functions programs call with it (``functions/out.py``):
``torch.matmul(a, b, out=y)`` as in the 60-minute blitz, with PyTorch's rules."""

from __future__ import annotations

import pytest

import minigrad


def test_the_result_is_written_into_out_and_out_is_returned(device):
    t = minigrad.arange(6.0, device=device).reshape(2, 3)
    y = minigrad.empty(2, 2, device=device)
    assert minigrad.matmul(t, t.T, out=y) is y
    assert y.tolist() == (t @ t.T).tolist()
    z = minigrad.zeros(2, 3, device=device)
    before = z._version.value
    minigrad.mul(t, t, out=z)
    assert z.tolist() == (t * t).tolist() and z._version.value == before + 1
    joined = minigrad.empty(4, 3, device=device)
    minigrad.cat([t, t], out=joined)
    assert joined.tolist() == minigrad.cat([t, t]).tolist()
    total = minigrad.empty((), device=device)
    assert minigrad.sum(t, out=total).item() == 15.0
    ints = minigrad.empty(3, dtype=minigrad.int64, device=device)
    minigrad.add(minigrad.tensor([1, 2, 3], device=device), 1, out=ints)
    assert ints.tolist() == [2, 3, 4]


def test_an_out_of_another_shape_is_resized_with_pytorchs_warning(device):
    t = minigrad.ones(2, 3, device=device)
    y = minigrad.empty(5, device=device)
    with pytest.warns(UserWarning, match=r"resized since it had shape \[5\].*shape \[2, 2\]"):
        minigrad.matmul(t, t.T, out=y)
    assert y.shape == (2, 2) and y.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    empty = minigrad.empty(0, device=device)
    minigrad.exp(t, out=empty)  # an empty out is resized without a word
    assert empty.shape == (2, 3)


def test_what_pytorch_refuses(device):
    t = minigrad.ones(2, device=device)
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired"):
        minigrad.mul(t, t, out=minigrad.empty(2, dtype=minigrad.int64, device=device))
    w = minigrad.ones(2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        minigrad.mul(w, t, out=minigrad.empty(2, device=device))
    with minigrad.no_grad():  # outside the graph, as in PyTorch
        assert minigrad.mul(w, t, out=minigrad.empty(2, device=device)).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
        minigrad.add(t, t, out=[0, 0])


def test_the_wrapped_names_keep_their_docs_and_aliases():
    assert "elementwise" in minigrad.mul.__doc__
    assert minigrad.multiply is minigrad.mul and minigrad.clip is minigrad.clamp
    assert minigrad.mul.__module__ == "minigrad"  # what a saved model's reference names
