"""Scans, products and norms: ``cumsum``, ``prod``, ``cumprod`` and vector norms.
(``sort`` and ``topk`` gather their values with ``reduce.Gather``.)

* ``cumsum``: output ``j`` is the sum of inputs ``0..j``, so input ``i`` feeds every
  output from ``i`` on, and its gradient is the sum of the output gradients from ``i`` to
  the end: a cumulative sum run backwards.
* ``prod``: the gradient of each element is the product of the *other* elements. The
  shortcut ``out / x`` is 0/0 where ``x`` is 0, so the product of the others is built from
  the running products before and after each element instead, exact with zeros.
* ``cumprod``: input ``i`` feeds every output ``j >= i``, through the product of the
  elements before it and of those from ``i + 1`` to ``j``; the sum over ``j`` is a
  recurrence run from the end, again without dividing by ``x``.
* ``Norm``: ``(sum |x| ** p) ** (1 / p)``, whose gradient is
  ``sign(x) * |x| ** (p - 1) / norm ** (p - 1)``: ``x / norm`` for p = 2, ``sign(x)`` for
  p = 1; for p = inf the gradient goes to the largest ``|x|``, shared between ties, as
  PyTorch does. Where that formula is 0/0 (a zero vector) or 0 * inf (``x = 0`` for
  p < 1), PyTorch's gradient is 0, and so is this one; the sign of a NaN is 0, as in
  PyTorch.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import quiet
from ..dtypes import accumulation
from .reduce import _unreduce


def _running_sum(xp, a, axis, dtype=None):
    """``cumsum``, accumulated in float32 when the result is float16, as in PyTorch (a
    float16 running sum drifts by its rounding at every element)."""
    result = a.dtype if dtype is None else dtype
    if accumulation(result) == result:
        return xp.cumsum(a, axis=axis, dtype=dtype)
    return xp.cumsum(a, axis=axis, dtype=accumulation(result)).astype(result)


class Cumsum(Function):
    def forward(self, a, axis, dtype=None):
        self.axis = axis
        return _running_sum(self.xp, a, axis, dtype)

    def backward(self, grad):
        xp, axis = self.xp, self.axis
        return xp.flip(_running_sum(xp, xp.flip(grad, axis), axis), axis)


def _before(xp, a, axis):
    """The product of the elements before each one along ``axis`` (1 for the first)."""
    first = [slice(None)] * a.ndim
    first[axis] = slice(0, 1)
    running = xp.cumprod(a, axis=axis)
    shifted = xp.roll(running, 1, axis=axis)
    shifted[tuple(first)] = 1
    return shifted


class Prod(Function):
    def forward(self, a, axis=None, keepdims=False, dtype=None):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        self.save(a)
        return a.prod(axis=axis, keepdims=keepdims, dtype=dtype)

    def backward(self, grad):
        xp = self.xp
        (a,) = self.saved
        flat = a.reshape(-1) if self.axis is None else a
        axis = 0 if self.axis is None else self.axis
        after = xp.flip(_before(xp, xp.flip(flat, axis), axis), axis)
        others = (_before(xp, flat, axis) * after).reshape(self.shape)
        axes = None if self.axis is None else (self.axis,)
        return _unreduce(xp, grad, self.shape, axes) * others


class Cumprod(Function):
    def forward(self, a, axis, dtype=None):
        self.axis = axis
        self.save(a)
        return self.xp.cumprod(a, axis=axis, dtype=dtype)

    def backward(self, grad):
        xp = self.xp
        (a,) = self.saved
        before = xp.moveaxis(_before(xp, a, self.axis), self.axis, 0)
        x, g = xp.moveaxis(a, self.axis, 0), xp.moveaxis(grad, self.axis, 0)
        # rest[i] = sum over j >= i of grad[j] * x[i+1] * ... * x[j]
        rest = xp.empty_like(g)
        rest[-1] = g[-1]
        for i in range(g.shape[0] - 2, -1, -1):
            rest[i] = g[i] + x[i + 1] * rest[i + 1]
        return xp.moveaxis(before * rest, 0, self.axis)


class Norm(Function):
    def forward(self, a, p, axis=None, keepdims=False):
        xp = self.xp
        self.p, self.shape, self.axis = p, a.shape, axis
        dtype, saved = a.dtype, a
        a = a.astype(accumulation(dtype), copy=False)  # float16's squares overflow
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
        out = out.astype(dtype, copy=False)
        self.save(saved, out)
        return out

    def backward(self, grad):
        xp, p = self.xp, self.p
        a, out = self.saved
        grad = _unreduce(xp, grad, self.shape, self.axis)
        norm = _unreduce(xp, out, self.shape, self.axis)
        if p == 0:  # a count: its gradient is 0, which PyTorch leaves undefined (no .grad)
            return None
        # PyTorch's formulas, in its order of operations, so that NaN and inf come out
        # where its come out (an infinite output gradient for a zero vector: 0 * inf).
        with quiet(xp):
            sign = _sign(xp, a)
            if p in (math.inf, -math.inf):
                # The gradient goes to the extreme, shared by ties; a NaN is the extreme (max
                # and min return it), but its sign is 0, so none of the gradient flows.
                hits = (xp.abs(a) == norm) | xp.isnan(a)
                grad = sign * (grad / hits.sum(axis=self.axis, keepdims=True) * hits)
            elif p == 1:
                grad = sign * grad
            elif p == 2:  # a / norm is 0/0 for a zero vector, where PyTorch's gradient is 0
                grad = grad * xp.where(norm == 0, 0, a / norm)
            elif p < 1:  # |a| ** (p - 1) is infinite at 0, where PyTorch's gradient is 0
                local = sign * xp.where(a == 0, 0, xp.abs(a) ** (p - 1))
                grad = local * grad * norm ** (1 - p)
            else:  # for a zero vector, norm ** (p - 1) is 0: PyTorch's gradient is 0
                local = sign * xp.abs(a) ** (p - 1) if p < 2 else a * xp.abs(a) ** (p - 2)
                grad = local * xp.where(norm == 0, 0, grad / norm ** (p - 1))
        return grad.astype(a.dtype, copy=False)


def _sign(xp, a):
    """The sign of ``a``, with PyTorch's 0 for NaN (NumPy's sign of NaN is NaN)."""
    return xp.where(xp.isnan(a), 0, xp.sign(a)).astype(a.dtype, copy=False)
