"""BatchNorm's CPU kernels, compiled by numba: one task per channel, on every core.

NumPy runs each step of a normalisation as its own pass through memory, on one core
(``BatchNormCPU`` in ``batchnorm.py`` counts those passes down to about five forward and
six backward). Compiled, a channel's values are read where they lie, ``x[n, c, :]`` for
every image ``n``, and each task keeps to its own channels, so the two cores never share
a cache line:

* **forward**, batch statistics: the mean (a sum), then the variance of ``x - mean`` (a
  second pass, over values the first one left in the cache: the two-pass formula, as the
  reference's), then ``out = (x - mean) * scale + beta`` with ``scale = gamma / sqrt(var
  + eps)``. The sums are accumulated in float64.
* **backward**: ``d_beta = sum(g)`` and ``d_gamma = sum(g * (x - mean)) * inv_std`` in one
  pass, then ``d_x = g * scale - (x - mean) * k1 - k0`` in a second, with per-channel
  ``k1 = scale * inv_std * d_gamma / count`` and ``k0 = scale * d_beta / count`` (with
  running statistics only ``g * scale``). ``x - mean`` is recomputed, not stored: the
  forward keeps ``x`` itself, which the graph holds anyway.

Same formulas, same order of operations per element as ``ops/batchnorm.py``; only the
order of the additions inside a sum differs (``fastmath={"contract", "reassoc"}``: fused
multiply-adds and vectorized sums; inf and NaN are kept). Compiled on first use per dtype
and cached on disk (see ``direct_conv.py``); without numba (the ``fast`` extra) the
kernels run as plain Python, for the tests on small arrays.

Example:
    >>> import numpy as np
    >>> from minigrad.fast import batchnorm_kernels as k
    >>> x = np.array([[[1.0, 3.0]], [[5.0, 7.0]]])  # (N=2, C=1, L=2)
    >>> out, mean, var, inv_std, scale = k.forward(x, None, None, None, None, 0.0)
    >>> mean, var, out.ravel()
    (array([4.]), array([5.]), array([-1.34164079, -0.4472136 ,  0.4472136 ,  1.34164079]))
"""

from __future__ import annotations

import numpy as np

from . import compiled
from .compiled import prange, serial_and_parallel

DTYPES = (np.float32, np.float64)
"""The dtypes the kernels are compiled for; others take the NumPy path."""

_FLAGS = {"contract", "reassoc"}  # fused multiply-adds and reordered sums; inf and NaN kept


def _statistics_kernel(x, mean, var):
    """Per channel ``c`` of ``x`` (N, C, L): ``mean[c]`` and the biased ``var[c]``, the
    mean of ``(x - mean)**2`` (two passes, float64 sums). One task per channel."""
    images, channels, length = x.shape
    count = images * length
    for c in prange(channels):
        total = 0.0
        for n in range(images):
            row = x[n, c]
            for j in range(length):
                total += row[j]
        m = total / count
        squares = 0.0
        for n in range(images):
            row = x[n, c]
            for j in range(length):
                d = row[j] - m
                squares += d * d
        mean[c], var[c] = m, squares / count


def _normalize_kernel(x, mean, scale, beta, out):
    """``out[n, c] = (x[n, c] - mean[c]) * scale[c] + beta[c]``. One task per channel."""
    images, channels, length = x.shape
    for c in prange(channels):
        m, s, b = mean[c], scale[c], beta[c]
        for n in range(images):
            row, dst = x[n, c], out[n, c]
            for j in range(length):
                dst[j] = (row[j] - m) * s + b


def _backward_kernel(g, x, mean, inv_std, scale, batch_stats, need_x, d_x, d_gamma, d_beta):
    """The gradients of ``_normalize_kernel`` (and, with ``batch_stats``, of the
    statistics it used), per channel: the sums, then ``d_x`` if ``need_x``."""
    images, channels, length = x.shape
    count = images * length
    for c in prange(channels):
        m = mean[c]
        total, dot = 0.0, 0.0
        for n in range(images):
            grow, xrow = g[n, c], x[n, c]
            for j in range(length):
                total += grow[j]
                dot += grow[j] * (xrow[j] - m)
        d_beta[c], d_gamma[c] = total, dot * inv_std[c]
        s = scale[c]
        if need_x and batch_stats:
            k1 = s * inv_std[c] * d_gamma[c] / count
            k0 = s * d_beta[c] / count
            for n in range(images):
                grow, xrow, dst = g[n, c], x[n, c], d_x[n, c]
                for j in range(length):
                    dst[j] = grow[j] * s - (xrow[j] - m) * k1 - k0
        elif need_x:  # running statistics are constants: x does not enter (an infinite x
            for n in range(images):  # times a zero k1 would be NaN)
                grow, dst = g[n, c], d_x[n, c]
                for j in range(length):
                    dst[j] = grow[j] * s


# On every core, and on one (in a forked child: compiled.PARALLEL)
_statistics_serial, _statistics_kernel = serial_and_parallel(_statistics_kernel, fastmath=_FLAGS)
_normalize_serial, _normalize_kernel = serial_and_parallel(_normalize_kernel, fastmath=_FLAGS)
_backward_serial, _backward_kernel = serial_and_parallel(_backward_kernel, fastmath=_FLAGS)


def forward(x, gamma, beta, mean, var, eps):
    """BatchNorm of the C-contiguous (N, C, L) array ``x``: ``(out, mean, var, inv_std,
    scale)``, the statistics per channel (the batch's when ``mean`` is None). ``gamma``
    and ``beta`` may be None (no affine)."""
    c, dtype = x.shape[1], x.dtype
    with compiled.one_at_a_time:
        if mean is None:
            mean, var = np.empty(c, dtype), np.empty(c, dtype)
            (_statistics_kernel if compiled.PARALLEL else _statistics_serial)(x, mean, var)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(dtype, copy=False)
        scale = inv_std if gamma is None else (inv_std * gamma).astype(dtype, copy=False)
        shift = np.zeros(c, dtype) if beta is None else beta
        out = np.empty_like(x)
        (_normalize_kernel if compiled.PARALLEL else _normalize_serial)(x, mean, scale, shift, out)
    return out, mean, var, inv_std, scale


def backward(g, x, mean, inv_std, scale, batch_stats, need_x):
    """``(d_x, d_gamma, d_beta)`` of :func:`forward` for the C-contiguous output gradient
    ``g``; ``d_x`` is None unless ``need_x``."""
    c, dtype = x.shape[1], x.dtype
    d_x = np.empty_like(x) if need_x else np.empty((0, 0, 0), dtype)
    d_gamma, d_beta = np.empty(c, dtype), np.empty(c, dtype)
    with compiled.one_at_a_time:
        kernel = _backward_kernel if compiled.PARALLEL else _backward_serial
        kernel(g, x, mean, inv_std, scale, batch_stats, need_x, d_x, d_gamma, d_beta)
    return (d_x if need_x else None), d_gamma, d_beta
