"""BatchNorm's fast paths: the reference of ``ops/batchnorm.py``, in fewer passes.

**CPU.** A normalisation touches every element a handful of times, and on the CPU each
NumPy call is one pass through memory, so this version counts passes:

* The per-channel sums (``sum(x)``, ``sum(centered**2)``, ``sum(g * centered)``) are
  matrix products (:func:`channel_sums`): BLAS reads the data once, at full speed and
  without a temporary, and sums more accurately than a running float32 total.
* Only ``centered = x - mean`` is kept for backward, not ``x_hat``: ``x_hat`` would cost
  one more full-size pass, while every use of it folds ``inv_std`` into a per-channel
  factor. The output is then ``centered * (gamma * inv_std) + beta``, two passes, the
  second in place; ``d_x`` is expanded into ``g * scale - centered * k1 - k0`` with
  per-channel ``k1`` and ``k0``: four passes.

**GPU.** Four kernel launches forward and a few backward (``cuda_kernels.py``), with
``x - mean`` recomputed inside the kernels instead of stored.

**CPU, compiled** (:class:`BatchNormCompiled`, where numba is installed): the same
formulas as kernels that run each channel in one or two passes, on every core
(``batchnorm_kernels.py``).

All are registered in :mod:`minigrad.fastpath` and tested against the reference.
"""

from __future__ import annotations

import math

from .. import fastpath
from ..backend import quietly
from ..nn.functional import update_running_stats
from ..ops.batchnorm import BatchNorm
from . import batchnorm_kernels
from .compiled import AVAILABLE as COMPILED
from .gpu import kernels


def channel_sums(xp, a, b=None):
    """Per-channel (dim 1) sums of ``a``, or of ``a * b``, over every other dimension.

    ``a`` (and ``b``) are (N, C, ...). Viewed as N*C rows of L = H*W*... elements, the row
    sums are one matrix-vector product with a column of ones, and the sums of ``a * b``
    a batch of row-times-column products; both then sum over N (a small array). A 2-D
    ``a`` (N, C) has one element per row: a row of ones times ``a``, and ``einsum``.
    """
    n, c = a.shape[:2]
    if a.ndim == 2:  # (N, C): a row of ones times a (BLAS), or einsum: no temporary a * b
        if b is None:
            return xp.ones(n, dtype=a.dtype) @ a
        return xp.einsum("nc,nc->c", a, b)
    length = math.prod(a.shape[2:])  # spelled out: reshape cannot infer -1 when N is 0
    if b is None:  # one matrix-vector product: (N*C, L) rows times a column of ones
        ones = xp.ones(length, dtype=a.dtype)
        return (a.reshape(n * c, length) @ ones).reshape(n, c).sum(axis=0)
    rows = a.reshape(n, c, 1, length)
    return (rows @ b.reshape(n, c, length, 1)).sum(axis=0).reshape(c)


class BatchNormCPU(BatchNorm):
    """The reference BatchNorm in fewer passes through memory (see the module docstring)."""

    @quietly
    def forward(self, x, gamma, beta, mean=None, var=None, eps=1e-5, stats=None):
        xp = self.xp
        self.batch_stats = mean is None
        self.shape = shape = (1, -1) + (1,) * (x.ndim - 2)  # (C,) against (N, C, ...)
        self.count = x.size // x.shape[1]
        if self.batch_stats:
            mean = channel_sums(xp, x) / self.count
            centered = x - mean.reshape(shape)
            var = channel_sums(xp, centered, centered) / self.count
            if stats is not None:
                stats["mean"], stats["var"] = mean, var
        else:
            centered = x - mean.reshape(shape)
        self.inv_std = inv_std = 1.0 / xp.sqrt(var + eps)  # (C,)
        self.scale = scale = inv_std if gamma is None else inv_std * gamma  # (C,)
        out = centered * scale.reshape(shape)
        if beta is not None:
            out += beta.reshape(shape)
        self.save(centered)
        return out

    @quietly
    def backward(self, grad):
        (centered,) = self.saved
        xp, shape, count = self.xp, self.shape, self.count
        d_beta = channel_sums(xp, grad)
        d_gamma = channel_sums(xp, grad, centered) * self.inv_std
        d_x = None
        if self.needs_input_grad[0]:
            d_x = grad * self.scale.reshape(shape)
            if self.batch_stats:  # minus scale * (d_beta + x_hat * d_gamma) / count
                k1 = self.scale * self.inv_std * d_gamma / count
                d_x -= centered * k1.reshape(shape)
                d_x -= (self.scale * d_beta / count).reshape(shape)
        return d_x, d_gamma, d_beta


