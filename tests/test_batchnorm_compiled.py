"""BatchNorm's CPU paths called directly against the reference (``ops/batchnorm.py``):
the compiled one (``BatchNormCompiled``, ``fast/batchnorm_kernels.py``), registered for
the CPU when numba is installed, and the NumPy one (``BatchNormCPU``), registered
without it. Training and running statistics, with and without the affine part, float32
and float64, inputs that are not contiguous, infs and NaNs, and the same bits on any
number of threads. Without numba the compiled kernels run as plain Python.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_fast_paths import assert_close, assert_same_values, on_one_and_all_threads

import minigrad
from minigrad import fastpath
from minigrad.fast import compiled
from minigrad.fast.batchnorm import BatchNormCompiled, BatchNormCPU
from minigrad.ops.batchnorm import BatchNorm


def run(op, x0, g0, gamma0, beta0, stats):
    """Output and gradients of ``op`` (a BatchNorm class) and the batch statistics; with
    ``stats`` given as (mean, var), normalise with those instead."""
    x = minigrad.tensor(x0, requires_grad=True)
    gamma = None if gamma0 is None else minigrad.tensor(gamma0, requires_grad=True)
    beta = None if beta0 is None else minigrad.tensor(beta0, requires_grad=True)
    found = {}
    mean, var = (None, None) if stats is None else stats
    with fastpath.reference_mode(op is BatchNorm):
        out = op.apply(x, gamma, beta, mean=mean, var=var, eps=1e-5, stats=found)
    out.backward(minigrad.tensor(g0))
    grads = [None if t is None else t.grad.numpy() for t in (x, gamma, beta)]
    batch = [found.get("mean"), found.get("var")]
    return [out.numpy(), *grads, *[None if b is None else np.asarray(b) for b in batch]]


def assert_same(fast, reference, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_close(fast, reference, rtol=tol, atol=tol)


@pytest.mark.parametrize("op", [BatchNormCompiled, BatchNormCPU])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("running", [False, True])
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (3, 5, 7), (2, 3, 2, 3, 4), (16, 5)])
def test_cpu_batch_norm_matches_reference(op, shape, running, affine, dtype, rng):
    c = shape[1]
    x0 = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    g0 = rng.standard_normal(shape).astype(dtype)
    gamma0 = np.linspace(0.5, 2.0, c).astype(dtype) if affine else None
    beta0 = np.linspace(-1.0, 1.0, c).astype(dtype) if affine else None
    stats = None
    if running:
        stats = (np.linspace(-0.5, 0.5, c).astype(dtype), np.linspace(0.5, 1.5, c).astype(dtype))
    fast = run(op, x0, g0, gamma0, beta0, stats)
    assert_same(fast, run(BatchNorm, x0, g0, gamma0, beta0, stats), dtype)


def test_compiled_batch_norm_takes_any_layout_and_hands_2d_to_numpy(rng):
    x0 = rng.standard_normal((5, 6, 4, 3)).transpose(0, 3, 2, 1)  # (5, 3, 4, 6), strided
    g0 = rng.standard_normal(x0.shape)
    assert not x0.flags.c_contiguous
    fast = run(BatchNormCompiled, x0, g0, None, None, None)
    assert_same(fast, run(BatchNorm, x0, g0, None, None, None), np.float64)
    out = BatchNormCompiled.apply(minigrad.randn(8, 3, requires_grad=True), None, None)
    assert not out.grad_fn.compiled  # (N, C): the NumPy path


@pytest.mark.parametrize("running", [False, True])
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_compiled_batch_norm_keeps_infs_and_nans_as_the_reference(value, running, rng):
    """With batch statistics, channel 0's become inf or NaN; with running ones, only the
    element's output is, and its input gradient is the finite ``g * scale`` (PyTorch's),
    not ``(x - mean) * 0``."""
    x0 = rng.standard_normal((3, 2, 4, 4)).astype(np.float32)
    x0[1, 0, 2, 3] = value  # channel 1 stays finite
    g0 = rng.standard_normal(x0.shape).astype(np.float32)
    stats = (np.array([0.5, -0.5], np.float32), np.array([2.0, 0.5], np.float32))
    stats = stats if running else None
    with np.errstate(all="ignore"):
        fast = run(BatchNormCompiled, x0, g0, None, None, stats)
        reference = run(BatchNorm, x0, g0, None, None, stats)
    assert_same_values(fast, reference, rtol=1e-5, atol=1e-5)
    if running:
        assert np.isfinite(fast[1]).all()


@pytest.mark.skipif(not compiled.AVAILABLE, reason="numba (the fast extra) is not installed")
def test_compiled_batch_norm_gives_the_same_bits_on_any_number_of_threads(rng):
    x0 = rng.standard_normal((9, 7, 5, 6)).astype(np.float32)
    g0 = rng.standard_normal(x0.shape).astype(np.float32)
    one, every = on_one_and_all_threads(lambda: run(BatchNormCompiled, x0, g0, None, None, None))
    for a, b in zip(one, every):
        if a is not None:
            np.testing.assert_array_equal(a, b)


def test_the_cpu_batch_norm_is_compiled_when_numba_is_installed():
    with fastpath.reference_mode(False):
        expected = "BatchNormCompiled" if compiled.AVAILABLE else "BatchNormCPU"
        assert fastpath.lookup(BatchNorm, "cpu").__name__ == expected
