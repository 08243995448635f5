"""More elementwise primitives: ``log1p`` and ``expm1``, the piecewise-constant
functions (``floor``, ``ceil``, ``round``, ``trunc``, ``sign``), and the rounded divisions
and remainders (``//``, ``div(rounding_mode=)``, ``%``, ``fmod``); ``erf`` and ``erfc``,
``logaddexp`` and ``xlogy``; ``ldexp`` and ``nextafter``.

``log1p(x) = log(1 + x)`` and ``expm1(x) = exp(x) - 1`` are exact for small ``x``, where
``1 + x`` would round ``x`` away; their derivatives are ``1 / (1 + x)`` and ``exp(x)``.
A piecewise-constant function has derivative 0 wherever it is defined, so its gradient is
zeros, as in PyTorch (a graph through ``round`` still runs; nothing flows back through it).
"""

from __future__ import annotations

import math

from ..autograd import Elementwise
from ..backend import quiet, quietly
from . import activations as _erf  # its erf and erfc, shared with GELU

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Log1p(Elementwise):
    @quietly
    def forward(self, a):
        self.save(a)
        return self.xp.log1p(a)

    @quietly
    def backward(self, grad):
        (a,) = self.saved
        return grad / (1 + a)


class Expm1(Elementwise):
    @quietly
    def forward(self, a):
        out = self.xp.expm1(a)
        self.save(out)
        return out

    @quietly
    def backward(self, grad):
        (out,) = self.saved
        return grad * (out + 1)


class Stepwise(Elementwise):
    """``floor``, ``ceil``, ``round`` (to ``decimals``), ``trunc`` or ``sign``: gradient 0."""

    def forward(self, a, kind, decimals=0):
        xp = self.xp
        if kind == "round":
            return xp.round(a, decimals)  # halves to even, as PyTorch
        return getattr(xp, kind)(a)

    def backward(self, grad):
        return self.xp.zeros_like(grad)


def _refuse_integer_zero(xp, a, b) -> None:
    """An integer division by zero has no answer (PyTorch raises); a float one is inf/nan."""
    if xp.result_type(a, b).kind in "iub" and bool(xp.any(xp.asarray(b) == 0)):
        raise RuntimeError("ZeroDivisionError")


class DivFloor(Elementwise):
    """``a / b`` rounded down (``div(rounding_mode='floor')``), computed as Python's ``//``
    is (exact for integers, through ``fmod`` for floats). Gradient 0, as in PyTorch."""

    @quietly
    def forward(self, a, b):
        _refuse_integer_zero(self.xp, a, b)
        return self.xp.floor_divide(a, b)

    def backward(self, grad):
        return self.xp.zeros_like(grad), self.xp.zeros_like(grad)


class DivTrunc(Elementwise):
    """``a / b`` rounded towards zero (``div(rounding_mode='trunc')``, C's integer
    division). Gradient 0, as in PyTorch."""

    @quietly
    def forward(self, a, b):
        xp = self.xp
        _refuse_integer_zero(xp, a, b)
        if xp.result_type(a, b).kind == "f":
            return xp.trunc(xp.true_divide(a, b))
        q, r = xp.floor_divide(a, b), xp.remainder(a, b)
        # Floor and truncation differ where the division is inexact and the signs differ.
        return q + ((r != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0)))

    def backward(self, grad):
        return self.xp.zeros_like(grad), self.xp.zeros_like(grad)


class FloorDivide(DivFloor):
    """``a // b``: as :class:`DivFloor`; PyTorch has no derivative for it, so backward
    through it refuses, as PyTorch's does."""

    def backward(self, grad):
        raise RuntimeError(
            "derivative for floor_divide is not implemented (use "
            "div(a, b, rounding_mode='floor'), whose gradient is 0)"
        )


