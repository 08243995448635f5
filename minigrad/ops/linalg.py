"""Matrix products."""

from __future__ import annotations

import math

from ..autograd import Function


class MatMul(Function):
    """``a @ b`` with NumPy's rules: 1-D operands are vectors, leading dimensions are batch
    dimensions and broadcast. The engine sums broadcast batch gradients back down."""

    def forward(self, a, b):
        # Each operand's gradient needs only the other operand, so only that is kept (as
        # PyTorch does: an operand that is not kept may then be changed in place).
        self.vectors = (a.ndim == 1, b.ndim == 1)
        self.save(a if self.needs_input_grad[1] else None, b if self.needs_input_grad[0] else None)
        self.stacked = a.ndim > 2 and b.ndim == 2  # (*, n, k) @ (k, m): rows of one product
        if self.stacked:  # as one product, as in Linear (NumPy's stacked one is 3-4x slower)
            return (_rows(a) @ b).reshape(*a.shape[:-1], b.shape[1])
        return a @ b

    def backward(self, grad):
        a, b = self.saved
        xp = self.xp
        if self.stacked:  # each gradient one product too (b's: not a sum over a stack)
            g = _rows(grad)
            ga = None if b is None else (g @ b.T).reshape(*grad.shape[:-1], b.shape[0])
            return ga, (None if a is None else _rows(a).T @ g)
        a_vector, b_vector = self.vectors
        # Treat a vector as a one-row (a) or one-column (b) matrix, so one formula serves;
        # the output then gains the dimension of size 1 that the vector product dropped.
        if b_vector:
            grad = grad[..., None]
        if a_vector:
            grad = grad[..., None, :]
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = grad @ xp.swapaxes(b[:, None] if b_vector else b, -1, -2)
            if a_vector:
                ga = ga[..., 0, :]
        if self.needs_input_grad[1]:
            gb = xp.swapaxes(a[None, :] if a_vector else a, -1, -2) @ grad
            if b_vector:
                gb = gb[..., 0]
        return ga, gb


class Linear(Function):
    """``x @ weight.T + bias``, fused: one node, and no transposed copy of the weight.

    ``x`` is (*, in_features), ``weight`` (out_features, in_features), ``bias``
    (out_features,) or None. Leading dimensions of ``x`` are flattened into one batch
    dimension for the products and restored afterwards.
    """

    def forward(self, x, weight, bias=None):
        # x's gradient needs the weight, the weight's needs x: only those are kept, as
        # in PyTorch (frozen weights leave x free to change in place, and to be freed).
        self.save(x if self.needs_input_grad[1] else None,
                  weight if self.needs_input_grad[0] else None)  # fmt: skip
        # One matrix product over all the rows: NumPy runs ``x @ weight.T`` on a 3-D x as
        # one product per leading index (a sequence's 35 steps of (32, 64), say), 3-4x
        # slower than one (35 * 32, 64) product.
        lead = self.lead = x.shape[:-1]
        self.biased = bias is not None  # (for the node's name)
        out = _rows(x) @ weight.T
        if bias is not None:
            out += bias  # out is a fresh array, so adding in place is safe
        return out.reshape(*lead, weight.shape[0])

    def backward(self, grad):
        x, weight = self.saved
        g2 = _rows(grad)
        lead = grad.shape[:-1]
        gx = (g2 @ weight).reshape(*lead, weight.shape[1]) if self.needs_input_grad[0] else None
        gw = g2.T @ _rows(x) if self.needs_input_grad[1] else None
        gb = g2.sum(axis=0) if self.needs_input_grad[2] else None
        return gx, gw, gb

    def name(self) -> str:
        """PyTorch's name for the node: its ``linear`` is ``addmm`` (``mm`` without a bias)
        on a matrix, and a view of the product otherwise."""
        if len(self.lead) != 1:
            return "ViewBackward0" if self.biased or not self.lead else "UnsafeViewBackward0"
        return "AddmmBackward0" if self.biased else "MmBackward0"


def _rows(a):
    """``a`` (*, n) as a matrix (rows, n): the leading dimensions flattened into one."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])  # not -1: ambiguous when empty
