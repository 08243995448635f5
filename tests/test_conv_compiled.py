"""The compiled convolution candidate (``Conv2dCompiled``, ``fast/numba_conv.py``) against
the reference, on every layout of ``test_fast_paths.CONV_CASES``, with infs and NaNs.

It is not a registered fast path (``benchmarks/conv_candidates.py`` tells why), so the
tests call it directly. Without numba its kernels run as plain Python: the same checks.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_fast_paths import CONV_CASES

import minigrad
import minigrad.nn.functional as F
from minigrad import fastpath
from minigrad.fast.conv import Conv2dCompiled
from minigrad.ops.conv import Conv2d


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def run_both(x0, w0, b0, stride, padding, dilation, groups, upstream):
    """Output and gradients of the compiled candidate and of the reference."""
    results = []
    for compiled in (True, False):
        x = minigrad.tensor(x0, requires_grad=True)
        w = minigrad.tensor(w0, requires_grad=True)
        b = None if b0 is None else minigrad.tensor(b0, requires_grad=True)
        if compiled:
            ph, pw = pair(padding)
            out = Conv2dCompiled.apply(x, w, b, stride=pair(stride), padding=(ph, ph, pw, pw),
                                       dilation=pair(dilation), groups=groups)  # fmt: skip
        else:
            with fastpath.reference_mode():
                out = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation,
                               groups=groups)  # fmt: skip
                assert type(out.grad_fn) is Conv2d
        out.backward(upstream(out))
        results.append([out.numpy(), x.grad.numpy(), w.grad.numpy(),
                        None if b is None else b.grad.numpy()])  # fmt: skip
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_compiled_conv_matches_reference(name, bias, dtype, rng):
    x_shape, w_shape, stride, padding, dilation, groups = CONV_CASES[name]
    x0 = rng.standard_normal(x_shape).astype(dtype)
    w0 = rng.standard_normal(w_shape).astype(dtype)
    b0 = rng.standard_normal(w_shape[0]).astype(dtype) if bias else None

    def upstream(out):
        return minigrad.tensor(np.cos(np.arange(out.numel())).reshape(out.shape).astype(dtype))

    fast, reference = run_both(x0, w0, b0, stride, padding, dilation, groups, upstream)
    for a, b in zip(fast, reference):
        if a is None or b is None:
            assert a is None and b is None
            continue
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("where", ["input", "weight", "gradient"])
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_compiled_conv_keeps_infs_and_nans_as_the_reference(where, value, rng):
    x0 = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w0 = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    if where == "input":
        x0[0, 1, 0, 2] = value  # on the border: it meets the padding's zeros
    elif where == "weight":
        w0[1, 2, 0, 0] = value

    def upstream(out):
        g = np.ones(out.shape, np.float32)
        if where == "gradient":
            g[1, 2, 5, 0] = value
        return minigrad.tensor(g)

    fast, reference = run_both(x0, w0, None, 1, 1, 1, 1, upstream)
    for a, b in zip(fast[:3], reference[:3]):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
        finite = np.isfinite(a) & np.isfinite(b)
        np.testing.assert_allclose(a[finite], b[finite], rtol=1e-4, atol=1e-4)


def test_compiled_conv_takes_the_numpy_path_for_other_dtypes():
    x = minigrad.ones(1, 2, 4, 4, dtype=minigrad.float16)
    w = minigrad.ones(3, 2, 3, 3, dtype=minigrad.float16)
    out = Conv2dCompiled.apply(x, w, None, stride=(1, 1), padding=(1, 1, 1, 1),
                               dilation=(1, 1), groups=1)  # fmt: skip
    assert out.grad_fn is None and out.dtype == minigrad.float16
    assert float(out[0, 0, 1, 1].item()) == 18.0
