"""The memory layout of results: contiguous, as PyTorch's, except for views and elementwise
ops, whose results keep their input's layout (``autograd._contiguous``). NumPy lays out a
``concatenate`` or a ``sum`` of a transposed array like its input, where PyTorch's result
is contiguous, and ``.view()`` of it would fail in minigrad alone."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function
from minigrad.nn import functional as F

# Each of these is contiguous in PyTorch 2.13 for a permuted (4, 8, 4) input.
CONTIGUOUS = {
    "cat": lambda m, x: m.cat([x, x], 1),
    "stack": lambda m, x: m.stack([x, x]),
    "sum": lambda m, x: x.sum(0),
    "mean": lambda m, x: x.mean(1),
    "einsum": lambda m, x: m.einsum("bij,bkj->bik", x, x),
    "tensordot": lambda m, x: m.tensordot(x, x, dims=([2], [2])),
    "softmax": lambda m, x: x.softmax(1),
    "log_softmax": lambda m, x: F.log_softmax(x, dim=2),
    "cumsum": lambda m, x: x.cumsum(1),
    "roll": lambda m, x: x.roll(1, 1),
    "topk_values": lambda m, x: x.topk(2, 1).values,
    "topk_indices": lambda m, x: x.topk(2, 1).indices,
    "advanced_index": lambda m, x: x[:, [0, 2]],
    "masked_fill": lambda m, x: x.masked_fill(x > 0, 0.0),
}


@pytest.mark.parametrize("name", sorted(CONTIGUOUS))
def test_results_are_contiguous_as_in_pytorch_so_view_works(name, device):
    leaf = minigrad.randn(4, 4, 8, device=device, requires_grad=True)
    x = leaf.permute(0, 2, 1)
    out = CONTIGUOUS[name](minigrad, x)
    assert out.is_contiguous()
    flat = out.view(-1)  # refused for a non-contiguous layout (as in PyTorch)
    assert flat.shape == (out.numel(),)
    if out.requires_grad:  # the copy is in the graph like the result it replaced
        (flat * minigrad.arange(flat.numel(), device=device)).sum().backward()
        assert leaf.grad.shape == leaf.shape


def test_elementwise_results_keep_the_input_layout_and_views_share_memory(device):
    base = minigrad.randn(3, 5, device=device)
    x = base.t()
    for out in (x * 2, x + x, x.exp(), F.relu(x), x.to(minigrad.float64)):
        assert not out.is_contiguous()  # as PyTorch's TensorIterator keeps it
        np.testing.assert_allclose(out.t().numpy(), out.numpy().T)
    with minigrad.no_grad():  # a view writes through to its base, contiguous or not
        x[0].fill_(7.0)
    assert base[:, 0].tolist() == [7.0, 7.0, 7.0]


def test_a_result_that_shares_an_input_memory_is_left_as_it_is(device):
    """A Function that returns a transposed view of its input without saying so
    (``is_view``) keeps it: copying would cut the memory it shares."""

    class Transposed(Function):
        def forward(self, a):
            return a.T

        def backward(self, grad):
            return grad.T

    a = minigrad.randn(3, 4, device=device, requires_grad=True)
    out = Transposed.apply(a)
    assert not out.is_contiguous()  # a copy would be
    out.sum().backward()
    assert a.grad.tolist() == [[1.0] * 4] * 3
