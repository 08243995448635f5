"""Trigonometric and hyperbolic primitives: ``sin``, ``cos``, ``sinh``, ``cosh``, ``tan``,
the inverse functions (``asin``, ``acos``, ``atan``, ``asinh``, ``acosh``, ``atanh``),
``atan2`` and ``hypot``.

Each derivative is another function of the same family, evaluated at the saved input:
``sin' = cos``, ``cos' = -sin``, ``sinh' = cosh``, ``cosh' = sinh``; the inverses' are
algebraic (``atan'(x) = 1 / (1 + x^2)``), and each docstring gives its own.
"""

from __future__ import annotations

from ..autograd import Elementwise
from ..backend import quiet


class Sin(Elementwise):
    def forward(self, a):
        self.save(a)
        return self.xp.sin(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * self.xp.cos(a)


class Cos(Elementwise):
    def forward(self, a):
        self.save(a)
        return self.xp.cos(a)

    def backward(self, grad):
        (a,) = self.saved
        return -grad * self.xp.sin(a)


class Sinh(Elementwise):
    def forward(self, a):
        self.save(a)
        with quiet(self.xp):  # overflow to inf, as in PyTorch
            return self.xp.sinh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad * self.xp.cosh(a)


class Cosh(Elementwise):
    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.cosh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad * self.xp.sinh(a)


class Tan(Elementwise):
    """``tan' = 1 + tan^2`` (from the saved output)."""

    def forward(self, a):
        out = self.xp.tan(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 + out * out)


class Asin(Elementwise):
    """``asin'(x) = 1 / sqrt(1 - x^2)`` (inf at +-1, NaN outside [-1, 1])."""

    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.arcsin(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad / self.xp.sqrt(1 - a * a)


class Acos(Elementwise):
    """``acos'(x) = -1 / sqrt(1 - x^2)``."""

    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.arccos(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return -grad / self.xp.sqrt(1 - a * a)


class Atan(Elementwise):
    """``atan'(x) = 1 / (1 + x^2)``."""

    def forward(self, a):
        self.save(a)
        return self.xp.arctan(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad / (1 + a * a)


class Asinh(Elementwise):
    """``asinh'(x) = 1 / sqrt(x^2 + 1)``."""

    def forward(self, a):
        self.save(a)
        return self.xp.arcsinh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad / self.xp.sqrt(a * a + 1)


class Acosh(Elementwise):
    """``acosh'(x) = 1 / sqrt(x^2 - 1)`` (NaN below 1)."""

    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.arccosh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad / self.xp.sqrt(a * a - 1)


class Atanh(Elementwise):
    """``atanh'(x) = 1 / (1 - x^2)`` (inf at +-1)."""

    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.arctanh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad / (1 - a * a)


class Atan2(Elementwise):
    """The angle of the point ``(x, y)``, ``atan2(y, x)``: its gradient is
    ``(x, -y) / (x^2 + y^2)`` for ``(y, x)`` (NaN at the origin, as in PyTorch)."""

    def forward(self, y, x):
        self.save(y, x)
        return self.xp.arctan2(y, x)

    def backward(self, grad):
        y, x = self.saved
        with quiet(self.xp):
            scale = grad / (x * x + y * y)
            return scale * x, -scale * y


class Hypot(Elementwise):
    """``sqrt(a^2 + b^2)`` without overflow; its gradient is ``(a, b) / hypot`` (NaN at the
    origin, as in PyTorch)."""

    def forward(self, a, b):
        out = self.xp.hypot(a, b)
        self.save(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        with quiet(self.xp):
            scale = grad / out
            return scale * a, scale * b
