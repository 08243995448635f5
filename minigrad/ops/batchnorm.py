"""Batch normalisation as one fused primitive.

``y = gamma * (x - mean) / sqrt(var + eps) + beta``, per channel (dim 1), with the mean and
variance taken over every other dimension. The caller (``nn.functional.batch_norm``)
decides which statistics to use: the batch's own (training) or fixed running estimates
(evaluation); it also updates the running estimates.

The backward is the closed form, not a chain of primitive gradients. With
``centered = x - mean``, ``x_hat = centered * inv_std``, ``m`` elements per channel, ``g``
the output gradient and sums over the reduced axes:

* ``d_beta = sum(g)`` and ``d_gamma = sum(g * x_hat) = inv_std * sum(g * centered)``;
* with batch statistics (which depend on x):
  ``d_x = gamma * inv_std * (g - (d_beta + x_hat * d_gamma) / m)``;
* with fixed statistics (constants): ``d_x = gamma * inv_std * g``.

**Speed.** A normalisation touches every element a handful of times, and on the CPU each
NumPy call is one pass through memory, so the code counts passes:

* The per-channel sums (``sum(x)``, ``sum(centered**2)``, ``sum(g * centered)``) are
  matrix products (:func:`channel_sums`): BLAS reads the data once, at full speed and
  without a temporary, and sums more accurately than a running float32 total.
* Only ``centered`` is kept for backward, not ``x_hat``: ``x_hat`` would cost one more
  full-size pass, while every use of it folds ``inv_std`` into a per-channel factor.
  The output is then ``centered * (gamma * inv_std) + beta``, two passes, the second in
  place; ``d_x`` is expanded into ``g * scale - centered * k1 - k0`` with per-channel
  ``k1`` and ``k0``: four passes.

``tests/test_nn.py`` checks these formulas against the textbook ones, built from
primitive ops and differentiated by the engine.
"""

from __future__ import annotations

import math

from ..autograd import Function


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


class BatchNorm(Function):
    """Normalise ``x`` (N, C, ...) per channel, then scale by ``gamma`` and shift by ``beta``.

    With ``mean`` and ``var`` given (running estimates), they are used as constants. With
    ``mean=None``, the batch's own mean and biased variance are used, and written into the
    ``stats`` dict so that the caller can update its running estimates without a second
    pass over the data.
    """

    def forward(self, x, gamma, beta, mean=None, var=None, eps=1e-5, stats=None):
        self.batch_stats = mean is None
        self.fused = fused = self.device.fused
        if fused is not None:  # a GPU: 4 kernel launches (cuda_kernels.batch_norm_forward)
            out, mean, var, self.inv_std, self.scale = fused.batch_norm_forward(
                x, gamma, beta, mean, var, eps
            )
            if self.batch_stats and stats is not None:
                stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
            self.save(x, mean)  # x - mean is recomputed inside the backward kernels
            return out
        xp = self.xp
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

    def backward(self, grad):
        if self.fused is not None:
            x, mean = self.saved
            return self.fused.batch_norm_backward(
                grad, x, mean, self.inv_std, self.scale, self.batch_stats,
                self.needs_input_grad[0], self.needs_input_grad[1],
            )  # fmt: skip
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
