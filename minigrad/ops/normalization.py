"""Per-sample normalisation as one primitive: Layer, Group and Instance Normalization.

Batch Normalization takes its statistics over the batch, so a sample's output depends on
the other samples beside it, and small batches give noisy statistics. The variants here
take them *within one sample* instead, over a set of its elements, so no output depends on
the rest of the batch and training and evaluation compute the same thing:

* **LayerNorm** normalises each sample over its last few dims (``normalized_shape``);
* **GroupNorm** over each group of ``C / G`` channels of a sample, with their positions;
* **InstanceNorm** over the positions of each channel of a sample (GroupNorm with G = C).

All three are one computation once the input is seen as a matrix of ``rows``, one row per
set of values that share a mean and a variance: ``x.reshape(rows, m)`` (the values of a
group are contiguous in memory in each case), normalised row by row with the *biased*
variance and ``eps`` inside the square root, as PyTorch does:

    x_hat = (x - mean) / sqrt(var + eps),    y = gamma * x_hat + beta

The affine ``gamma`` and ``beta`` are indexed differently: per element of
``normalized_shape`` for LayerNorm, per channel for GroupNorm and InstanceNorm. The caller
says how they line up with the input by ``affine_shape`` (``normalized_shape``, or
``(C, 1, ..., 1)``), and the gradients of gamma and beta are summed over every other axis.

The backward is the closed form, as for Batch Normalization (``ops/batchnorm.py``), only
with the means taken along each row. With ``g = dy * gamma``:

* ``d_beta = sum(dy)`` and ``d_gamma = sum(dy * x_hat)``, over the axes gamma is broadcast on;
* ``d_x = inv_std * (g - mean(g) - x_hat * mean(g * x_hat))``, the means over each row.

The two mean terms are the dependence of the statistics on x: moving one element moves
its row's mean (so every gradient is centred) and its row's variance (so the part of the
gradient along ``x_hat`` is removed).
"""

from __future__ import annotations

from ..autograd import Function, sum_to


class Normalize(Function):
    """Normalise ``x`` row by row, as ``x.reshape(rows, -1)``, then scale and shift.

    ``gamma`` and ``beta`` (either may be None) are viewed as ``affine_shape``, which
    broadcasts against ``x``. If a ``stats`` dict is given, each row's mean and biased
    variance (shape ``(rows,)``) are written into it, so that InstanceNorm can update its
    running estimates without a second pass over the data. ``x`` has at least one
    element (the caller handles empty inputs, which have no statistics).
    """

    keeps = (0, 1, 2)  # input, weight and bias, as PyTorch (not ``x_hat``, kept here)

    def forward(self, x, gamma, beta, rows, affine_shape, eps=1e-5, stats=None):
        xr = x.reshape(rows, -1)  # a view: one row per set that shares its statistics
        mean = xr.mean(axis=1, keepdims=True)
        var = xr.var(axis=1, keepdims=True)  # biased: divides by m
        self.inv_std = 1.0 / self.xp.sqrt(var + eps)  # (rows, 1)
        x_hat = ((xr - mean) * self.inv_std).reshape(x.shape)
        if stats is not None:
            stats["mean"], stats["var"] = mean.reshape(rows), var.reshape(rows)
        self.rows, self.affine_shape, self.gamma = rows, affine_shape, gamma
        self.beta_shape = None if beta is None else beta.shape
        out = x_hat if gamma is None else x_hat * gamma.reshape(affine_shape)
        if beta is not None:
            out = out + beta.reshape(affine_shape)
        self.save(x_hat)
        # Without the affine part, out is x_hat itself: return a copy, so that an in-place
        # write into the output (allowed: PyTorch saves x) cannot change the saved x_hat.
        return out if out is not x_hat else out.copy()

    def backward(self, grad):
        (x_hat,) = self.saved
        gamma, shape = self.gamma, self.affine_shape
        # The affine gradients: summed over the axes gamma and beta were broadcast along
        # (the batch, and the positions for per-channel ones), then back to their own shape.
        d_gamma = d_beta = d_x = None
        if self.needs_input_grad[1]:
            d_gamma = sum_to(grad * x_hat, shape).reshape(gamma.shape)
        if self.needs_input_grad[2]:
            d_beta = sum_to(grad, shape).reshape(self.beta_shape)
        if self.needs_input_grad[0]:
            g = (grad if gamma is None else grad * gamma.reshape(shape)).reshape(self.rows, -1)
            xh = x_hat.reshape(self.rows, -1)
            mean_g = g.mean(axis=1, keepdims=True)
            mean_gx = (g * xh).mean(axis=1, keepdims=True)
            d_x = (self.inv_std * (g - mean_g - xh * mean_gx)).reshape(x_hat.shape)
        return d_x, d_gamma, d_beta
