"""The order statistics and binning of ``functions_order.py`` (``kthvalue``, ``mode``,
``nanmedian``, ``quantile``, ``nanquantile``, ``searchsorted``, ``bucketize``, ``histc``,
``histogram``) and ``cdist``,
beyond their golden cases: float64 gradchecks, PyTorch's values at the awkward points
(NaN, ties, edges, zero distances), the Tensor methods and the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad

F64 = minigrad.float64
NAN = float("nan")


def _x(rng, *shape, device="cpu"):
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def test_order_statistics_pass_gradcheck(device, rng):
    a = _x(rng, 3, 6, device=device)
    q = minigrad.tensor([0.1, 0.5, 0.85], dtype=F64, device=device)
    assert minigrad.gradcheck(
        lambda a: (
            minigrad.kthvalue(a, 2, 1).values, a.kthvalue(3, 0, keepdim=True).values,
            minigrad.mode(a.round() + a, 1).values, a.mode(0, keepdim=True).values,
            minigrad.nanmedian(a, 1).values, minigrad.nanmedian(a),
            minigrad.quantile(a, q, 1), minigrad.quantile(a, 0.3),
            minigrad.quantile(a, 0.4, 0, interpolation="midpoint"),
            minigrad.nanquantile(a, q, 1, keepdim=True),
        ),
        (a,),
    )  # fmt: skip


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, float("inf")])
def test_cdist_passes_gradcheck(device, rng, p):
    a, b = _x(rng, 2, 3, 4, device=device), _x(rng, 2, 5, 4, device=device)
    assert minigrad.gradcheck(lambda a, b: minigrad.cdist(a, b, p=p), (a, b))


def test_cdist_at_zero_distance_has_a_zero_gradient(device):
    """As in PyTorch: the root's infinite slope at 0 gives 0, not NaN. Each row's distance
    to itself is 0; to the other row sqrt(5), whose gradient is the unit difference."""
    a = minigrad.tensor([[1.0, 2.0], [0.0, 0.0]], device=device, requires_grad=True)
    minigrad.cdist(a, a.detach()).sum().backward()
    unit = np.array([1.0, 2.0]) / math.sqrt(5)
    np.testing.assert_allclose(a.grad.numpy(), [unit, -unit], rtol=1e-6)
    a.grad = None
    minigrad.cdist(a, a.detach(), p=3.0).sum().backward()
    assert np.isfinite(a.grad.numpy()).all()
    counted = minigrad.cdist(a, a.detach() + minigrad.tensor([1.0, 0.0], device=device), p=0)
    assert counted.tolist() == [[1.0, 1.0], [2.0, 1.0]]


def test_quantile_values(device):
    x = minigrad.tensor([0.0, 1.0, 2.0, 3.0], device=device)
    qs = minigrad.tensor([0.1, 0.5, 0.9], device=device)
    assert minigrad.quantile(x, qs, interpolation="nearest").tolist() == [0.0, 2.0, 3.0]
    assert minigrad.quantile(x, qs, interpolation="higher").tolist() == [1.0, 2.0, 3.0]
    assert minigrad.quantile(x, 0.5, interpolation="midpoint").item() == 1.5
    assert minigrad.quantile(x, 0.0).item() == 0.0 and minigrad.quantile(x, 1.0).item() == 3.0
    assert minigrad.quantile(x, 0.5, 0, keepdim=True).shape == (1,)
    assert minigrad.quantile(x, qs, keepdim=True).shape == (3, 1)
    m = minigrad.ones(2, 3, 4, device=device)
    assert minigrad.quantile(m, qs, 1, keepdim=True).shape == (3, 2, 1, 4)
    assert minigrad.quantile(m, 0.5, None, keepdim=True).shape == (1, 1, 1)
    nans = minigrad.tensor([[1.0, NAN, 3.0], [NAN, NAN, NAN]], device=device)
    got = minigrad.nanquantile(nans, 0.5, 1).tolist()
    assert got[0] == 2.0 and math.isnan(got[1])
    assert all(math.isnan(v) for v in minigrad.quantile(nans, 0.5, 1).tolist())


def test_nanmedian_and_kthvalue_values(device):
    x = minigrad.tensor([[3.0, NAN, 1.0, 2.0], [NAN, NAN, NAN, NAN]], device=device)
    values, indices = minigrad.nanmedian(x, 1)
    assert values[0].item() == 2.0 and math.isnan(values[1].item())
    assert indices.tolist() == [3, 1]  # an all-NaN slice: its middle, as in PyTorch
    assert minigrad.nanmedian(minigrad.tensor([[4, 1, 3]], device=device), 1).values.tolist() == [3]
    assert math.isnan(minigrad.nanmedian(minigrad.tensor([], device=device)).item())
    k = minigrad.kthvalue(minigrad.tensor([5.0, NAN, 1.0, 3.0], device=device), 4)
    assert math.isnan(k.values.item()) and k.indices.item() == 1  # NaN is the largest
    scalar = minigrad.tensor(2.0, device=device).kthvalue(1)
    assert scalar.values.item() == 2.0 and scalar.indices.item() == 0


def test_searchsorted_and_bucketize(device):
    s = minigrad.tensor([1.0, 3.0, 3.0, 7.0], device=device)
    v = minigrad.tensor([3.0, 0.0, 8.0, NAN], device=device)
    assert minigrad.searchsorted(s, v).tolist() == [1, 0, 4, 4]  # NaN goes last
    assert minigrad.searchsorted(s, v, right=True).tolist() == [3, 0, 4, 4]
    assert minigrad.searchsorted(s, v, side="right").dtype == minigrad.int64
    assert minigrad.searchsorted(s, v, out_int32=True).dtype == minigrad.int32
    assert minigrad.searchsorted(s, 3.0).shape == ()
    rows = minigrad.tensor([[1, 3, 5], [2, 4, 6]], device=device)
    got = minigrad.searchsorted(rows, minigrad.tensor([[3], [3]], device=device))
    assert got.tolist() == [[1], [1]]
    unsorted = minigrad.tensor([5, 1, 3], device=device)
    sorter = minigrad.argsort(unsorted)
    assert minigrad.searchsorted(unsorted, minigrad.tensor([2, 4], device=device),
                                 sorter=sorter).tolist() == [1, 2]  # fmt: skip
    b = minigrad.tensor([1, 3, 5, 7], device=device)
    x = minigrad.tensor([[1, 5], [9, 3]], device=device)
    assert minigrad.bucketize(x, b).tolist() == [[0, 2], [4, 1]]
    assert minigrad.bucketize(x, b, right=True).tolist() == [[1, 3], [4, 2]]
    assert minigrad.bucketize(4, b).item() == 2


def test_histc_values(device):
    x = minigrad.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 4.0, -0.1, 5.0, NAN], device=device)
    assert minigrad.histc(x, 4, 0, 4).tolist() == [1.0, 1.0, 1.0, 3.0]  # 4 in the last bin
    same = minigrad.tensor([2.0, 2.0], device=device)
    assert same.histc(3).tolist() == [0.0, 2.0, 0.0]  # the range widened to [1, 3]
    h = minigrad.histc(minigrad.randn(1000, dtype=F64, device=device), 10)
    assert h.dtype == F64 and h.sum().item() == 1000 and not h.requires_grad


def test_mode_takes_the_smallest_most_frequent_value_and_its_last_index(device):
    x = minigrad.tensor([[3.0, 1.0, 1.0, 3.0, 0.0], [2.0, 7.0, 7.0, 2.0, 7.0]], device=device)
    values, indices = minigrad.mode(x)
    assert values.tolist() == [1.0, 7.0] and indices.tolist() == [2, 4]
    values, indices = x.mode(0, keepdim=True)
    assert values.shape == (1, 5) and indices.tolist() == [[1, 0, 0, 1, 0]]
    ints = minigrad.tensor([5, 5, 1], device=device)
    assert minigrad.mode(ints).values.item() == 5 and minigrad.mode(ints).indices.item() == 1
    zero_d = minigrad.mode(minigrad.tensor(2.5, device=device))
    assert zero_d.values.item() == 2.5 and zero_d.indices.item() == 0


def test_histogram_values(device):
    x = minigrad.tensor([0.0, 1.0, 2.0, 3.0, 3.5], device=device)
    hist, edges = minigrad.histogram(x, 3)
    assert hist.tolist() == [2.0, 1.0, 2.0]
    np.testing.assert_allclose(edges.numpy(), [0.0, 7 / 6, 7 / 3, 3.5], rtol=1e-6)
    w = minigrad.tensor([1.0, 2.0, 3.0, 4.0, 5.0], device=device)
    dense = x.histogram(minigrad.tensor([0.0, 1.0, 3.0], device=device), weight=w, density=True)
    np.testing.assert_allclose(dense.hist.numpy(), [0.1, 0.45], rtol=1e-6)  # 3.0 closes the last
    assert minigrad.histogram(x, 2, range=(1.0, 2.0)).hist.tolist() == [1.0, 1.0]
    assert minigrad.histogram(x[:1], 2).bin_edges.tolist() == [-0.5, 0.0, 0.5]
    big = minigrad.histogram(minigrad.randn(1000, dtype=F64, device=device), 10).hist
    assert big.dtype == F64 and big.sum().item() == 1000


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------

X = minigrad.tensor([[3.0, 1.0, 2.0], [6.0, 5.0, 4.0]])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: minigrad.kthvalue(X, 4, 1), RuntimeError, "k out of range for dimension 1"),
        (lambda: minigrad.kthvalue(X, 0), RuntimeError, "k out of range for dimension 1"),
        (lambda: minigrad.quantile(X, 1.5), RuntimeError, r"in the range \[0, 1\] but got 1.5"),
        (lambda: minigrad.quantile(X.long(), 0.5), RuntimeError, "must be either float or double"),
        (lambda: minigrad.quantile(X, minigrad.tensor([0.5], dtype=F64)), RuntimeError,
         "q tensor must be same dtype"),
        (lambda: minigrad.quantile(X, minigrad.tensor([[0.5]])), RuntimeError,
         "q must be a scalar or 1D tensor"),
        (lambda: minigrad.quantile(X, 0.5, interpolation="cubic"), RuntimeError,
         "interpolation must be one of linear, lower, higher, midpoint or nearest"),
        (lambda: minigrad.quantile(minigrad.tensor([]), 0.5), RuntimeError, "must be non-empty"),
        (lambda: minigrad.nanmedian(minigrad.ones(2, 0), 1), IndexError,
         "Expected reduction dim 1 to have non-zero size"),
        (lambda: minigrad.searchsorted(minigrad.tensor([1, 3]), minigrad.tensor([3]),
                                       side="left", right=True), RuntimeError,
         "side and right can't be set to opposites"),
        (lambda: minigrad.searchsorted(minigrad.tensor([[1, 3, 5], [2, 4, 6]]),
                                       minigrad.tensor([3, 3])), RuntimeError,
         "first N-1 dimensions of boundaries tensor and input value tensor must match"),
        (lambda: minigrad.searchsorted(minigrad.tensor([1, 3]), minigrad.tensor([3]),
                                       side="middle"), RuntimeError, "'left' or 'right'"),
        (lambda: minigrad.bucketize(minigrad.tensor([1]), minigrad.tensor([[1, 2]])),
         RuntimeError, r"boundaries tensor must be 1 dimension, but got dim\(2\)"),
        (lambda: minigrad.histc(minigrad.tensor([1, 2]), 3), RuntimeError,
         "must be floating point, got int64"),
        (lambda: minigrad.histc(X, 0), RuntimeError, "bins must be > 0, but got 0"),
        (lambda: minigrad.histc(X, 3, min=3, max=1), RuntimeError, "max must be larger than min"),
        (lambda: minigrad.histc(minigrad.tensor([1.0, math.inf]), 3), RuntimeError,
         r"range of \[1, inf\] is not finite"),
        (lambda: minigrad.mode(minigrad.ones(2, 0)), IndexError,
         "Expected reduction dim 1 to have non-zero size"),
        (lambda: minigrad.histogram(minigrad.tensor([1, 2]), 3), RuntimeError,
         "input tensor must be floating point, got int64"),
        (lambda: minigrad.histogram(X, 0), RuntimeError, "bins must be > 0, but got 0"),
        (lambda: minigrad.histogram(X, 3, range=(2.0, 1.0)), ValueError,
         "max must be larger than min"),
        (lambda: minigrad.histogram(X, minigrad.tensor([1.0, 0.0])), RuntimeError,
         "bin edges must be in increasing order"),
        (lambda: minigrad.histogram(X, 2, weight=minigrad.ones(3)), RuntimeError,
         r"weight must have input's shape \(2, 3\), got \(3,\)"),
        (lambda: minigrad.cdist(minigrad.ones(2, 3), minigrad.ones(2, 4)), RuntimeError,
         "X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
        (lambda: minigrad.cdist(minigrad.ones(3), minigrad.ones(2, 3)), RuntimeError,
         "at least 2D tensors, x1 got: 1D"),
        (lambda: minigrad.cdist(minigrad.ones(2, 3).long(), minigrad.ones(2, 3)), RuntimeError,
         "floating-point dtypes, x1 got: int64"),
        (lambda: minigrad.cdist(minigrad.ones(2, 3), minigrad.ones(2, 3), p=-1), RuntimeError,
         "non-negative p values"),
        (lambda: minigrad.cdist(minigrad.ones(2, 3), minigrad.ones(2, 3), compute_mode="x"),
         ValueError, "x is not a valid value for compute_mode"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
