"""Trigonometric and hyperbolic primitives: ``sin``, ``cos``, ``sinh``, ``cosh``.

Each derivative is another function of the same family, evaluated at the saved input:
``sin' = cos``, ``cos' = -sin``, ``sinh' = cosh``, ``cosh' = sinh``.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quiet


class Sin(Function):
    def forward(self, a):
        self.save(a)
        return self.xp.sin(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * self.xp.cos(a)


class Cos(Function):
    def forward(self, a):
        self.save(a)
        return self.xp.cos(a)

    def backward(self, grad):
        (a,) = self.saved
        return -grad * self.xp.sin(a)


class Sinh(Function):
    def forward(self, a):
        self.save(a)
        with quiet(self.xp):  # overflow to inf, as in PyTorch
            return self.xp.sinh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad * self.xp.cosh(a)


class Cosh(Function):
    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.cosh(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad * self.xp.sinh(a)
