"""Elementwise primitives: arithmetic, activations, comparisons-with-gradients.

Each class is one op. ``forward`` gets arrays (or Python numbers, for scalar operands) and
saves what ``backward`` needs; ``backward`` gets the output gradient and returns one
gradient per input. Broadcasting is not handled here: the engine sums gradients back to
each operand's shape (``autograd.sum_to``).

Where a gradient passes in some places and not others (ReLU, clamp, the winner of a
maximum), it is *selected* with ``where``, never multiplied by a 0/1 mask: an infinite or
NaN output gradient times 0 is NaN, and PyTorch gives 0 there.
"""

from __future__ import annotations

import math

from ..autograd import Elementwise
from ..backend import quiet


class Add(Elementwise):
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Elementwise):
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, -grad if self.needs_input_grad[1] else None


class Mul(Elementwise):
    def forward(self, a, b):
        # Each operand's gradient needs only the other one: saving just what is needed is
        # what PyTorch does, so an in-place write into the other spoils the same gradients.
        need_a, need_b = self.needs_input_grad
        self.save(a if need_b else None, b if need_a else None)
        return a * b

    def backward(self, grad):
        a, b = self.saved
        ga = grad * b if self.needs_input_grad[0] else None
        gb = grad * a if self.needs_input_grad[1] else None
        return ga, gb


class Div(Elementwise):
    """``a / b``. The divisor's gradient, ``-a / b**2``, comes from the saved operands;
    for a number over a tensor, from the saved reciprocal ``r = 1 / b`` (``a / b`` is
    ``a * r``, with gradient ``-a * r**2``). PyTorch saves the same arrays, so an in-place
    write into a tensor later (under no_grad) spoils the same gradients in both."""

    def forward(self, a, b):
        self.over_number = isinstance(a, int | float)
        with quiet(self.xp):
            if self.over_number:
                self.numerator = a
                r = 1 / b
                self.save(None, r)
                return a * r
            self.save(a if self.needs_input_grad[1] else None, b)
            return a / b

    def backward(self, grad):
        if self.over_number:
            (_, r) = self.saved
            with quiet(self.xp):
                return None, -grad * self.numerator * r * r
        a, b = self.saved
        with quiet(self.xp):
            ga = grad / b
            gb = -ga * a / b if self.needs_input_grad[1] else None
        return ga if self.needs_input_grad[0] else None, gb


