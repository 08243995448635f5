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


class CrossEntropy(Function):
    """Cross-entropy of logits (M, C) against class indices (M,), with optional per-class
    weights, an ignored index and a reduction ('mean', 'sum' or 'none').

    With ``w_i`` the weight of sample i's class (0 if ignored), the loss of sample i is
    ``-w_i * log_softmax(x_i)[t_i]``, and 'mean' divides the sum by ``sum_i w_i``, as in
    PyTorch. The gradient of sample i's loss is ``w_i * (softmax(x_i) - one_hot(t_i))``.
    """

    def forward(self, logits, target, weight, ignore_index, reduction):
        xp = self.xp
        log_probs = _log_softmax(xp, logits, axis=1)
        valid = target != ignore_index
        target = xp.where(valid, target, 0)  # any class will do for ignored rows
        picked = xp.take_along_axis(log_probs, target[:, None], axis=1)[:, 0]
        if weight is None:
            sample_weight = valid.astype(logits.dtype)
        else:
            sample_weight = weight[target] * valid
        losses = -picked * sample_weight
        if reduction == "none":
            out, scale = losses, sample_weight
        elif reduction == "sum":
            out, scale = losses.sum(), sample_weight
        else:  # mean over the total weight (nan if every target is ignored, as in PyTorch)
            total = sample_weight.sum()
            with quiet(xp):
                out, scale = losses.sum() / total, sample_weight / total
        self.save(log_probs, target, scale)
        return out

    def backward(self, grad):
        log_probs, target, scale = self.saved
        xp = self.xp
        classes = xp.arange(log_probs.shape[1])
        d_logits = xp.exp(log_probs) - (classes == target[:, None])
        per_sample = scale * grad  # grad is per-sample for 'none', a scalar otherwise
        return d_logits * per_sample[:, None], None
