"""Batch normalisation as one primitive, with the closed-form backward.

``y = gamma * x_hat + beta`` with ``x_hat = (x - mean) / sqrt(var + eps)``, per channel
(dim 1), with the mean and the (biased) variance taken over every other dimension: the
batch, and the positions of a feature map (N*H*W values per channel for BatchNorm2d). The
caller (``nn.functional.batch_norm``) decides which statistics to use: the batch's own
(training) or fixed running estimates (evaluation); it also updates the running estimates.

The backward is the closed form, not a chain of primitive gradients. With ``m`` values
per channel, ``g`` the output gradient and sums and means over the reduced axes:

* ``d_beta = sum(g)`` and ``d_gamma = sum(g * x_hat)``;
* with batch statistics (which depend on x), writing ``g_hat = g * gamma``:
  ``d_x = inv_std * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))``;
* with fixed statistics (constants): ``d_x = gamma * inv_std * g``.

The fast paths (``minigrad/fast/batchnorm.py``: a CPU version that counts passes through
memory, and fused GPU kernels) compute the same, and are tested against this code.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quietly  # one errstate per call: inf inputs give inf, silently


class BatchNorm(Function):
    """Normalise ``x`` (N, C, ...) per channel, then scale by ``gamma`` and shift by ``beta``.

    With ``mean`` and ``var`` given (running estimates), they are used as constants. With
    ``mean=None``, the batch's own mean and biased variance are used, and written into the
    ``stats`` dict so that the caller can update its running estimates without a second
    pass over the data.
    """

    keeps = (0, 1)  # input and weight, as PyTorch (not ``x_hat``, kept here)

    @quietly
    def forward(self, x, gamma, beta, mean=None, var=None, eps=1e-5, stats=None):
        self.axes = axes = (0, *range(2, x.ndim))  # every dimension but the channels
        self.shape = shape = (1, -1) + (1,) * (x.ndim - 2)  # (C,) against (N, C, ...)
        self.batch_stats = mean is None
        if self.batch_stats:
            mean, var = x.mean(axis=axes), x.var(axis=axes)
            if stats is not None:
                stats["mean"], stats["var"] = mean, var
        self.inv_std = 1.0 / self.xp.sqrt(var + eps)  # (C,)
        x_hat = (x - mean.reshape(shape)) * self.inv_std.reshape(shape)
        self.gamma = gamma
        out = x_hat if gamma is None else x_hat * gamma.reshape(shape)
        if beta is not None:
            out = out + beta.reshape(shape)
        self.save(x_hat)
        # Without the affine part, out is x_hat itself: return a copy, so that an in-place
        # write into the output (allowed: PyTorch saves x) cannot change the saved x_hat.
        return out if out is not x_hat else out.copy()

    @quietly
    def backward(self, grad):
        (x_hat,) = self.saved
        axes, shape = self.axes, self.shape
        d_beta = grad.sum(axis=axes)
        d_gamma = (grad * x_hat).sum(axis=axes)
        g_hat = grad if self.gamma is None else grad * self.gamma.reshape(shape)
        d_x = None
        if self.needs_input_grad[0]:
            if self.batch_stats:
                mean_g = g_hat.mean(axis=axes, keepdims=True)
                mean_gx = (g_hat * x_hat).mean(axis=axes, keepdims=True)
                d_x = self.inv_std.reshape(shape) * (g_hat - mean_g - x_hat * mean_gx)
            else:
                d_x = g_hat * self.inv_std.reshape(shape)
        return d_x, d_gamma, d_beta
