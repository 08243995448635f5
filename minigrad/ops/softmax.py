"""Softmax, log-softmax and the fused cross-entropy loss.

All three subtract the row maximum before exponentiating (the log-sum-exp trick), so they
stay finite for logits of any size, and the loss's backward is the closed form
``softmax - one_hot``, not a chain of primitive gradients.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quiet


def _log_softmax(xp, a, axis):
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        shifted = self.xp.exp(a - a.max(axis=axis, keepdims=True))
        out = shifted / shifted.sum(axis=axis, keepdims=True)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        out = _log_softmax(self.xp, a, axis)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad - self.xp.exp(out) * grad.sum(axis=self.axis, keepdims=True)


def _negative_log_likelihood(xp, log_probs, target, weight, ignore_index, reduction):
    """The loss both classes share: ``-w_i * log_probs[i, t_i]``, reduced.

    ``w_i`` is the weight of sample i's class (1 without weights), or 0 where the target is
    ``ignore_index``. 'mean' divides by ``sum_i w_i``, as PyTorch does (nan when every
    target is ignored, with a zero gradient). Returns the loss, the targets with ignored
    ones replaced by a valid class, and each sample's factor in the gradient (before the
    output gradient).
    """
    valid = target != ignore_index
    target = xp.where(valid, target, 0)
    picked = xp.take_along_axis(log_probs, target[:, None], axis=1)[:, 0]
    if weight is None:
        sample_weight = valid.astype(log_probs.dtype)
    else:
        sample_weight = weight[target] * valid
    losses = -picked * sample_weight
    if reduction == "none":
        return losses, target, sample_weight
    if reduction == "sum":
        return losses.sum(), target, sample_weight
    total = sample_weight.sum()
    with quiet(xp):
        # A sample of weight 0 (an ignored target) gets no gradient, even when every target
        # is ignored and the loss is 0 / 0 = nan: PyTorch's gradient is 0 there, not nan.
        scale = xp.where(sample_weight == 0, 0, sample_weight / total).astype(total.dtype)
        return losses.sum() / total, target, scale


class CrossEntropy(Function):
    """Cross-entropy of logits (M, C) against class indices (M,): ``log_softmax`` and
    negative log-likelihood in one node. Its gradient for sample i is
    ``w_i * (softmax(x_i) - one_hot(t_i))``.
    """

    def forward(self, logits, target, weight, ignore_index, reduction):
        log_probs = _log_softmax(self.xp, logits, axis=1)
        out, target, scale = _negative_log_likelihood(
            self.xp, log_probs, target, weight, ignore_index, reduction
        )
        self.save(log_probs, target, scale)
        return out

    def backward(self, grad):
        log_probs, target, scale = self.saved
        xp = self.xp
        one_hot = xp.arange(log_probs.shape[1]) == target[:, None]
        per_sample = scale * grad  # grad is per-sample for 'none', a scalar otherwise
        return (xp.exp(log_probs) - one_hot) * per_sample[:, None], None


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities (M, C) at class indices (M,). Its
    gradient for sample i is ``-w_i * one_hot(t_i)``."""

    def forward(self, log_probs, target, weight, ignore_index, reduction):
        out, target, scale = _negative_log_likelihood(
            self.xp, log_probs, target, weight, ignore_index, reduction
        )
        self.save(target, scale)
        self.classes = log_probs.shape[1]
        return out

    def backward(self, grad):
        target, scale = self.saved
        one_hot = self.xp.arange(self.classes) == target[:, None]
        return one_hot * -(scale * grad)[:, None], None
