"""Binary cross-entropy, of probabilities and of logits, with closed-form gradients:
elementwise, then reduced inside the primitive (a ``weight`` is applied by the callers,
on the elementwise loss).

For a probability ``x`` of the positive class and a target ``t`` in [0, 1] the loss is
``-(t log x + (1 - t) log(1 - x))``. Of a logit ``z`` (``x = sigmoid(z)``) it is written
without forming ``x``, ``(1 - t) z + softplus(-z)``, which stays finite for any ``z``,
and its gradient is simply ``sigmoid(z) - t``.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quietly


def _reduce(loss, reduction: str):
    """The elementwise loss kept ("none"), summed or averaged: inside the primitive, so
    that the loss is one node, as PyTorch's (``BinaryCrossEntropyBackward0``)."""
    if reduction == "none":
        return loss
    total = loss.sum(dtype=loss.dtype)
    return total if reduction == "sum" else total / loss.size


def _per_element(grad, reduction: str, size: int):
    """The gradient of each element's loss, from the reduced loss's (broadcast)."""
    return grad / size if reduction == "mean" else grad


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))``, each log clamped at -100 as in PyTorch, so that
    ``x = 0`` or ``1`` gives a finite loss. Gradients: ``(x - t) / max(x (1 - x), 1e-12)``
    for ``x`` (PyTorch's bound, for the same reason) and ``log(1 - x) - log(x)`` for ``t``.
    """

    @quietly
    def forward(self, x, t, reduction="none"):
        xp = self.xp
        log_x = xp.maximum(xp.log(x), -100)
        log_rest = xp.maximum(xp.log(1 - x), -100)
        self.save(x, t, log_x, log_rest)
        self.reduction = reduction
        return _reduce(-(t * log_x + (1 - t) * log_rest), reduction)

    @quietly
    def backward(self, grad):
        x, t, log_x, log_rest = self.saved
        grad = _per_element(grad, self.reduction, x.size)
        grad_x = grad * (x - t) / self.xp.maximum(x * (1 - x), 1e-12)
        return grad_x, grad * (log_rest - log_x)


class BinaryCrossEntropyWithLogits(Function):
    """``(1 - t) z + w_t softplus(-z)`` with ``w_t = 1 + (p - 1) t`` (``p``, the weight of
    positive examples, is 1 without ``pos_weight``), ``softplus(-z) = log(1 + exp(-|z|)) +
    max(-z, 0)``. Gradients: ``w_t sigmoid(z) - p t`` for ``z`` (``sigmoid(z) - t`` when
    ``p = 1``) and ``(p - 1) softplus(-z) - z`` for ``t``."""

    @quietly
    def forward(self, z, t, pos_weight, reduction="none"):
        xp = self.xp
        softplus = xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(-z, 0)
        self.save(z, t, pos_weight, softplus)
        self.reduction = reduction
        if pos_weight is None:
            return _reduce((1 - t) * z + softplus, reduction)
        return _reduce((1 - t) * z + (1 + (pos_weight - 1) * t) * softplus, reduction)

    @quietly
    def backward(self, grad):
        z, t, p, softplus = self.saved
        grad = _per_element(grad, self.reduction, z.size)
        sigmoid = self.xp.exp(-softplus)  # = 1 / (1 + exp(-z)), without overflow
        if p is None:
            return grad * (sigmoid - t), grad * -z, None
        grad_z = grad * ((1 + (p - 1) * t) * sigmoid - p * t)
        return grad_z, grad * ((p - 1) * softplus - z), None
