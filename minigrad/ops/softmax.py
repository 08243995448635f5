"""Softmax, log-softmax and the fused cross-entropy loss.

All three subtract the row maximum before exponentiating (the log-sum-exp trick), so they
stay finite for logits of any size, and the loss's backward is the closed form
``softmax - one_hot``, not a chain of primitive gradients.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quiet, quietly
from ..dtypes import accumulation


def _log_softmax(xp, a, axis):
    if a.size == 0:  # nothing to normalise (and no log(0) to warn about)
        return xp.empty_like(a)
    wide = a.astype(accumulation(a.dtype), copy=False)  # float16: summed in float32
    shifted = wide - _peak(wide, axis)
    out = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
    return out.astype(a.dtype, copy=False)


def _peak(a, axis):
    """The largest value along ``axis``, subtracted first so that ``exp`` cannot overflow
    (an empty input has none, and needs no shift)."""
    return a.max(axis=axis, keepdims=True) if a.size else 0


class Softmax(Function):
    @quietly
    def forward(self, a, axis):
        self.axis = axis
        wide = a.astype(accumulation(a.dtype), copy=False)  # float16: summed in float32
        shifted = self.xp.exp(wide - _peak(wide, axis))
        out = (shifted / shifted.sum(axis=axis, keepdims=True)).astype(a.dtype, copy=False)
        self.save(out)
        return out

    @quietly
    def backward(self, grad):
        (out,) = self.saved
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    @quietly
    def forward(self, a, axis):
        self.axis = axis
        out = _log_softmax(self.xp, a, axis)
        self.save(out)
        return out

    @quietly
    def backward(self, grad):
        (out,) = self.saved
        return grad - self.xp.exp(out) * grad.sum(axis=self.axis, keepdims=True)


def _negative_log_likelihood(xp, log_probs, target, weight, ignore_index, reduction):
    """The loss both classes share: ``-w_i * log_probs[i, t_i]``, reduced.

    ``w_i`` is the weight of sample i's class (1 without weights), or 0 where the target is
    ``ignore_index``. 'mean' divides by ``sum_i w_i``, as PyTorch does (nan when every
    target is ignored, with a zero gradient). Returns the loss, the targets with ignored
    ones replaced by a valid class, each sample's factor in the gradient (before the
    output gradient), and the reduction's divisor and which samples count (for label
    smoothing).
    """
    valid = target != ignore_index
    target = xp.where(valid, target, 0)
    if log_probs.shape[1]:
        picked = xp.take_along_axis(log_probs, target[:, None], axis=1)[:, 0]
    else:  # no classes: every target was ignored (the caller checked), nothing to pick
        picked = xp.zeros(target.shape, dtype=log_probs.dtype)
    if weight is None:
        sample_weight = valid.astype(log_probs.dtype)
    else:
        sample_weight = weight[target] * valid
    losses = xp.where(valid, -picked * sample_weight, 0)  # an ignored NaN row adds 0
    if reduction == "none":
        return losses, target, sample_weight, None, valid
    if reduction == "sum":
        return losses.sum(), target, sample_weight, None, valid
    total = sample_weight.sum()
    with quiet(xp):
        # A sample of weight 0 (an ignored target) gets no gradient, even when every target
        # is ignored and the loss is 0 / 0 = nan: PyTorch's gradient is 0 there, not nan.
        scale = xp.where(sample_weight == 0, 0, sample_weight / total).astype(total.dtype)
        return losses.sum() / total, target, scale, total, valid


def _times_grad(xp, scale, valid, grad):
    """Each sample's factor in the gradient times the output gradient, and 0 for an
    ignored sample whatever that gradient is: PyTorch skips those samples (a sample of a
    class of weight 0 still gives ``0 * inf = nan``, as in PyTorch)."""
    return xp.where(valid, scale * grad, 0)


def _softmax_minus_one_hot(xp, log_probs, target, per_sample):
    """``(softmax(x_i) - one_hot(t_i)) * per_sample_i``, the gradient of cross-entropy
    (``per_sample``: each sample's factor times the output gradient), and the softmax."""
    probs = xp.exp(log_probs)
    one_hot = xp.arange(log_probs.shape[1]) == target[:, None]
    return (probs - one_hot) * per_sample[:, None], probs


class CrossEntropy(Function):
    """Cross-entropy of logits (M, C) against class indices (M,): ``log_softmax`` and
    negative log-likelihood in one node. Its gradient for sample i is
    ``w_i * (softmax(x_i) - one_hot(t_i))``. (With label smoothing, the public function
    takes :class:`CrossEntropyWithSmoothing` instead.)
    """

    @quietly
    def forward(self, logits, target, weight, ignore_index, reduction):
        log_probs = _log_softmax(self.xp, logits, axis=1)
        out, target, scale, _, valid = _negative_log_likelihood(
            self.xp, log_probs, target, weight, ignore_index, reduction
        )
        self.save(log_probs, target, scale, valid)
        return out

    @quietly
    def backward(self, grad):
        log_probs, target, scale, valid = self.saved
        per_sample = _times_grad(self.xp, scale, valid, grad)
        grad_input, _ = _softmax_minus_one_hot(self.xp, log_probs, target, per_sample)
        return grad_input, None


class CrossEntropyWithSmoothing(Function):
    """:class:`CrossEntropy` with label smoothing ``s``: each valid sample also adds
    ``s / C`` times ``smooth_i = -sum_c w_c * log_softmax(x_i)_c`` (reduced as the loss
    is), whose gradient is ``softmax(x_i) * sum_c w_c - w``; the plain loss is scaled by
    ``1 - s``.
    """

    @quietly
    def forward(self, logits, target, weight, ignore_index, reduction, label_smoothing):
        xp = self.xp
        log_probs = _log_softmax(xp, logits, axis=1)
        out, target, scale, total, valid = _negative_log_likelihood(
            xp, log_probs, target, weight, ignore_index, reduction
        )
        self.save(log_probs, target, scale, valid)
        self.smoothing = label_smoothing
        weighted = log_probs if weight is None else log_probs * weight
        smooth = xp.where(valid, -weighted.sum(axis=1), 0)
        # Each valid sample's factor in the smoothing term's gradient: 1, or 1 / total.
        smooth_scale = valid.astype(log_probs.dtype)
        if reduction != "none":
            smooth = smooth.sum()
        if total is not None:  # 'mean': over the same total weight as the loss
            with quiet(xp):
                smooth = smooth / total
                smooth_scale = xp.where(valid, smooth_scale / total, 0).astype(total.dtype)
        classes = log_probs.shape[1]
        self.weight, self.smooth_scale = weight, smooth_scale
        share = label_smoothing / classes if classes else 0.0  # no classes: no smoothing
        return (1 - label_smoothing) * out + share * smooth

    @quietly
    def backward(self, grad):
        log_probs, target, scale, valid = self.saved
        per_sample = _times_grad(self.xp, scale, valid, grad)
        grad_input, probs = _softmax_minus_one_hot(self.xp, log_probs, target, per_sample)
        s, classes, weight = self.smoothing, log_probs.shape[1], self.weight
        total_weight = classes if weight is None else weight.sum()
        smooth_grad = probs * total_weight - (1 if weight is None else weight)
        grad_input *= 1 - s
        share = s / classes if classes else 0.0  # as in forward
        smooth_per_sample = _times_grad(self.xp, share * self.smooth_scale, valid, grad)
        grad_input += smooth_grad * smooth_per_sample[:, None]
        return grad_input, None


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities (M, C) at class indices (M,). Its
    gradient for sample i is ``-w_i * one_hot(t_i)``."""

    def forward(self, log_probs, target, weight, ignore_index, reduction):
        out, target, scale, _, valid = _negative_log_likelihood(
            self.xp, log_probs, target, weight, ignore_index, reduction
        )
        self.save(target, scale, valid)
        self.classes = log_probs.shape[1]
        return out

    @quietly
    def backward(self, grad):
        target, scale, valid = self.saved
        one_hot = self.xp.arange(self.classes) == target[:, None]
        return self.xp.where(one_hot, _times_grad(self.xp, -scale, valid, grad)[:, None], 0), None