class Pow(Elementwise):
    """``a ** b`` where either side may be a tensor or a number."""

    def forward(self, a, b):
        with quiet(self.xp):
            out = _power(self.xp, a, b)
        # The output is needed for the exponent's gradient only, but PyTorch saves it for
        # any tensor exponent (not for a number), so an in-place write into the output
        # makes backward refuse there, as here.
        self.save(a, b, None if isinstance(b, int | float) else out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        xp = self.xp
        ga = gb = None
        with quiet(xp):
            if self.needs_input_grad[0]:
                # b * a**(b-1), defined as 0 where b == 0 (even at a == 0), as in PyTorch
                # (whose exception is for a number equal to 0: False is not one).
                if isinstance(b, int | float):  # a number: decide here, not per element
                    zero = b == 0 and type(b) is not bool
                    ga = xp.zeros_like(grad) if zero else grad * b * _power(xp, a, b - 1)
                else:
                    ga = xp.where(b == 0, 0, grad * b * a ** (b - 1))
            if self.needs_input_grad[1]:
                # a**b * log(a), defined as 0 where a == 0 and b >= 0 (the limit exists);
                # grad multiplies that 0 too, as in PyTorch (an infinite grad gives NaN).
                if isinstance(a, int | float):  # a number base, as in 2 ** x
                    if a == 0:  # 0 ** b is flat for b >= 0 and infinite below
                        gb = grad * xp.where(b >= 0, 0, out * -math.inf)
                    else:
                        gb = grad * out * (math.log(a) if a > 0 else math.nan)
                else:
                    gb = grad * xp.where((a == 0) & (b >= 0), 0, out * xp.log(a))
        return ga, gb


def _power(xp, a, b):
    """``a ** b``, where a number exponent of -0.5 is ``1 / sqrt(a)``, as in PyTorch (whose
    ``rsqrt`` gives NaN at -inf and -inf at -0.0, where ``pow`` gives 0 and inf)."""
    if isinstance(b, float) and b == -0.5 and getattr(a, "dtype", None) is not None:
        return 1 / xp.sqrt(a)
    return a**b


class Neg(Elementwise):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Exp(Elementwise):
    def forward(self, a):
        with quiet(self.xp):
            out = self.xp.exp(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out


class Log(Elementwise):
    def forward(self, a):
        self.save(a)
        with quiet(self.xp):
            return self.xp.log(a)

    def backward(self, grad):
        (a,) = self.saved
        with quiet(self.xp):
            return grad / a


class Sqrt(Elementwise):
    def forward(self, a):
        with quiet(self.xp):
            out = self.xp.sqrt(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        with quiet(self.xp):
            return grad / (2 * out)  # inf at 0, as in PyTorch


class Tanh(Elementwise):
    def forward(self, a):
        out = self.xp.tanh(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 - out * out)


class Sigmoid(Elementwise):
    def forward(self, a):
        # 1 / (1 + exp(-a)). For a << 0, exp(-a) overflows to inf and the result is
        # 1 / inf = 0, the correctly rounded answer (as in PyTorch); quiet() keeps NumPy
        # from warning about that overflow. Four passes over one new array, in place.
        xp = self.xp
        out = xp.empty_like(a)  # an array even for 0-d input (NumPy's ufuncs give a scalar)
        xp.negative(a, out=out)
        with quiet(xp):
            xp.exp(out, out=out)
        out += 1
        xp.reciprocal(out, out=out)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out * (1 - out)


class ReLU(Elementwise):
    def forward(self, a):
        out = self.xp.maximum(a, 0)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        # Blocked where the output is <= 0, so a NaN (whose output is NaN) passes its
        # gradient, as in PyTorch; a blocked inf or NaN gradient gives 0, not inf * 0.
        return self.xp.where(out <= 0, 0, grad)


class Abs(Elementwise):
    def forward(self, a):
        self.save(a)
        return self.xp.abs(a)

    def backward(self, grad):
        (a,) = self.saved
        xp = self.xp
        return grad * xp.where(xp.isnan(a), 0, xp.sign(a))  # PyTorch's sgn(nan) is 0


class Maximum(Elementwise):
    """Elementwise max. Where both are equal the gradient is split between them."""

    def forward(self, a, b):
        self.save(a, b)
        return self.xp.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved
        return _split_by_winner(self.xp, grad, a, b, a < b, a > b, self.needs_input_grad)


class Minimum(Elementwise):
    """Elementwise min. Where both are equal the gradient is split between them."""

    def forward(self, a, b):
        self.save(a, b)
        return self.xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved
        return _split_by_winner(self.xp, grad, a, b, a > b, a < b, self.needs_input_grad)


def _split_by_winner(xp, grad, a, b, a_loses, b_loses, needs):
    """Gradient of a two-way selection, PyTorch's rule: all of it to the winner, half to
    each on a tie, and all to both where either is NaN (a NaN loses no comparison)."""
    share = xp.where(a == b, grad * 0.5, grad)
    ga = xp.where(a_loses, 0, share) if needs[0] else None
    gb = xp.where(b_loses, 0, share) if needs[1] else None
    return ga, gb


class Clamp(Elementwise):
    """Clamp to [low, high] (either may be None). The gradient passes where the input is
    inside the closed interval, as in PyTorch."""

    def forward(self, a, low=None, high=None):
        xp = self.xp
        out = a
        if low is not None:
            out = xp.maximum(out, low)
        if high is not None:
            out = xp.minimum(out, high)
        self.save(a)
        self.low, self.high = low, high
        return out

    def backward(self, grad):
        (a,) = self.saved
        inside = True
        if self.low is not None:
            inside = a >= self.low
        if self.high is not None:
            inside = inside & (a <= self.high)
        return self.xp.where(inside, grad, 0)


class ClampByTensors(Elementwise):
    """Clamp to tensor bounds ``low`` and/or ``high`` (either may be None; all broadcast).

    ``max(a, low)`` then ``min(., high)``, with PyTorch's gradients: the input's where it
    lies inside ``[low, high]`` (ties included: a value equal to a bound passes through),
    ``low``'s where the input is below it, ``high``'s where the input is above it. Where
    ``low > high`` the result is ``high``, and so is the gradient.
    """

    def forward(self, a, low, high):
        xp = self.xp
        out = a if low is None else xp.maximum(a, low)
        if high is not None:
            out = xp.minimum(out, high)
        self.save(a, low, high)
        return out

    def backward(self, grad):
        a, low, high = self.saved
        where = self.xp.where
        if high is None:
            return where(a >= low, grad, 0), where(a < low, grad, 0), None
        if low is None:
            return where(a <= high, grad, 0), None, where(a > high, grad, 0)
        inside = (a >= low) & (a <= high)
        to_low, to_high = (a < low) & (low < high), (a > high) | (high < low)
        return where(inside, grad, 0), where(to_low, grad, 0), where(to_high, grad, 0)


class Where(Elementwise):
    """``where(condition, a, b)``: ``a`` where the condition holds, else ``b``."""

    def forward(self, condition, a, b):
        self.save(condition)
        return self.xp.where(condition, a, b)

    def backward(self, grad):
        (condition,) = self.saved
        xp = self.xp
        ga = xp.where(condition, grad, 0) if self.needs_input_grad[1] else None
        gb = xp.where(condition, 0, grad) if self.needs_input_grad[2] else None
        return None, ga, gb


class LeakyReLU(Elementwise):
    """``a`` where positive, ``slope * a`` elsewhere (gradient ``slope`` at 0, as PyTorch)."""

    keeps = (0,)  # the input, as PyTorch (not the mask kept here)

    def forward(self, a, slope):
        positive = a > 0
        self.save(positive)
        self.slope = slope
        return self.xp.where(positive, a, a * slope)

    def backward(self, grad):
        (positive,) = self.saved
        return self.xp.where(positive, grad, grad * self.slope)
