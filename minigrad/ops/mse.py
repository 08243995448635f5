"""The mean squared error as one primitive, as PyTorch's ``mse_loss`` (its node prints as
``MseLossBackward0``): ``(input - target) ** 2``, averaged, summed or kept per element.

Backward: ``d/d input = 2 (input - target)`` times the incoming gradient (divided by the
number of elements for a mean), and its negative for the target.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quietly


class MseLoss(Function):
    @quietly  # the mean of no elements is nan, as in PyTorch
    def forward(self, input, target, reduction):
        diff = input - target
        self.save(diff)
        self.reduction = reduction
        squared = diff * diff
        if reduction == "none":
            return squared
        total = squared.sum(dtype=squared.dtype)
        return total if reduction == "sum" else total / squared.size

    @quietly
    def backward(self, grad):
        (diff,) = self.saved
        scale = grad / diff.size if self.reduction == "mean" else grad
        g = 2.0 * diff * scale
        return g, -g
