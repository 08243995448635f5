"""Scans and norms: ``cumsum`` and vector norms. (``sort`` and ``topk`` gather their
values with ``reduce.Gather``.)

* ``cumsum``: output ``j`` is the sum of inputs ``0..j``, so input ``i`` feeds every
  output from ``i`` on, and its gradient is the sum of the output gradients from ``i`` to
  the end: a cumulative sum run backwards.
* ``Norm``: ``(sum |x| ** p) ** (1 / p)``, whose gradient is
  ``sign(x) * |x| ** (p - 1) / norm ** (p - 1)``: ``x / norm`` for p = 2, ``sign(x)`` for
  p = 1; for p = inf the gradient goes to the largest ``|x|``, shared between ties, as
  PyTorch does. At ``x = 0``, where that formula can be 0/0 (a zero vector) or
  0 * inf (p < 1), PyTorch's gradient is 0, and so is this one.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import quiet
from .reduce import _unreduce


class Cumsum(Function):
    def forward(self, a, axis, dtype=None):
        self.axis = axis
        return self.xp.cumsum(a, axis=axis, dtype=dtype)

    def backward(self, grad):
        xp, axis = self.xp, self.axis
        return xp.flip(xp.cumsum(xp.flip(grad, axis), axis=axis), axis)


class Norm(Function):
    def forward(self, a, p, axis=None, keepdims=False):
        xp = self.xp
        self.p, self.shape, self.axis = p, a.shape, axis
        magnitude = xp.abs(a)
        with quiet(xp):
            if p == math.inf:
                out = magnitude.max(axis=axis, keepdims=keepdims, initial=0)
            elif p == -math.inf:
                out = magnitude.min(axis=axis, keepdims=keepdims)
            elif p == 0:
                out = (magnitude != 0).sum(axis=axis, keepdims=keepdims).astype(a.dtype)
            elif p == 2:
                out = xp.sqrt((a * a).sum(axis=axis, keepdims=keepdims))
            else:
                out = (magnitude**p).sum(axis=axis, keepdims=keepdims) ** (1.0 / p)
        self.save(a, out)
        return out

    def backward(self, grad):
        xp, p = self.xp, self.p
        a, out = self.saved
        grad = _unreduce(xp, grad, self.shape, self.axis)
        norm = _unreduce(xp, out, self.shape, self.axis)
        if p == 0:  # a count: its gradient is 0, which PyTorch leaves undefined (no .grad)
            return None
        with quiet(xp):
            if p in (math.inf, -math.inf):
                hits = xp.abs(a) == norm  # the gradient goes to the extreme, shared by ties
                count = hits.sum(axis=self.axis, keepdims=True)
                local = xp.sign(a) * hits / count
            elif p == 1:
                local = xp.sign(a)
            elif p == 2:
                local = a / norm
            else:
                local = xp.sign(a) * xp.abs(a) ** (p - 1) / norm ** (p - 1)
            local = xp.where(a == 0, 0, local)  # 0/0 or 0 * inf at zeros: PyTorch's 0
        return (grad * local).astype(a.dtype, copy=False)
