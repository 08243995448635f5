"""Reductions: sum, mean, variance, and picking one element along a dimension.

Their backward passes spread the output gradient back over the reduced elements, so they
first put back the dimensions that the reduction removed (``keepdim=False``).
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import quiet
from ..dtypes import accumulation


def _unreduce(xp, grad, shape, axis):
    """Reshape the gradient of a reduction so that it broadcasts against the input."""
    if axis is None:
        return grad.reshape((1,) * len(shape))
    kept = [1 if i in axis else n for i, n in enumerate(shape)]
    return grad.reshape(kept)


def _count(shape, axis) -> int:
    """How many input elements each output element of the reduction summarises."""
    count = 1
    for i, n in enumerate(shape):
        if axis is None or i in axis:
            count *= n
    return count


def _mean(a, axis, keepdims, count: int):
    """``a.mean``, except that the mean of no elements is nan without NumPy's "Mean of
    empty slice" warning: PyTorch returns it silently."""
    if count == 0:
        return a.sum(axis=axis, keepdims=keepdims) * float("nan")
    return a.mean(axis=axis, keepdims=keepdims)


class Sum(Function):
    def forward(self, a, axis=None, keepdims=False, dtype=None):
        self.shape, self.axis = a.shape, axis
        return a.sum(axis=axis, keepdims=keepdims, dtype=dtype)

    def backward(self, grad):
        return self.xp.broadcast_to(_unreduce(self.xp, grad, self.shape, self.axis), self.shape)


class Mean(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis = a.shape, axis
        self.count = _count(a.shape, axis)
        with quiet(self.xp):  # the mean of nothing is nan, silently, as in PyTorch
            return _mean(a, axis, keepdims, self.count)

    def backward(self, grad):
        grad = _unreduce(self.xp, grad, self.shape, self.axis)
        with quiet(self.xp):
            return self.xp.broadcast_to(grad / self.count, self.shape)


class Var(Function):
    """Variance with ``correction`` (1: unbiased, 0: biased), as in ``torch.var``.

    With no degrees of freedom left (``correction >= n``) the variance is ``x / 0``, inf
    (or nan); the gradient then follows PyTorch's two rules: over all elements,
    ``inf`` (``nan`` where ``x`` is the mean); along dims, ``2 / (n - correction)`` taken
    literally (a negative number when ``correction > n``).
    """

    keeps = (0,)  # the input, as PyTorch (not ``x - mean``, kept here)

    def forward(self, a, axis=None, keepdims=False, correction=1):
        self.shape, self.axis, self.dtype = a.shape, axis, a.dtype
        self.dof = _count(a.shape, axis) - correction
        a = a.astype(accumulation(a.dtype), copy=False)  # float16's squares overflow
        with quiet(self.xp):
            mean = _mean(a, axis, True, _count(a.shape, axis))
            centered = a - mean
            out = (centered * centered).sum(axis=axis, keepdims=keepdims) / max(self.dof, 0)
            if (axis is None or not a.shape) and self.dof <= 0:  # all, or 0-d: PyTorch's
                self.at_mean = a == mean  # gradient is NaN where x == mean (inf == inf too)
        self.save(centered)
        return out.astype(self.dtype, copy=False)

    def backward(self, grad):
        (centered,) = self.saved
        xp = self.xp
        grad = _unreduce(xp, grad, self.shape, self.axis)
        with quiet(xp):
            if (self.axis is None or not self.shape) and self.dof <= 0:  # all, or 0-d
                return grad * xp.where(self.at_mean, math.nan, math.inf)
            return (grad * centered * (2 / self.dof if self.dof else math.inf)).astype(
                self.dtype, copy=False
            )


class MaxAll(Function):
    """The largest (or smallest) element. Ties share the gradient equally, as in PyTorch.
    A NaN wins (the result is NaN): the NaNs share the gradient (``nan == nan`` is False,
    so they are found with ``isnan``)."""

    def forward(self, a, smallest=False):
        out = a.min() if smallest else a.max()
        self.save(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved
        winners = (a == out) | (self.xp.isnan(a) & self.xp.isnan(out))  # no host sync
        return self.xp.where(winners, grad / winners.sum(dtype=grad.dtype), 0)


class Extreme(Function):
    """The largest (or smallest) element along ``axes`` (``amax``, ``amin``): as
    :class:`MaxAll` per slice, ties sharing each slice's gradient equally."""

    def forward(self, a, axes, keepdims, smallest=False):
        kept = a.min(axis=axes, keepdims=True) if smallest else a.max(axis=axes, keepdims=True)
        self.save(a, kept)
        self.axes = axes
        return kept if keepdims else kept.reshape([n for d, n in enumerate(kept.shape)
                                                   if d not in axes])  # fmt: skip

    def backward(self, grad):
        a, kept = self.saved
        xp = self.xp
        grad = grad.reshape(kept.shape)
        winners = (a == kept) | (xp.isnan(a) & xp.isnan(kept))
        shares = winners.sum(axis=self.axes, keepdims=True, dtype=grad.dtype)
        return xp.where(winners, grad / shares, 0)


class Gather(Function):
    """The elements at ``indices`` along ``axis``, where the indices of each slice are
    distinct: the winner of ``max(dim)`` (one index per slice), a sort's permutation, or
    top-k's first ``k`` of one. Each input element then feeds at most one output, so the
    backward puts each gradient back where it came from, and leaves zeros elsewhere."""

    def forward(self, a, indices, axis):
        self.shape, self.axis = a.shape, axis
        self.save(indices)
        return self.xp.take_along_axis(a, indices, axis=axis)

    def backward(self, grad):
        (indices,) = self.saved
        out = self.xp.zeros(self.shape, dtype=grad.dtype)
        self.xp.put_along_axis(out, indices, grad, axis=self.axis)
        return out, None
