"""``F.adaptive_avg_pool2d`` and ``nn.AdaptiveAvgPool2d``: against a window-by-window
reference (PyTorch's index formula written as loops), float64 gradient checks, and
PyTorch's errors. The golden cases ``adaptive_avg_pool2d*`` compare with PyTorch itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def _reference(x: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Each output cell as the mean of its window: rows floor(i H / h) to ceil((i+1) H / h)."""
    height, width = x.shape[-2:]
    out = np.empty((*x.shape[:-2], out_h, out_w))
    for i in range(out_h):
        r0, r1 = math.floor(i * height / out_h), math.ceil((i + 1) * height / out_h)
        for j in range(out_w):
            c0, c1 = math.floor(j * width / out_w), math.ceil((j + 1) * width / out_w)
            out[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize(
    ("shape", "size", "expected"),
    [
        ((2, 3, 5, 7), (2, 3), (2, 3)),
        ((2, 3, 5, 7), 1, (1, 1)),
        ((2, 3, 5, 7), (None, 3), (5, 3)),
        ((3, 6, 6), (4, None), (4, 6)),  # unbatched
        ((1, 2, 4, 3), (7, 5), (7, 5)),  # larger than the input: overlapping windows
        ((1, 1, 13, 11), (5, 4), (5, 4)),
        ((2, 2, 4, 4), (4, 4), (4, 4)),  # the identity
    ],
)
def test_matches_the_window_by_window_reference(shape, size, expected, device, rng):
    x = rng.standard_normal(shape)
    out = F.adaptive_avg_pool2d(minigrad.tensor(x, device=device), size)
    assert out.shape == (*shape[:-2], *expected) and out.dtype == minigrad.float64
    np.testing.assert_allclose(out.numpy(), _reference(x, *expected), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("size", [(2, 3), 1, (None, 2), (6, 4)])
@pytest.mark.parametrize("unbatched", [False, True])
def test_gradcheck(size, unbatched, make):
    x = make((3, 5, 4) if unbatched else (2, 3, 5, 4))
    assert minigrad.gradcheck(lambda t: F.adaptive_avg_pool2d(t, size), (x,))


def test_float32_and_empty_batches(device):
    x = minigrad.randn(0, 3, 4, 4, device=device)
    assert F.adaptive_avg_pool2d(x, 2).shape == (0, 3, 2, 2)
    assert F.adaptive_avg_pool2d(minigrad.randn(2, 3, 4, 4, device=device), 0).shape == (
        2, 3, 0, 0,
    )  # fmt: skip
    assert F.adaptive_avg_pool2d(minigrad.randn(1, 2, 3, 3), 2).dtype == minigrad.float32


@pytest.mark.parametrize(
    ("input_shape", "size", "error", "message"),
    [
        ((5, 7), 2, RuntimeError, r"Expected 3D or 4D tensor, but got \[5, 7\]"),
        ((1, 2, 3, 5, 7), 2, RuntimeError, "Expected 3D or 4D tensor"),
        ((2, 3, 5, 7), (2, 3, 4), RuntimeError, "output_size must be 2"),
        ((2, 3, 5, 7), -1, RuntimeError, "greater than or equal to 0"),
        ((2, 3, 0, 4), 2, RuntimeError, "dimension 2 being empty"),
        ((2, 3, 5, 7), 2.5, TypeError, "output_size must be an int"),
    ],
)
def test_pytorch_errors(input_shape, size, error, message):
    with pytest.raises(error, match=message):
        F.adaptive_avg_pool2d(minigrad.zeros(*input_shape), size)


def test_integer_input_is_refused():
    with pytest.raises(RuntimeError, match="floating point"):
        F.adaptive_avg_pool2d(minigrad.zeros(1, 2, 3, 3, dtype=minigrad.int64), 2)


def test_module():
    pool = nn.AdaptiveAvgPool2d((None, 2))
    x = minigrad.randn(2, 3, 5, 6)
    np.testing.assert_array_equal(pool(x).numpy(), F.adaptive_avg_pool2d(x, (None, 2)).numpy())
    assert [repr(nn.AdaptiveAvgPool2d(s)) for s in ((5, 7), 1, (None, 2))] == [
        "AdaptiveAvgPool2d(output_size=(5, 7))",
        "AdaptiveAvgPool2d(output_size=1)",
        "AdaptiveAvgPool2d(output_size=(None, 2))",
    ]


# ----------------------------------------------------------------------------------------
# Adaptive max pooling
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(2, 3), (3, None), 1, (5, 2)])
def test_adaptive_max_pool_is_the_window_by_window_maximum(device, rng, size):
    x = rng.standard_normal((2, 3, 4, 5))
    got, where = minigrad.nn.functional.adaptive_max_pool2d(
        minigrad.tensor(x, device=device), size, return_indices=True
    )
    out_h, out_w = (size, size) if isinstance(size, int) else (size[0], size[1] or 5)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * 4 // out_h, -(-(i + 1) * 4 // out_h))
            cols = slice(j * 5 // out_w, -(-(j + 1) * 5 // out_w))
            window = x[:, :, rows, cols]
            np.testing.assert_allclose(got.numpy()[:, :, i, j], window.max(axis=(2, 3)))
            flat = x.reshape(2, 3, -1)
            picked = np.take_along_axis(flat, where.numpy()[:, :, i, j, None], -1)[..., 0]
            np.testing.assert_allclose(picked, window.max(axis=(2, 3)))


def test_adaptive_max_pool_gradcheck_and_ties(make):
    x = make((2, 2, 5, 4))
    assert minigrad.gradcheck(lambda x: minigrad.nn.functional.adaptive_max_pool2d(x, (2, 3)), (x,))
    tied = minigrad.zeros(1, 1, 2, 2, requires_grad=True)
    minigrad.nn.functional.adaptive_max_pool2d(tied, 1).sum().backward()
    assert tied.grad.flatten().tolist() == [1.0, 0.0, 0.0, 0.0]  # the first maximum


def test_adaptive_max_pool_errors():
    with pytest.raises(RuntimeError, match="Expected 3D or 4D tensor"):
        minigrad.nn.functional.adaptive_max_pool2d(minigrad.ones(4, 4), 2)
    with pytest.raises(RuntimeError, match="non-zero size for non-batch dimensions"):
        minigrad.nn.functional.adaptive_max_pool2d(minigrad.ones(1, 0, 4), 2)
    with pytest.raises(RuntimeError, match="Expected 2D or 3D tensor"):
        minigrad.nn.functional.adaptive_max_pool1d(minigrad.ones(4), 2)
    assert repr(minigrad.nn.AdaptiveMaxPool1d(3)) == "AdaptiveMaxPool1d(output_size=3)"
