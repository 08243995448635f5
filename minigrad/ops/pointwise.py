"""More elementwise primitives: ``log1p`` and ``expm1``, and the piecewise-constant
functions (``floor``, ``ceil``, ``round``, ``trunc``, ``sign``).

``log1p(x) = log(1 + x)`` and ``expm1(x) = exp(x) - 1`` are exact for small ``x``, where
``1 + x`` would round ``x`` away; their derivatives are ``1 / (1 + x)`` and ``exp(x)``.
A piecewise-constant function has derivative 0 wherever it is defined, so its gradient is
zeros, as in PyTorch (a graph through ``round`` still runs; nothing flows back through it).
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quietly


class Log1p(Function):
    @quietly
    def forward(self, a):
        self.save(a)
        return self.xp.log1p(a)

    @quietly
    def backward(self, grad):
        (a,) = self.saved
        return grad / (1 + a)


class Expm1(Function):
    @quietly
    def forward(self, a):
        out = self.xp.expm1(a)
        self.save(out)
        return out

    @quietly
    def backward(self, grad):
        (out,) = self.saved
        return grad * (out + 1)


class Stepwise(Function):
    """``floor``, ``ceil``, ``round`` (to ``decimals``), ``trunc`` or ``sign``: gradient 0."""

    def forward(self, a, kind, decimals=0):
        xp = self.xp
        if kind == "round":
            return xp.round(a, decimals)  # halves to even, as PyTorch
        return getattr(xp, kind)(a)

    def backward(self, grad):
        return self.xp.zeros_like(grad)
