"""Batch normalisation as one fused primitive.

``y = gamma * (x - mean) / sqrt(var + eps) + beta``, per channel (dim 1), with the mean and
variance taken over every other dimension. The caller (``nn.functional.batch_norm``)
decides which statistics to use: the batch's own (training) or fixed running estimates
(evaluation); it also updates the running estimates.

The backward is the closed form, not a chain of primitive gradients. With
``x_hat = (x - mean) * inv_std``, ``m`` elements per channel, ``g`` the output gradient
and sums over the reduced axes:

* ``d_beta = sum(g)`` and ``d_gamma = sum(g * x_hat)``;
* with batch statistics (which depend on x):
  ``d_x = gamma * inv_std * (g - (d_beta + x_hat * d_gamma) / m)``;
* with fixed statistics (constants): ``d_x = gamma * inv_std * g``.

Only ``x_hat`` and ``inv_std`` (and gamma) are kept for backward.
"""

from __future__ import annotations

from ..autograd import Function


class BatchNorm(Function):
    """Normalise ``x`` (N, C, ...) per channel, then scale by ``gamma`` and shift by ``beta``.

    With ``mean`` and ``var`` given (running estimates), they are used as constants. With
    ``mean=None``, the batch's own mean and biased variance are used, and written into the
    ``stats`` dict so that the caller can update its running estimates without a second
    pass over the data.
    """

    def forward(self, x, gamma, beta, mean=None, var=None, eps=1e-5, stats=None):
        xp = self.xp
        self.axes = axes = (0, *range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)  # broadcasts a (C,) array against (N, C, ...)
        self.batch_stats = mean is None
        if self.batch_stats:
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            var = (centered * centered).mean(axis=axes)
            if stats is not None:
                stats["mean"], stats["var"] = mean, var
        else:
            centered = x - mean.reshape(shape)
        inv_std = (1.0 / xp.sqrt(var + eps)).reshape(shape)
        x_hat = centered * inv_std
        if gamma is None:
            out, scale = x_hat, inv_std
        else:
            out = x_hat * gamma.reshape(shape) + beta.reshape(shape)
            scale = inv_std * gamma.reshape(shape)
        self.save(x_hat, scale)
        return out

    def backward(self, grad):
        x_hat, scale = self.saved
        axes = self.axes
        d_beta = grad.sum(axis=axes)
        d_gamma = (grad * x_hat).sum(axis=axes)
        d_x = None
        if self.needs_input_grad[0]:
            if self.batch_stats:
                count = grad.size // grad.shape[1]
                shape = (1, -1) + (1,) * (grad.ndim - 2)
                d_x = scale * (
                    grad - (d_beta.reshape(shape) + x_hat * d_gamma.reshape(shape)) / count
                )
            else:
                d_x = scale * grad
        return d_x, d_gamma, d_beta
