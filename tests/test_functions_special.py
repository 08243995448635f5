"""The gamma family, ``erfinv`` and ``minigrad.special`` beyond their golden cases: the
identities they satisfy to float64 rounding, PyTorch's values at the poles, float64
gradchecks across the real line (negative arguments included), the methods, in-place
forms and aliases, and the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import special

F64 = minigrad.float64
INF, NAN = math.inf, math.nan


def _t(values, device):
    return minigrad.tensor(values, dtype=F64, device=device)


def test_the_gamma_family_meets_its_identities(device):
    n = _t([1.0, 2.0, 3.0, 7.0, 21.0], device)
    expected = [math.lgamma(v) for v in (1.0, 2.0, 3.0, 7.0, 21.0)]  # log (n - 1)!
    np.testing.assert_allclose(minigrad.lgamma(n).numpy(), expected, rtol=1e-14, atol=1e-15)
    assert minigrad.lgamma(n).tolist()[:2] == [0.0, 0.0]  # exactly, where Gamma is 1
    x = _t([-3.7, -0.4, 1e-6, 0.3, 4.5, 150.0, 1e8], device)
    np.testing.assert_allclose(
        minigrad.lgamma(x).numpy(), [math.lgamma(v) for v in x.tolist()], rtol=1e-13
    )
    # digamma(1) = -Euler's gamma; psi(x + 1) = psi(x) + 1/x; the reflection formula
    assert minigrad.digamma(_t(1.0, device)).item() == pytest.approx(-0.5772156649015329)
    y = _t([-2.3, 0.2, 3.1, 40.0], device)
    np.testing.assert_allclose(
        (minigrad.digamma(y + 1) - minigrad.digamma(y)).numpy(), (1 / y).numpy(), rtol=1e-12
    )
    # polygamma(1, 1) = pi^2 / 6, polygamma(2, 1) = -2 zeta(3), polygamma(n, x) recurrence
    assert minigrad.polygamma(1, _t(1.0, device)).item() == pytest.approx(math.pi**2 / 6)
    zeta3 = 1.2020569031595942
    assert minigrad.polygamma(2, _t(1.0, device)).item() == pytest.approx(-2 * zeta3)
    for order in (1, 2, 4):
        step = minigrad.polygamma(order, y + 1) - minigrad.polygamma(order, y)
        exact = (-1) ** order * math.factorial(order) / y ** (order + 1)
        np.testing.assert_allclose(step.numpy(), exact.numpy(), rtol=1e-10)
    assert minigrad.polygamma(0, y).tolist() == minigrad.digamma(y).tolist()


def test_the_poles_give_pytorchs_values(device):
    x = _t([0.0, -1.0, -4.0, INF, -INF, NAN], device)
    assert minigrad.lgamma(x).tolist()[:5] == [INF, INF, INF, INF, INF]
    d = minigrad.digamma(x).tolist()
    assert d[0] == -INF and math.isnan(d[1]) and math.isnan(d[2]) and d[3] == INF
    assert all(math.isnan(v) for v in (d[4], d[5], minigrad.lgamma(x).tolist()[5]))
    poles = _t([0.0, -2.0], device)
    assert minigrad.polygamma(1, poles).tolist() == [INF, INF]
    assert minigrad.polygamma(2, poles).tolist() == [-INF, -INF]


def test_erfinv_inverts_erf(device):
    y = _t(np.concatenate([np.linspace(-0.999999, 0.999999, 2001), [1e-12, -1 + 1e-12]]), device)
    np.testing.assert_allclose(minigrad.erf(minigrad.erfinv(y)).numpy(), y.numpy(), atol=2e-16)
    tail = _t([1 - 1e-15, 1 - 1e-10], device)  # 1 - y holds the precision in the tail
    np.testing.assert_allclose(
        minigrad.erfc(minigrad.erfinv(tail)).numpy(), 1 - tail.numpy(), rtol=1e-12
    )
    edges = minigrad.erfinv(_t([1.0, -1.0, 1.5, NAN], device)).tolist()
    assert edges[:2] == [INF, -INF] and math.isnan(edges[2]) and math.isnan(edges[3])
    f32 = minigrad.erfinv(minigrad.tensor([0.5, -0.9], device=device))
    assert f32.dtype == minigrad.float32
    np.testing.assert_allclose(f32.numpy(), [0.4769362762, -1.1630871537], rtol=1e-6)
    # the normal quantile inverts the normal CDF
    p = _t([1e-6, 0.025, 0.5, 0.9], device)
    np.testing.assert_allclose(special.ndtr(special.ndtri(p)).numpy(), p.numpy(), rtol=1e-9)
    assert special.log_ndtr(_t(-30.0, device)).item() == pytest.approx(-454.32124395634, rel=1e-12)


def test_the_functions_pass_gradcheck(device, rng):
    x = minigrad.tensor(rng.uniform(-4.5, 6.0, (3, 5)), device=device, requires_grad=True)
    pos = minigrad.tensor(rng.uniform(0.2, 5.0, (3, 5)), device=device, requires_grad=True)
    y = minigrad.tensor(rng.uniform(-0.95, 0.95, (3, 5)), device=device, requires_grad=True)
    assert minigrad.gradcheck(
        lambda x, pos, y: (
            minigrad.lgamma(x), minigrad.digamma(x), minigrad.polygamma(1, x),
            minigrad.polygamma(3, pos), minigrad.mvlgamma(pos + 2.0, 4), minigrad.erfinv(y),
            special.ndtri((y + 1) / 2), special.log_ndtr(x), special.entr(pos),
            special.xlog1py(x, pos), special.xlog1py(x * 0, y - 0.05),
        ),
        (x, pos, y),
    )  # fmt: skip


def test_methods_in_place_forms_and_aliases(device):
    x = _t([0.5, 2.5], device)
    assert x.lgamma().tolist() == minigrad.lgamma(x).tolist()
    assert x.polygamma(2).tolist() == minigrad.polygamma(2, x).tolist()
    assert x[1:].mvlgamma(2).tolist() == minigrad.mvlgamma(x[1:], 2).tolist()
    z = x.clone()
    z.digamma_()
    assert z.tolist() == minigrad.digamma(x).tolist()
    w = _t([0.1, -0.3], device)
    w.erfinv_()
    assert w.tolist() == minigrad.erfinv(_t([0.1, -0.3], device)).tolist()
    assert special.gammaln is minigrad.lgamma and special.psi is minigrad.digamma
    assert special.expit is minigrad.sigmoid and special.multigammaln is minigrad.mvlgamma
    ints = minigrad.lgamma(minigrad.tensor([3, 4], device=device))
    assert ints.dtype == minigrad.float32  # integers are computed in the default float
    assert special.entr(_t([0.0, -1.0], device)).tolist() == [0.0, -INF]
    assert special.xlog1py(_t([0.0], device), _t([-1.0], device)).tolist() == [0.0]
    assert math.isnan(special.xlog1py(_t([0.0], device), _t([NAN], device)).item())


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: minigrad.polygamma(-1, minigrad.ones(2)), RuntimeError, "negative n"),
        (lambda: minigrad.mvlgamma(minigrad.ones(2), 3), RuntimeError,
         r"greater than \(p-1\)/2 = 1"),
        (lambda: minigrad.mvlgamma(minigrad.ones(2), 0), RuntimeError,
         "p has to be greater than or equal to 1"),
        (lambda: minigrad.lgamma([1.0]), TypeError, "lgamma"),
        (lambda: special.xlog1py(1.0, 2.0), TypeError, "at least one of input and other"),
        (lambda: special.xlog1py(minigrad.ones(1), "a"), TypeError, "'other' must be Tensor"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
