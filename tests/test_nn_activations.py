"""GELU, SiLU and Softplus (``minigrad/ops/activations.py``) and the error function that
the exact GELU is built on.

PyTorch's values are checked by the golden cases (``gelu``, ``silu``, ``softplus*`` in
``tests/golden/nn_cases.py``); here: the error function against Python's ``math.erf`` and
``math.erfc`` over the whole real line, float64 gradient checks (the tails included), and
the arguments PyTorch refuses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.ops.activations import erf, erfc

# Every region of Cody's approximation (|x| <= 0.46875, <= 4, > 4), the tails where erfc
# underflows, tiny inputs, and the breakpoints themselves.
POINTS = np.concatenate([
    np.linspace(-30.0, 30.0, 60001),
    np.logspace(-300, 1.5, 2000),
    -np.logspace(-300, 1.5, 2000),
    [0.0, -0.0, 0.46875, -0.46875, 4.0, -4.0, 26.5, 27.0],
])  # fmt: skip


def _relative_error(got, expected, tiny):
    mask = np.abs(expected) > tiny  # below that the reference itself is denormal
    return np.max(np.abs(got[mask] - expected[mask]) / np.abs(expected[mask]))


@pytest.mark.parametrize(
    ("dtype", "bound"), [(np.float64, 5e-15), (np.float32, 2e-6)], ids=["float64", "float32"]
)
def test_erf_and_erfc_match_the_math_module(dtype, bound):
    x = POINTS.astype(dtype)
    exact = x.astype(np.float64)
    tiny = np.finfo(dtype).tiny
    got_erf, got_erfc = erf(x, np), erfc(x, np)
    assert got_erf.dtype == dtype and got_erfc.dtype == dtype
    assert _relative_error(got_erf, np.array([math.erf(v) for v in exact]), tiny) < bound
    assert _relative_error(got_erfc, np.array([math.erfc(v) for v in exact]), tiny) < bound


def test_erf_at_the_edges():
    x = np.array([np.inf, -np.inf, np.nan, 0.0, 40.0, -40.0])
    np.testing.assert_array_equal(erf(x, np), [1.0, -1.0, np.nan, 0.0, 1.0, -1.0])
    np.testing.assert_array_equal(erfc(x, np), [0.0, 2.0, np.nan, 1.0, 0.0, 2.0])
    assert erf(np.array(0.5), np).shape == ()


def test_gelu_keeps_its_relative_accuracy_in_the_tails():
    """x * Phi(x) for x << 0 is tiny; it comes from erfc, not from 1 + erf (which is 0)."""
    x = np.linspace(-37.0, 37.0, 1481)
    got = F.gelu(minigrad.tensor(x)).numpy()
    expected = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    # (1e-12: near x = -37, rounding x / sqrt(2) alone moves exp(-x^2 / 2) by ~1e-13)
    assert _relative_error(got, expected, 1e-300) < 1e-12


def _float64(values, device):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), device=device, requires_grad=True)


@pytest.fixture
def wide(device):
    """Inputs across every region of the error function, away from the kinks."""
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.standard_normal(20) * 2, [-7.5, -5.1, -0.3, 0.2, 4.6, 6.2]])
    return _float64(values, device)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck(wide, approximate):
    assert minigrad.gradcheck(lambda t: F.gelu(t, approximate=approximate), (wide,))


def test_silu_gradcheck(wide):
    assert minigrad.gradcheck(F.silu, (wide,))


@pytest.mark.parametrize(("beta", "threshold"), [(1.0, 20.0), (2.0, 1.0), (0.5, 0.3), (-1.0, 1.5)])
def test_softplus_gradcheck(device, beta, threshold):
    # No input where beta * x is within 1e-3 of the threshold: a kink is not differentiable.
    x = np.linspace(-4.0, 4.0, 37)
    x = x[np.abs(x * beta - threshold) > 1e-3]
    f = lambda t: F.softplus(t, beta=beta, threshold=threshold)  # noqa: E731
    assert minigrad.gradcheck(f, (_float64(x, device),))


def test_softplus_passes_the_input_through_above_the_threshold(device):
    x = minigrad.tensor([0.5, 3.0, -1.0], device=device, requires_grad=True)
    y = F.softplus(x, beta=1.0, threshold=0.0)
    y.sum().backward()
    assert y.tolist()[:2] == [0.5, 3.0]  # x itself, not log(1 + e^x)
    assert x.grad.tolist()[:2] == [1.0, 1.0]  # and gradient 1, as in PyTorch
    assert x.grad.tolist()[2] == pytest.approx(1 / (1 + math.e))


def test_extreme_inputs_give_no_warnings_and_no_nans(device):
    """pytest turns warnings into errors: overflow in exp must stay quiet."""
    x = minigrad.tensor([-1e4, -100.0, 100.0, 1e4], device=device, requires_grad=True)
    for fn in (F.gelu, F.silu, F.softplus, lambda t: F.gelu(t, approximate="tanh")):
        y = fn(x)
        y.sum().backward()
        assert np.isfinite(y.numpy()).all() and np.isfinite(x.grad.numpy()).all()
        x.grad = None
    assert F.silu(x).tolist() == [-0.0, pytest.approx(-100 * math.exp(-100)), 100.0, 1e4]


@pytest.mark.parametrize("fn", [F.gelu, F.silu, F.softplus])
def test_float_dtypes_are_kept(fn, device):
    for dtype in (minigrad.float32, minigrad.float64):
        assert fn(minigrad.ones(3, dtype=dtype, device=device)).dtype == dtype


@pytest.mark.parametrize("fn", [F.gelu, F.silu, F.softplus])
def test_integer_and_non_tensor_inputs_are_refused(fn):
    with pytest.raises(RuntimeError, match="floating point"):
        fn(minigrad.tensor([1, 2]))
    with pytest.raises(TypeError, match="Tensor"):
        fn([1.0, 2.0])


def test_gelu_approximate_must_be_none_or_tanh():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(minigrad.ones(2), approximate="erf")
    layer = nn.GELU("erf")  # as in PyTorch, checked when called
    with pytest.raises(RuntimeError, match="none or tanh"):
        layer(minigrad.ones(2))


def test_modules_call_the_functions_and_print_like_pytorch():
    x = minigrad.randn(3, 4)
    assert np.array_equal(nn.GELU("tanh")(x).numpy(), F.gelu(x, approximate="tanh").numpy())
    assert np.array_equal(nn.SiLU()(x).numpy(), F.silu(x).numpy())
    assert np.array_equal(nn.Softplus(2, 5)(x).numpy(), F.softplus(x, 2, 5).numpy())
    reprs = [nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(), nn.SiLU(inplace=True),
             nn.Softplus(), nn.Softplus(beta=2, threshold=10)]  # fmt: skip
    assert [repr(m) for m in reprs] == [
        "GELU(approximate='none')",
        "GELU(approximate='tanh')",
        "SiLU()",
        "SiLU(inplace=True)",
        "Softplus(beta=1.0, threshold=20.0)",
        "Softplus(beta=2, threshold=10)",
    ]  # fmt: skip (PyTorch 2.13's reprs)
