"""``prod``, ``cumprod``, ``outer``, ``index_select``, ``unbind``, ``roll`` and ``tile``
beyond the golden cases: exact gradients where elements are 0, dtypes, 0-d inputs, and
the errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad

F64 = minigrad.float64


def test_product_gradients_are_exact_at_zeros(device):
    x = minigrad.tensor([[2.0, 0.0, 5.0], [0.0, 0.0, 3.0]], device=device, requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 10.0, 0.0], [0.0, 0.0, 0.0]]
    y = minigrad.tensor([2.0, 0.0, 5.0, 3.0], device=device, requires_grad=True)
    y.cumprod(0).sum().backward()
    # d/dy0 = 1 + y1 + y1 y2 + y1 y2 y3 = 1; d/dy1 = y0 + y0 y2 + y0 y2 y3 = 2 + 10 + 30
    assert y.grad.tolist() == [1.0, 42.0, 0.0, 0.0]


@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_products_pass_gradcheck(zeros, device, rng):
    data = rng.standard_normal((3, 4))
    data[0, :zeros] = 0.0
    x = minigrad.tensor(data, device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda t: (t.prod(), t.prod(0), t.cumprod(1), t.cumprod(0)), (x,))


def test_product_dtypes_and_zero_dimensional_inputs(device):
    ints = minigrad.tensor([[1, 2], [3, 4]], device=device)
    assert ints.prod().item() == 24 and ints.prod().dtype == minigrad.int64
    assert minigrad.tensor([True, True], device=device).prod().dtype == minigrad.int64
    assert ints.prod(0, dtype=F64).dtype == F64
    assert minigrad.cumprod(ints, -1).tolist() == [[1, 2], [3, 12]]
    scalar = minigrad.tensor(3.0, device=device)
    assert scalar.prod(0).item() == 3.0 and scalar.cumprod(0).item() == 3.0
    assert minigrad.prod(minigrad.ones(0, device=device)).item() == 1.0
    with pytest.raises(TypeError, match="one dimension"):
        ints.prod((0, 1))


def test_selection_functions(device):
    x = minigrad.arange(12.0, device=device).reshape(3, 4)
    assert x.index_select(0, minigrad.tensor([2, 2], device=device)).tolist() == [
        [8.0, 9.0, 10.0, 11.0],
        [8.0, 9.0, 10.0, 11.0],
    ]
    picked = x.index_select(1, minigrad.tensor([1, 0], dtype=minigrad.int32, device=device))
    assert picked[:, 0].tolist() == [1.0, 5.0, 9.0]
    assert [r.tolist() for r in x[:2].unbind()] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
    assert len(x.unbind(-1)) == 4
    assert x.roll(1, 0)[0].tolist() == [8.0, 9.0, 10.0, 11.0]
    np.testing.assert_array_equal(x.roll(-3).numpy(), np.roll(x.numpy(), -3))
    assert minigrad.tile(minigrad.tensor([1, 2], device=device), (2, 2)).shape == (2, 4)
    assert x.tile(2).shape == (3, 8) and x.tile(2, 1, 1).shape == (2, 3, 4)
    assert minigrad.outer(
        minigrad.arange(2, device=device), minigrad.arange(3, device=device)
    ).tolist() == [
        [0, 0, 0],
        [0, 1, 2],
    ]


def test_selection_errors(device):
    x = minigrad.ones(2, 3, device=device)
    with pytest.raises(IndexError, match="index out of range in self"):
        x.index_select(1, minigrad.tensor([3], device=device))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(1, minigrad.tensor([[0]], device=device))
    with pytest.raises(RuntimeError, match="Expected dtype int32 or int64 for index"):
        x.index_select(1, minigrad.tensor([0.0], device=device))
    with pytest.raises(RuntimeError, match="Index to scalar can have only 1 value"):
        minigrad.index_select(
            minigrad.tensor(1.0, device=device), 0, minigrad.tensor([0, 0], device=device)
        )
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2))
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2), 0)
    with pytest.raises(IndexError, match="tensor has no dimensions"):
        minigrad.tensor(1.0, device=device).unbind()
    with pytest.raises(RuntimeError, match="Expected 1-D argument vec2, but got 2-D"):
        minigrad.outer(minigrad.ones(2, device=device), x)
