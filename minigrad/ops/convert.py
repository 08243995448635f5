"""Copies, dtype casts and device moves: differentiable, so gradients find their way back."""

from __future__ import annotations

from ..autograd import Elementwise


class Clone(Elementwise):
    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return grad


class Cast(Elementwise):
    """Change the dtype. The gradient goes back unchanged: the engine casts every gradient
    to the dtype of the input it belongs to."""

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad


class ToDevice(Elementwise):
    """Copy to another device; the gradient is copied back."""

    def forward(self, a, source, target):
        self.source = source
        self.out_device = target
        return target.move(a)

    def backward(self, grad):
        return self.source.move(grad)
