"""Binary cross-entropy, of probabilities and of logits, elementwise (the callers weight
and reduce it), with closed-form gradients.

For a probability ``x`` of the positive class and a target ``t`` in [0, 1] the loss is
``-(t log x + (1 - t) log(1 - x))``. Of a logit ``z`` (``x = sigmoid(z)``) it is written
without forming ``x``, ``(1 - t) z + softplus(-z)``, which stays finite for any ``z``,
and its gradient is simply ``sigmoid(z) - t``.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quietly


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))``, each log clamped at -100 as in PyTorch, so that
    ``x = 0`` or ``1`` gives a finite loss. Gradients: ``(x - t) / max(x (1 - x), 1e-12)``
    for ``x`` (PyTorch's bound, for the same reason) and ``log(1 - x) - log(x)`` for ``t``.
    """

    @quietly
    def forward(self, x, t):
        xp = self.xp
        log_x = xp.maximum(xp.log(x), -100)
        log_rest = xp.maximum(xp.log(1 - x), -100)
        self.save(x, t, log_x, log_rest)
        return -(t * log_x + (1 - t) * log_rest)

    @quietly
    def backward(self, grad):
        x, t, log_x, log_rest = self.saved
        grad_x = grad * (x - t) / self.xp.maximum(x * (1 - x), 1e-12)
        return grad_x, grad * (log_rest - log_x)


class BinaryCrossEntropyWithLogits(Function):
    """``(1 - t) z + w_t softplus(-z)`` with ``w_t = 1 + (p - 1) t`` (``p``, the weight of
    positive examples, is 1 without ``pos_weight``), ``softplus(-z) = log(1 + exp(-|z|)) +
    max(-z, 0)``. Gradients: ``w_t sigmoid(z) - p t`` for ``z`` (``sigmoid(z) - t`` when
    ``p = 1``) and ``(p - 1) softplus(-z) - z`` for ``t``."""

    @quietly
    def forward(self, z, t, pos_weight):
        xp = self.xp
        softplus = xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(-z, 0)
        self.save(z, t, pos_weight, softplus)
        if pos_weight is None:
            return (1 - t) * z + softplus
        return (1 - t) * z + (1 + (pos_weight - 1) * t) * softplus

    @quietly
    def backward(self, grad):
        z, t, p, softplus = self.saved
        sigmoid = self.xp.exp(-softplus)  # = 1 / (1 + exp(-z)), without overflow
        if p is None:
            return grad * (sigmoid - t), grad * -z, None
        grad_z = grad * ((1 + (p - 1) * t) * sigmoid - p * t)
        return grad_z, grad * ((p - 1) * softplus - z), None