class Remainder(Elementwise):
    """``a - floor(a / b) * b``: the remainder with the divisor's sign (Python's ``%``).
    Gradients: 1 for ``a``, ``-floor(a / b)`` for ``b``."""

    @quietly
    def forward(self, a, b):
        _refuse_integer_zero(self.xp, a, b)
        self.save(a, b)
        return self.xp.remainder(a, b)

    @quietly
    def backward(self, grad):
        a, b = self.saved
        grad_b = -grad * self.xp.floor_divide(a, b) if self.needs_input_grad[1] else None
        return grad, grad_b


class Fmod(Elementwise):
    """``a - trunc(a / b) * b``: the remainder with the dividend's sign (C's ``fmod``).
    Gradients: 1 for ``a``, ``-trunc(a / b)`` for ``b``."""

    @quietly
    def forward(self, a, b):
        _refuse_integer_zero(self.xp, a, b)
        self.save(a, b)
        return self.xp.fmod(a, b)

    @quietly
    def backward(self, grad):
        a, b = self.saved
        if not self.needs_input_grad[1]:
            return grad, None
        return grad, -grad * self.xp.trunc(self.xp.true_divide(a, b))


class Erf(Elementwise):
    """The error function; ``erf'(x) = 2 / sqrt(pi) * exp(-x^2)``. (``complement``:
    ``erfc = 1 - erf``, computed directly so that it keeps its precision for large x.)"""

    def forward(self, a, complement=False):
        self.save(a)
        self.sign = -1.0 if complement else 1.0
        return (_erf.erfc if complement else _erf.erf)(a, self.xp)

    def backward(self, grad):
        (a,) = self.saved
        return grad * (self.sign * _TWO_OVER_SQRT_PI) * self.xp.exp(-a * a)


class LogAddExp(Elementwise):
    """``log(exp(a) + exp(b))`` without overflow; the gradients are the two softmax
    weights ``exp(a - out)`` and ``exp(b - out)``."""

    def forward(self, a, b):
        out = self.xp.logaddexp(a, b)
        self.save(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        with quiet(self.xp):
            return grad * self.xp.exp(a - out), grad * self.xp.exp(b - out)


class Xlogy(Elementwise):
    """``x * log(y)``, and 0 where ``x`` is 0 (unless ``y`` is NaN), as in PyTorch; the
    gradients are ``log(y)`` (0 where ``x`` is 0 and ``y <= 0``, where the log has no
    finite value) and ``x / y``, PyTorch's formulas."""

    def forward(self, x, y):
        xp = self.xp
        self.save(x, y)
        with quiet(xp):
            self.zero = (x == 0) & ~xp.isnan(y)
            return xp.where(self.zero, 0, x * xp.log(y)).astype(x.dtype, copy=False)

    def backward(self, grad):
        x, y = self.saved
        xp = self.xp
        with quiet(xp):
            gx = None
            if self.needs_input_grad[0]:
                gx = xp.where((grad == 0) & ~xp.isnan(y), 0, grad * xp.log(y))
                gx = xp.where((x == 0) & (y <= 0), 0, gx)
            gy = grad * x / y if self.needs_input_grad[1] else None
        return gx, gy


class Ldexp(Elementwise):
    """``a * 2**b``; the gradients ``grad * 2**b`` and ``grad * out * log(2)``, PyTorch's
    (which keep ``b`` and the result, not ``a``: ``a`` may change in place after)."""

    def forward(self, a, b):
        out = a * self.xp.exp2(b)
        self.save(b, out)
        return out

    def backward(self, grad):
        b, out = self.saved
        with quiet(self.xp):
            return grad * self.xp.exp2(b), grad * out * math.log(2.0)


class NextAfter(Elementwise):
    """The next float after ``a`` towards ``b``. PyTorch's gradients: that of the identity
    in ``a`` where ``a != b`` (the step is below any rounding a gradient carries; where
    ``a == b`` the result is ``b``, constant in ``a``), and zero in ``b``."""

    def forward(self, a, b):
        self.save(a, b)
        return self.xp.nextafter(a, b)

    def backward(self, grad):
        a, b = self.saved
        return self.xp.where(a != b, grad, 0).astype(grad.dtype), self.xp.zeros_like(grad)
