"""The elementwise, matrix, rearranging and statistics functions added for PyTorch
programs (``functions_pointwise.py``, ``functions_linalg.py``, ``functions_arrange.py``,
``functions_stats.py``) beyond their golden cases: float64 gradchecks, PyTorch's values at
the awkward points, the Tensor methods, and the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad

F64 = minigrad.float64


def _x(rng, *shape, device="cpu", low=None, high=None):
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return minigrad.tensor(data, device=device, requires_grad=True)


def test_elementwise_functions_pass_gradcheck(device, rng):
    a, b = _x(rng, 3, 4, device=device), _x(rng, 3, 4, device=device)
    p = _x(rng, 3, 4, device=device, low=1.2, high=3.0)
    u = _x(rng, 3, 4, device=device, low=-0.9, high=0.9)
    q = _x(rng, 3, 4, device=device, low=0.1, high=0.9)
    assert minigrad.gradcheck(
        lambda a, b, p, u, q: (
            minigrad.tan(u), minigrad.asin(u), minigrad.acos(u), minigrad.atan(a),
            minigrad.asinh(a), minigrad.acosh(p), minigrad.atanh(u),
            minigrad.atan2(a, b), minigrad.hypot(a, b), minigrad.erf(a), minigrad.erfc(a),
            minigrad.square(a), minigrad.rsqrt(p), minigrad.reciprocal(p), minigrad.log2(p),
            minigrad.log10(p), minigrad.exp2(a), minigrad.float_power(p, b),
            minigrad.lerp(a, b, 0.3), minigrad.lerp(a, b, 0.8), minigrad.lerp(a, b, q),
            minigrad.addcmul(a, b, p, value=0.5), minigrad.addcdiv(a, b, p, value=2.0),
            minigrad.logaddexp(a, b), minigrad.logaddexp2(a, b), minigrad.xlogy(a, p),
            minigrad.logit(q), minigrad.deg2rad(a), minigrad.frac(a * 3.0),
        ),
        (a, b, p, u, q),
    )  # fmt: skip


def test_values_at_the_awkward_points(device):
    t = lambda *v: minigrad.tensor(list(v), device=device)  # noqa: E731
    assert minigrad.exp2(t(3.0, 10.0)).tolist() == [8.0, 1024.0]  # exact at integers
    assert minigrad.xlogy(t(0.0, 0.0), t(0.0, float("inf"))).tolist() == [0.0, 0.0]
    assert math.isnan(minigrad.xlogy(t(0.0), t(float("nan"))).item())
    assert minigrad.hypot(t(3e30), t(4e30)).item() == pytest.approx(5e30, rel=1e-6)
    assert minigrad.logaddexp(t(1000.0), t(1000.0)).item() == pytest.approx(1000 + math.log(2))
    assert minigrad.rsqrt(t(0.0)).item() == math.inf
    assert minigrad.erfc(t(10.0)).item() > 0  # not 1 - erf, which would be 0
    # lerp is exact at both ends, from whichever side is nearer
    start, end = t(0.1, 0.1), t(0.7, 0.7)
    assert minigrad.lerp(start, end, 1.0).tolist() == end.tolist()
    assert minigrad.lerp(start, end, 0.0).tolist() == start.tolist()
    nan_inf = t(float("nan"), math.inf, -math.inf, 1.0)
    big = np.finfo(np.float32).max
    assert minigrad.nan_to_num(nan_inf).tolist() == [0.0, float(big), float(-big), 1.0]
    assert minigrad.signbit(t(-0.0, 0.0)).tolist() == [True, False]


def test_nan_to_num_passes_the_gradient_where_finite(device):
    x = minigrad.tensor([float("nan"), 2.0, math.inf], device=device, requires_grad=True)
    minigrad.nan_to_num(x, posinf=5.0).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_binary_functions_want_tensors_as_pytorch_does():
    with pytest.raises(TypeError, match=r"atan2\(\): argument 'other' \(position 2\) must be"):
        minigrad.atan2(minigrad.ones(2), 2.0)
    with pytest.raises(TypeError, match="must be Tensor, not float"):
        minigrad.logaddexp2(minigrad.ones(2), 1.0)
    assert minigrad.xlogy(minigrad.ones(2), 1.0).tolist() == [0.0, 0.0]  # xlogy takes one
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        minigrad.addcdiv(minigrad.ones(2), minigrad.tensor([1, 2]), minigrad.tensor([1, 2]))


def test_matrix_functions_pass_gradcheck(device, rng):
    a, b = _x(rng, 3, 4, device=device), _x(rng, 4, 5, device=device)
    v, w = _x(rng, 3, device=device), _x(rng, 3, device=device)
    batch = _x(rng, 2, 3, 4, device=device)
    assert minigrad.gradcheck(
        lambda a, b, v, w, batch: (
            minigrad.mm(a, b), minigrad.mv(a.T, v), minigrad.dot(v, w), minigrad.inner(a, a),
            minigrad.addmm(b[0], a, b, beta=0.5, alpha=2.0), minigrad.addmm(b[0], a, b, beta=0),
            minigrad.baddbmm(batch @ b, batch, b.expand(2, 4, 5)),
            minigrad.tensordot(batch, a.T, dims=([2], [0])), minigrad.kron(a, v),
            minigrad.cross(v, w), minigrad.diagonal(a, 1), minigrad.diagonal(a, -1),
            minigrad.diag(v), minigrad.diag(v, 2), minigrad.diag(a, -1),
            minigrad.diag_embed(a, 1), minigrad.trace(a),
        ),
        (a, b, v, w, batch),
    )  # fmt: skip


def test_addmm_with_beta_zero_ignores_the_input_values(device):
    nans = minigrad.full((2, 2), float("nan"), device=device, requires_grad=True)
    out = minigrad.addmm(nans, minigrad.eye(2, device=device), minigrad.eye(2, device=device),
                         beta=0)  # fmt: skip
    assert out.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    out.sum().backward()
    assert nans.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_index_tables(device):
    assert minigrad.triu_indices(3, 3, 1, device=device).tolist() == [[0, 0, 1], [1, 2, 2]]
    assert minigrad.tril_indices(2, 3, 1).tolist() == [[0, 0, 1, 1, 1], [0, 1, 0, 1, 2]]
    x = minigrad.arange(9.0, device=device).reshape(3, 3)
    rows, cols = minigrad.triu_indices(3, 3, device=device)
    assert x[rows, cols].tolist() == [0.0, 1.0, 2.0, 4.0, 5.0, 8.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: minigrad.mm(minigrad.ones(3, 4), minigrad.ones(3, 5)), "cannot be multiplied"),
        (lambda: minigrad.mm(minigrad.ones(3), minigrad.ones(3, 5)), "must be a 2D tensor"),
        (lambda: minigrad.dot(minigrad.ones(3), minigrad.ones(4)), "inconsistent tensor size"),
        (lambda: minigrad.t(minigrad.ones(2, 2, 2)), "t\\(\\) expects a tensor with <= 2"),
        (lambda: minigrad.trace(minigrad.ones(3)), "expected a matrix"),
        (lambda: minigrad.cross(minigrad.ones(2), minigrad.ones(2)), "no dimension of size 3"),
        (lambda: minigrad.diag(minigrad.ones(2, 2, 2)), "Supports 1D or 2D tensors"),
        (lambda: minigrad.tensordot(minigrad.ones(2, 3), minigrad.ones(4, 3)),
         "contracted dimensions need to match"),
    ],
)  # fmt: skip
def test_matrix_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_rearranging_functions_pass_gradcheck(device, rng):
    a, b = _x(rng, 2, 3, 4, device=device), _x(rng, 3, 4, device=device)
    counts = minigrad.tensor([2, 0, 1], device=device)
    assert minigrad.gradcheck(
        lambda a, b: (
            minigrad.movedim(a, (0, 2), (2, 0)), minigrad.narrow(a, 2, 1, 2),
            minigrad.select(a, 1, -1), minigrad.ravel(a.transpose(0, 2)),
            minigrad.hstack([b, b]), minigrad.vstack([b[0], b]), minigrad.dstack([b, b]),
            minigrad.column_stack([b[:, 0], b]), minigrad.repeat_interleave(b, counts, dim=0),
            minigrad.repeat_interleave(b, 2), minigrad.take(b, minigrad.tensor([[0, 11], [5, 5]])),
            minigrad.take_along_dim(b, b.argsort(dim=1), dim=1), minigrad.rot90(b, 1),
            minigrad.rot90(a, -1, (2, 0)), minigrad.fliplr(b), minigrad.flipud(b),
            b.unfold(1, 2, 1), a.unfold(0, 1, 2),
        ),
        (a, b),
    )  # fmt: skip


def test_rearranging_behaviour(device):
    x = minigrad.arange(12, device=device).reshape(3, 4)
    assert x.unfold(1, 2, 2).tolist() == [[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9], [10, 11]]]
    assert minigrad.repeat_interleave(minigrad.tensor([2, 0, 1])).tolist() == [0, 0, 2]
    assert minigrad.atleast_2d(minigrad.tensor(1.0)).shape == (1, 1)
    assert [t.shape for t in minigrad.atleast_1d(minigrad.tensor(1.0), x)] == [(1,), (3, 4)]
    assert minigrad.narrow(x, 0, -1, 1).tolist() == [[8, 9, 10, 11]]
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds"):
        minigrad.narrow(x, 0, 2, 2)
    with pytest.raises(IndexError, match="select\\(\\): index 4 out of range"):
        minigrad.select(x, 1, 4)
    with pytest.raises(RuntimeError, match="repeats must have the same size"):
        minigrad.repeat_interleave(x, minigrad.tensor([1, 2]), dim=1)
    with pytest.raises(IndexError, match="out of range"):
        minigrad.take(x, minigrad.tensor([12]))


def test_statistics_pass_gradcheck(device, rng):
    a = _x(rng, 3, 5, device=device)
    assert minigrad.gradcheck(
        lambda a: (
            minigrad.amax(a, 1), minigrad.amin(a, (0, 1)), minigrad.median(a, 1).values,
            minigrad.median(a), minigrad.nansum(a, 0), minigrad.nanmean(a, 1),
            minigrad.var_mean(a, 1)[0], minigrad.std_mean(a, 0)[1],
            minigrad.cummax(a, 1).values, minigrad.cummin(a, 0).values,
            minigrad.logcumsumexp(a, 1), minigrad.diff(a, 2, 1),
        ),
        (a,),
    )  # fmt: skip


def test_amax_ties_share_the_gradient(device):
    x = minigrad.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], device=device, dtype=F64,
                        requires_grad=True)  # fmt: skip
    minigrad.amax(x, 1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]


def test_statistics_behaviour(device):
    t = lambda v: minigrad.tensor(v, device=device)  # noqa: E731
    assert minigrad.median(t([1.0, 4.0, 2.0, 3.0])).item() == 2.0  # the lower middle
    values, indices = minigrad.median(t([[1.0, float("nan"), 2.0]]), 1)
    assert math.isnan(values.item()) and indices.tolist() == [1]
    running = minigrad.cummax(t([1.0, 3.0, 3.0, 2.0, float("nan"), 5.0]), 0)
    assert running.indices.tolist() == [0, 1, 2, 2, 4, 4]  # ties: the later; NaN stays
    assert minigrad.count_nonzero(t([[0, 1], [2, 3]])).item() == 3
    assert minigrad.diff(t([True, False, False])).tolist() == [True, False]
    assert minigrad.aminmax(t([3.0, 1.0])).max.item() == 3.0
    assert minigrad.amax(t([[True, False]]), 1).tolist() == [True]
    assert math.isnan(minigrad.nanmean(t([float("nan")])).item())
    with pytest.raises(IndexError, match="Expected reduction dim"):
        minigrad.amax(minigrad.ones(0, 3, device=device), 0)


def test_new_tensor_methods(device):
    x = minigrad.ones(2, 3, dtype=F64, device=device)
    assert x.new_zeros(4).dtype == F64 and x.new_zeros(2, 2).device == x.device
    assert x.new_ones((1, 2)).tolist() == [[1.0, 1.0]]
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_empty(3).shape == (3,) and x.new_tensor([1, 2]).dtype == F64
    assert x.new_zeros(2, dtype=minigrad.int64).dtype == minigrad.int64
    y = minigrad.zeros(2, 3, device=device)
    assert y.masked_fill_(minigrad.tensor([[True, False, False]] * 2, device=device), 5.0) is y
    assert y.tolist() == [[5.0, 0.0, 0.0], [5.0, 0.0, 0.0]]
    y.index_fill_(1, minigrad.tensor([2], device=device), -1.0)
    assert y[:, 2].tolist() == [-1.0, -1.0]
    z = minigrad.zeros(3, 3, device=device).fill_diagonal_(2.0)
    assert minigrad.trace(z).item() == 6.0
    w = minigrad.tensor([float("nan"), 1.0], device=device).nan_to_num_(nan=-1.0)
    assert w.tolist() == [-1.0, 1.0]
    m = minigrad.zeros(4, 2, 3)
    assert m.mT.shape == (4, 3, 2) and m.is_contiguous() and not m.mT.is_contiguous()
    assert m.stride() == (6, 3, 1) and m.stride(0) == 6 and m.element_size() == 4
    assert m.nelement() == 24 and minigrad.tensor([0, 1]).logical_not().tolist() == [True, False]
    assert minigrad.finfo(minigrad.float32).eps == np.finfo(np.float32).eps
    assert minigrad.iinfo(minigrad.int8).min == -128
    with pytest.raises(TypeError, match="expected a floating point dtype"):
        minigrad.finfo(minigrad.int32)
