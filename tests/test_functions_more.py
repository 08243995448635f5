"""The functions of ``functions_math.py`` and ``functions_select.py`` beyond what the
golden cases cover: results without gradients (tests for NaN, closeness, ``one_hot``,
``randperm``), PyTorch's edge cases, and the errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn import functional as F


def test_nan_inf_and_closeness(device):
    x = minigrad.tensor([1.0, float("nan"), float("inf"), -float("inf")], device=device)
    assert x.isnan().tolist() == [False, True, False, False]
    assert minigrad.isinf(x).tolist() == [False, False, True, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    y = minigrad.tensor([1.0 + 1e-6, float("nan"), float("inf"), float("inf")], device=device)
    assert minigrad.isclose(x, y).tolist() == [True, False, True, False]
    assert minigrad.isclose(x, y, equal_nan=True).tolist() == [True, True, True, False]
    assert minigrad.allclose(x[:1], y[:1]) is True and x.allclose(y) is False
    with pytest.raises(RuntimeError, match="float32 did not match float64"):
        minigrad.isclose(x, x.double())


def test_one_hot(device):
    labels = minigrad.tensor([[0, 3], [1, 1]], device=device)
    out = F.one_hot(labels)
    assert out.shape == (2, 2, 4) and out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), np.eye(4, dtype=np.int64)[[[0, 3], [1, 1]]])
    assert F.one_hot(labels, 6).shape == (2, 2, 6)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(labels, 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(minigrad.tensor([-1], device=device))
    with pytest.raises(RuntimeError, match="only applicable to index tensor"):
        F.one_hot(minigrad.tensor([1.0], device=device))
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(minigrad.zeros(0, dtype=minigrad.int64, device=device))


def test_randperm(device):
    minigrad.manual_seed(3)
    first = minigrad.randperm(10, device=device)
    assert sorted(first.tolist()) == list(range(10)) and first.dtype == minigrad.int64
    minigrad.manual_seed(3)
    assert minigrad.randperm(10, device=device).tolist() == first.tolist()  # seeded
    g = minigrad.Generator().manual_seed(1)
    h = minigrad.Generator().manual_seed(1)
    assert minigrad.randperm(6, generator=g).tolist() == minigrad.randperm(6, generator=h).tolist()
    assert minigrad.randperm(0).shape == (0,)
    assert minigrad.randperm(3, dtype=minigrad.float32).dtype == minigrad.float32
    with pytest.raises(RuntimeError, match="non-negative int"):
        minigrad.randperm(-1)


def test_split_and_chunk_as_pytorch(device):
    x = minigrad.arange(6, device=device)
    assert [p.tolist() for p in x.chunk(4)] == [[0, 1], [2, 3], [4, 5]]  # 3 pieces
    assert [p.tolist() for p in minigrad.split(x, 4)] == [[0, 1, 2, 3], [4, 5]]
    assert [p.shape for p in minigrad.zeros(0, 2, device=device).chunk(3)] == [(0, 2)] * 3
    assert [p.shape for p in minigrad.zeros(0, device=device).split(2)] == [(0,)]
    with pytest.raises(RuntimeError, match="sum exactly to 6"):
        x.split([2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="non-negative"):
        x.split(-1)


def test_gather_checks_its_index(device):
    x = minigrad.ones(2, 3, device=device)
    with pytest.raises(RuntimeError, match="Expected dtype int64 for index"):
        x.gather(1, minigrad.zeros(2, 1, dtype=minigrad.int32, device=device))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, minigrad.zeros(2, dtype=minigrad.int64, device=device))
    with pytest.raises(RuntimeError, match="index out of range for dimension 1 with size 3"):
        x.gather(1, minigrad.tensor([[3], [0]], device=device))
    with pytest.raises(RuntimeError, match="index out of range"):
        x.gather(1, minigrad.tensor([[-1], [0]], device=device))
    with pytest.raises(RuntimeError, match="Size does not match at dimension 0"):
        x.gather(1, minigrad.zeros(3, 1, dtype=minigrad.int64, device=device))
    w = minigrad.tensor([[1.0, 2.0]], device=device, requires_grad=True)
    w.gather(1, minigrad.tensor([[1, 1, 1, 0]], device=device)).sum().backward()
    assert w.grad.tolist() == [[1.0, 3.0]]  # an element picked three times gets 3


def test_masked_fill_tril_and_the_rest_refuse_bad_input(device):
    x = minigrad.zeros(2, 2, device=device)
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_fill(minigrad.ones(2, 2, device=device), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.masked_fill(x > 0, minigrad.ones(2, device=device))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        minigrad.zeros(3, device=device).tril()
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.arange(3, device=device).std()
    with pytest.raises(RuntimeError, match="not implemented for bool"):
        minigrad.tensor([True], device=device).floor()
    ints = minigrad.tensor([-2, 0, 3], device=device)
    assert ints.sign().tolist() == [-1, 0, 1] and ints.round().tolist() == [-2, 0, 3]
    assert minigrad.tensor([1, 2], device=device).flip(0).tolist() == [2, 1]
    with pytest.warns(UserWarning, match="std\\(\\): degrees of freedom"):
        assert minigrad.std(minigrad.ones(1, device=device)).isnan().item()


def test_logsumexp_at_the_edges(device):
    x = minigrad.tensor([[float("inf"), 1.0], [-float("inf"), -float("inf")]], device=device)
    assert minigrad.logsumexp(x, 1).tolist() == [float("inf"), -float("inf")]
    assert minigrad.logsumexp(minigrad.zeros(2, 0, device=device), 1).tolist() == [
        -float("inf"),
        -float("inf"),
    ]
    big = minigrad.tensor([1000.0, 1000.0], device=device, requires_grad=True)
    out = big.logsumexp(0)
    out.backward()
    assert out.item() == pytest.approx(1000.0 + np.log(2)) and big.grad.tolist() == [0.5, 0.5]


def test_unflatten_checks_the_sizes(device):
    x = minigrad.zeros(2, 12, device=device)
    assert x.unflatten(1, [3, 4]).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1"):
        x.unflatten(1, (5, -1))
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.unflatten(1, (-1, -1))
    with pytest.raises(TypeError, match="must be tuple of ints"):
        minigrad.nn.Unflatten(1, 3)


def test_integer_division_and_remainders_as_pytorch(device):
    a = minigrad.tensor([7, -7, 7, -7], device=device)
    b = minigrad.tensor([2, 2, -2, -2], device=device)
    assert (a // b).tolist() == [3, -4, -4, 3] and (a // b).dtype == minigrad.int64
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert minigrad.fmod(a, b).tolist() == [1, -1, 1, -1]
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert (a // 2.5).tolist() == [2.0, -3.0, 2.0, -3.0]  # a float divisor: float32
    assert (7 // minigrad.tensor([2, -2], device=device)).tolist() == [3, -4]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a // minigrad.tensor([1, 0, 1, 1], device=device)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a % 0
    with pytest.raises(ValueError, match="rounding_mode to be one of None, 'trunc', or 'floor'"):
        a.div(b, rounding_mode="round")
    x = minigrad.tensor([5.0, -5.0], device=device)
    assert (x // 0.0).tolist() == [float("inf"), -float("inf")]  # floats divide by 0
    with pytest.raises(TypeError):
        minigrad.fmod(3, x)


def test_floor_divide_has_no_gradient_as_in_pytorch(device):
    x = minigrad.tensor([5.5, -5.5], device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for floor_divide is not implemented"):
        (x // 2).sum().backward()
    x.div(2, rounding_mode="floor").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