class BatchNormCompiled(BatchNormCPU):
    """BatchNorm of images (N, C, ...) with numba's kernels (``batchnorm_kernels.py``):
    each channel's statistics, output and gradients in one or two passes, one task per
    channel on every core. Registered for the CPU when numba (the ``fast`` extra) is
    installed; (N, C) inputs (BatchNorm1d's usual case, where a channel's values are not
    contiguous) and dtypes other than float32 and float64 take :class:`BatchNormCPU`.

    Example:
        >>> import minigrad
        >>> from minigrad.fast.batchnorm import BatchNormCompiled
        >>> x = minigrad.arange(8.0).reshape(2, 2, 2)
        >>> BatchNormCompiled.apply(x, None, None, eps=0.0)[:, 0]  # channel 0: 0, 1, 4, 5
        tensor([[-1.2127, -0.7276],
                [ 0.7276,  1.2127]])
    """

    def forward(self, x, gamma, beta, mean=None, var=None, eps=1e-5, stats=None):
        self.compiled = x.ndim > 2 and x.dtype.type in batchnorm_kernels.DTYPES
        if not self.compiled:
            return super().forward(x, gamma, beta, mean, var, eps, stats)
        self.batch_stats = mean is None
        # (N, C, L), L spelled out: reshape cannot infer -1 when N is 0
        rows = self.xp.ascontiguousarray(x).reshape(*x.shape[:2], math.prod(x.shape[2:]))
        out, mean, var, self.inv_std, self.scale = batchnorm_kernels.forward(
            rows, gamma, beta, mean, var, eps
        )
        if self.batch_stats and stats is not None:
            stats["mean"], stats["var"] = mean, var
        self.save(rows, mean)  # x - mean is recomputed in backward
        return out.reshape(x.shape)

    def backward(self, grad):
        if not self.compiled:
            return super().backward(grad)
        rows, mean = self.saved
        g = self.xp.ascontiguousarray(grad).reshape(rows.shape)
        d_x, d_gamma, d_beta = batchnorm_kernels.backward(
            g, rows, mean, self.inv_std, self.scale, self.batch_stats, self.needs_input_grad[0]
        )
        return (None if d_x is None else d_x.reshape(grad.shape)), d_gamma, d_beta


# The CPU's BatchNorm: compiled where numba is installed, else NumPy in fewer passes.
fastpath.register(BatchNorm, "cpu")(BatchNormCompiled if COMPILED else BatchNormCPU)


@fastpath.register(BatchNorm, "cuda")
class BatchNormGPU(BatchNorm):
    """The reference BatchNorm as fused CUDA kernels (``cuda_kernels.batch_norm_forward``
    and ``batch_norm_backward``)."""

    def forward(self, x, gamma, beta, mean=None, var=None, eps=1e-5, stats=None):
        self.batch_stats = mean is None
        self.kernels = kernels(self.device)
        out, mean, var, self.inv_std, self.scale = self.kernels.batch_norm_forward(
            x, gamma, beta, mean, var, eps
        )
        if self.batch_stats and stats is not None:
            stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
        self.save(x, mean)  # x - mean is recomputed inside the backward kernels
        return out

    def backward(self, grad):
        x, mean = self.saved
        return self.kernels.batch_norm_backward(
            grad, x, mean, self.inv_std, self.scale, self.batch_stats,
            self.needs_input_grad[0], self.needs_input_grad[1],
        )  # fmt: skip


@fastpath.register(update_running_stats, "cuda")
def update_running_stats_gpu(running_mean, running_var, mean, var, momentum, count) -> None:
    """Both running estimates in one kernel launch (``cuda_kernels.update_running_stats``),
    with the formula of the reference (``nn.functional.update_running_stats``)."""
    if running_mean is None or running_var is None:
        update_running_stats(running_mean, running_var, mean, var, momentum, count)
        return
    kernels(running_mean.device).update_running_stats(
        running_mean._data, running_var._data, mean, var, momentum, count / (count - 1)
    )
    running_mean._version.value += 1
    running_var._version.value += 1
