"""Matrix products."""

from __future__ import annotations

import math

from ..autograd import Function


class MatMul(Function):
    """``a @ b`` with NumPy's rules: 1-D operands are vectors, leading dimensions are batch
    dimensions and broadcast. The engine sums broadcast batch gradients back down."""

    def forward(self, a, b):
        self.save(a, b)
        return a @ b

    def backward(self, grad):
        a, b = self.saved
        xp = self.xp
        # Treat a vector as a one-row (a) or one-column (b) matrix, so one formula serves;
        # the output then gains the dimension of size 1 that the vector product dropped.
        if b.ndim == 1:
            b, grad = b[:, None], grad[..., None]
        if a.ndim == 1:
            a, grad = a[None, :], grad[..., None, :]
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = grad @ xp.swapaxes(b, -1, -2)
            if self.saved[0].ndim == 1:
                ga = ga[..., 0, :]
        if self.needs_input_grad[1]:
            gb = xp.swapaxes(a, -1, -2) @ grad
            if self.saved[1].ndim == 1:
                gb = gb[..., 0]
        return ga, gb


class Linear(Function):
    """``x @ weight.T + bias``, fused: one node, and no transposed copy of the weight.

    ``x`` is (*, in_features), ``weight`` (out_features, in_features), ``bias``
    (out_features,) or None. Leading dimensions of ``x`` are flattened into one batch
    dimension for the products and restored afterwards.
    """

    def forward(self, x, weight, bias=None):
        self.save(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias  # out is a fresh array, so adding in place is safe
        return out

    def backward(self, grad):
        x, weight = self.saved
        rows = math.prod(x.shape[:-1])  # not -1 in the reshapes: ambiguous for empty arrays
        g2 = grad.reshape(rows, grad.shape[-1])
        gx = (grad @ weight) if self.needs_input_grad[0] else None
        gw = g2.T @ x.reshape(rows, x.shape[-1]) if self.needs_input_grad[1] else None
        gb = g2.sum(axis=0) if self.needs_input_grad[2] else None
        return gx, gw, gb
