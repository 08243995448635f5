"""``functions_build.py`` and ``functions_numeric.py`` (splitting and building tensors;
fmax/fmin, heaviside, copysign, sinc, cov, corrcoef, renorm, unique_consecutive, the
trapezoid rule) beyond the comparisons with PyTorch (values and gradients agree to
rounding): float64 gradchecks, values worked out by hand, and the errors; and the
in-place random samplers."""

from __future__ import annotations

import math

import pytest

import minigrad


def _x(rng, *shape, device="cpu"):
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def test_building_and_numerics_pass_gradcheck(device, rng):
    a, b = _x(rng, 3, 5, device=device), _x(rng, 3, 5, device=device)
    v, w = _x(rng, 3, device=device), _x(rng, 2, device=device)
    assert minigrad.gradcheck(
        lambda a, b, v, w: (
            *minigrad.tensor_split(a, 2, 1), minigrad.block_diag(a, v, w),
            minigrad.cartesian_prod(v, w), minigrad.combinations(v), minigrad.diagflat(w),
            minigrad.addr(a[:, :2], v, w, beta=0.5), minigrad.fmax(a, b), minigrad.fmin(a, b),
            minigrad.copysign(a, b.detach()), minigrad.sinc(a), minigrad.cov(a),
            minigrad.corrcoef(a), minigrad.renorm(a, 2, 0, 1.0), minigrad.trapezoid(a),
            minigrad.cumulative_trapezoid(a, dim=0), minigrad.vander(v, 3),
        ),
        (a, b, v, w),
    )  # fmt: skip


def test_values_by_hand(device):
    t = lambda v: minigrad.tensor(v, device=device)  # noqa: E731
    assert minigrad.cov(t([[1.0, 2.0, 3.0]])).item() == 1.0  # one variable: its variance
    assert minigrad.trapezoid(t([0.0, 1.0, 4.0]), t([0.0, 1.0, 3.0])).item() == 0.5 + 5.0
    values, inverse, counts = minigrad.unique_consecutive(
        t([4, 4, 2, 4]), return_inverse=True, return_counts=True
    )
    assert values.tolist() == [4, 2, 4] and inverse.tolist() == [0, 0, 1, 2]
    assert counts.tolist() == [2, 1, 1]
    assert minigrad.sinc(t([1e-20])).item() == pytest.approx(1.0)
    assert math.copysign(1, minigrad.copysign(t([2.0]), t([-0.0])).item()) == -1
    rows, cols = minigrad.unravel_index(t([5, -1]), (2, 3))
    assert rows.tolist() == [1, 1] and cols.tolist() == [2, 2]
    assert minigrad.combinations(t([1, 2]), 3).numel() == 0


def test_in_place_samplers_draw_their_distributions():
    minigrad.manual_seed(0)
    x = minigrad.empty(20000, dtype=minigrad.float64)
    assert x.exponential_(2.0).mean().item() == pytest.approx(0.5, rel=0.05)
    assert x.log_normal_(0.0, 0.25).log().std().item() == pytest.approx(0.25, rel=0.05)
    assert x.geometric_(0.25).mean().item() == pytest.approx(4.0, rel=0.05) and x.min().item() == 1
    assert abs(x.cauchy_().median().item()) < 0.05
    ints = minigrad.empty(1000, dtype=minigrad.int64).random_(3, 6)
    assert set(ints.tolist()) == {3, 4, 5}
    assert set(minigrad.empty(100).random_(2).tolist()) == {0.0, 1.0}
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        x.random_(5, 2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: minigrad.hsplit(minigrad.ones(2, 5), 2), RuntimeError,
         "size of the dimension 5 is not divisible by the split_size 2"),
        (lambda: minigrad.vsplit(minigrad.ones(4), 2), RuntimeError,
         "at least 2 dimension"),
        (lambda: minigrad.block_diag(minigrad.ones(1, 1, 1)), RuntimeError,
         "Input tensors must have 2 or fewer dimensions"),
        (lambda: minigrad.cartesian_prod(minigrad.ones(2, 2)), RuntimeError, "Expect a 1D vector"),
        (lambda: minigrad.cov(minigrad.ones(2, 2, 2)), RuntimeError, "two or fewer dimensions"),
        (lambda: minigrad.renorm(minigrad.ones(2, 2), 0, 0, 1.0), RuntimeError,
         "non-positive-norm not supported"),
        (lambda: minigrad.unravel_index(minigrad.tensor([6]), (2, 3)), RuntimeError,
         "must be in range"),
        (lambda: minigrad.heaviside(minigrad.ones(2), minigrad.ones(2).long()), RuntimeError,
         "different dtypes"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
