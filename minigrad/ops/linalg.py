"""Matrix products."""

from __future__ import annotations

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
