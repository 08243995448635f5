"""Activation checkpointing (``minigrad.utils.checkpoint``): the same gradients as without
it, from a graph that holds one node per segment, with the segment run again in backward."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import Function
from minigrad.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential


def make_block(seed=0):
    minigrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.3), nn.Linear(8, 4))


def grads(block, x):
    return [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in block.parameters()]


def nodes(t) -> int:
    seen, stack = set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen or not isinstance(fn, Function):
            continue
        seen.add(id(fn))
        stack.extend(fn.parents)
    return len(seen)


@pytest.mark.parametrize("reentrant", [False, True])
def test_gradients_equal_the_plain_run_with_dropout(reentrant, device):
    block = make_block().to(device)
    x = minigrad.randn(5, 4, device=device, requires_grad=True)
    minigrad.manual_seed(1)
    (block(x) ** 2).sum().backward()
    plain = grads(block, x)
    block.zero_grad()
    x.grad = None
    minigrad.manual_seed(1)  # the same Dropout mask: recomputed with the state of the first run
    out = checkpoint(block, x, use_reentrant=reentrant)
    minigrad.rand(3)  # the global stream moves on before backward
    (out**2).sum().backward()
    for a, b in zip(grads(block, x), plain):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_the_graph_holds_one_node_for_the_segment_and_it_runs_again_in_backward():
    calls = []
    minigrad.manual_seed(0)
    block = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4))

    def segment(x):
        calls.append(1)
        return block(x)

    x = minigrad.randn(5, 4, requires_grad=True)
    plain = block(x)
    out = checkpoint(segment, x, use_reentrant=False)
    assert nodes(plain) == 5 and nodes(out) == 1 and out.grad_fn.name() == "CheckpointBackward"
    assert len(calls) == 1
    out.sum().backward()
    assert len(calls) == 2


def test_parameters_get_gradients_without_an_input_that_requires_one():
    block = make_block()
    block.eval()  # no Dropout: the two runs agree exactly
    x = minigrad.randn(5, 4)
    checkpoint(block, x, use_reentrant=False).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad(set_to_none=True)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(block, x, use_reentrant=True)  # PyTorch's reentrant rule
    assert not out.requires_grad


def test_autograd_grad_and_backward_inputs_through_a_checkpoint():
    block = make_block().eval()
    x = minigrad.randn(5, 4, requires_grad=True)
    weight = block[0].weight
    (want,) = minigrad.autograd.grad(block(x).sum(), weight)
    (got,) = minigrad.autograd.grad(checkpoint(block, x, use_reentrant=False).sum(), weight)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    assert weight.grad is None  # grad() leaves .grad alone, through the segment too
    checkpoint(block, x, use_reentrant=False).sum().backward(inputs=[x])
    assert x.grad is not None and weight.grad is None


def test_tuple_outputs_with_other_values():
    lin = nn.Linear(3, 3)

    def segment(x, scale):
        h = lin(x)
        return h * scale, "tag", h.sum(dim=1)

    x = minigrad.randn(2, 3, requires_grad=True)
    a, tag, b = segment(x, 2.0)
    (a.sum() + (b**2).sum()).backward()
    want = [x.grad.numpy().copy(), lin.weight.grad.numpy().copy()]
    x.grad = lin.weight.grad = lin.bias.grad = None
    a, tag, b = checkpoint(segment, x, 2.0, use_reentrant=False)
    assert tag == "tag" and a.shape == (2, 3) and b.shape == (2,)
    (a.sum() + (b**2).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), want[0], rtol=1e-6)
    np.testing.assert_allclose(lin.weight.grad.numpy(), want[1], rtol=1e-6)


def test_keyword_arguments_need_the_non_reentrant_variant():
    def segment(x, *, power):
        return x**power

    x = minigrad.tensor([2.0], requires_grad=True)
    checkpoint(segment, x, power=3, use_reentrant=False).backward()
    assert x.grad.tolist() == [12.0]
    with pytest.raises(ValueError, match="Unexpected keyword arguments: power"):
        checkpoint(segment, x, power=3, use_reentrant=True)
    with pytest.warns(UserWarning, match="the use_reentrant parameter should be passed"):
        checkpoint(lambda t: t * 2, x)
    with pytest.raises(ValueError, match="determinism_check should be one of"):
        checkpoint(segment, x, power=3, use_reentrant=False, determinism_check="strict")


def test_a_recomputation_that_differs_is_an_error():
    runs = []

    def segment(x):
        runs.append(1)
        return x * 2 if len(runs) == 1 else x[:1] * 2

    x = minigrad.ones(3, requires_grad=True)
    out = checkpoint(segment, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="different metadata than during the forward pass"):
        out.sum().backward()


def test_the_graph_is_freed_after_backward_and_inputs_are_version_checked():
    block = make_block().eval()
    x = minigrad.randn(5, 4, requires_grad=True)
    out = checkpoint(block, x, use_reentrant=False).sum()
    out.backward(retain_graph=True)
    out.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()
    h = x * 1.0
    out = checkpoint(block, h, use_reentrant=False).sum()
    with minigrad.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.backward()


def test_under_no_grad_it_just_runs():
    block = make_block().eval()
    with minigrad.no_grad():
        out = checkpoint(block, minigrad.randn(2, 4), use_reentrant=False)
    assert not out.requires_grad and out.grad_fn is None


def test_recomputation_runs_under_the_first_runs_autocast():
    block = make_block().eval()
    x = minigrad.randn(5, 4, requires_grad=True)
    with minigrad.autocast("cpu", dtype=minigrad.float16):
        plain = block(x)
    plain.float().sum().backward()
    want = grads(block, x)
    block.zero_grad()
    x.grad = None
    with minigrad.autocast("cpu", dtype=minigrad.float16):
        out = checkpoint(block, x, use_reentrant=False)
    assert out.dtype == minigrad.float16
    out.float().sum().backward()  # outside autocast: the segment is recomputed inside it
    for a, b in zip(grads(block, x), want):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_sequential_equals_the_plain_model():
    minigrad.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(3) for m in (nn.Linear(4, 4), nn.ReLU())])
    x = minigrad.randn(6, 4, requires_grad=True)
    model(x).sum().backward()
    want = grads(model, x)
    model.zero_grad()
    x.grad = None
    out = checkpoint_sequential(model, 3, x, use_reentrant=False)
    out.sum().backward()
    for a, b in zip(grads(model, x), want):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    layers = list(model.children())
    assert checkpoint_sequential(layers, 2, x, use_reentrant=False).shape == (6, 4)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: extra"):
        checkpoint_sequential(model, 2, x, use_reentrant=False, extra=1)


def test_a_tensor_captured_from_outside_keeps_the_outer_graph():
    """The segment uses y, made outside it: the recomputation's backward goes through y's
    graph too, and must leave it for the outer backward (and a second checkpoint)."""
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x = minigrad.tensor([3.0, 4.0], requires_grad=True)
    y = w.exp()
    out = checkpoint(lambda t: t * y, x, use_reentrant=False)
    again = checkpoint(lambda t: t + y, x, use_reentrant=False)
    (out.sum() + again.sum() + y.sum()).backward()
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(w.grad.numpy(), np.array([3.0, 4.0]) * e + 2 * e, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), e + 1, rtol=1e-6)


def test_outputs_in_containers_are_refused_and_namedtuples_kept():
    from collections import namedtuple

    x = minigrad.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="must return a tensor, or a tuple or list"):
        checkpoint(lambda t: {"y": t * 3}, x, use_reentrant=False)
    Pair = namedtuple("Pair", ["a", "b"])
    pair = checkpoint(lambda t: Pair(t * 2, t * 3), x, use_reentrant=False)
    assert isinstance(pair, Pair)
    (pair.a.sum() + pair.b.sum()).backward()
    assert x.grad.tolist() == [5.0, 5.0]
