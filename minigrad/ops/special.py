"""The gamma family and the inverse error function: ``lgamma``, ``digamma``, ``polygamma``
and ``erfinv``, each an array function (NumPy and CuPy have none of them; SciPy is not a
dependency) and a primitive whose backward is the next function of the family:
``lgamma' = digamma``, ``digamma' = polygamma(1)``, ``polygamma(n)' = polygamma(n + 1)``,
``erfinv'(y) = sqrt(pi) / 2 * exp(erfinv(y)^2)``.

The methods are the textbook ones, accurate to float64 rounding:

* ``lgamma``: Lanczos' approximation (g = 7, 9 terms) for x >= 1/2, the reflection
  ``lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)`` below.
* ``digamma``: the recurrence ``psi(x) = psi(x + 1) - 1/x`` up to x >= 10, then the
  asymptotic series in ``1/x^2``; the reflection ``psi(x) = psi(1 - x) - pi / tan(pi x)``
  for x < 0.
* ``polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x)``, the Hurwitz zeta function summed
  directly up to ``x + k >= 10 + 2n`` and finished with Euler-Maclaurin.
* ``erfinv``: Giles' (2010) polynomial as the first guess, then Newton steps on ``erf``
  (on ``log erfc`` in the tails, where ``1 - y`` holds the precision).

At the poles they give PyTorch's values: ``lgamma`` inf at 0, -1, -2, ...; ``digamma``
-inf at 0 and NaN at the negative integers.
"""

from __future__ import annotations

import math

from ..autograd import Elementwise
from ..backend import quiet
from . import activations as _erf

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905,
            -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)  # fmt: skip
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Bernoulli numbers B_2, B_4, ..., B_14: the asymptotic series of digamma and the
# Euler-Maclaurin tail of the Hurwitz zeta function.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _sin_pi(x, xp):
    """``sin(pi x)``, reduced first so that it is exact at the integers."""
    return xp.sin(math.pi * (x - xp.round(x)))


def _non_positive_integer(x, xp):
    return (x <= 0) & (x == xp.floor(x))


def lgamma(x, xp):
    """``log |Gamma(x)|`` of a float array, elementwise (computed in float64)."""
    dtype, x = x.dtype, x.astype(xp.float64)
    with quiet(xp):
        reflect = x < 0.5
        z = xp.where(reflect, 1.0 - x, x) - 1.0  # Lanczos' series is for z + 1 >= 1/2
        series = xp.full(x.shape, _LANCZOS[0], dtype=x.dtype)
        for i, c in enumerate(_LANCZOS[1:], 1):
            series = series + c / (z + i)
        t = z + _LANCZOS_G + 0.5
        right = _HALF_LOG_2PI + (z + 0.5) * xp.log(t) - t + xp.log(series)
        left = math.log(math.pi) - xp.log(xp.abs(_sin_pi(x, xp))) - right
        out = xp.where(reflect, left, right)
        out = xp.where(_non_positive_integer(x, xp) | xp.isinf(x), math.inf, out)
        out = xp.where((x == 1.0) | (x == 2.0), 0.0, out)  # exact where Gamma is 1
    return out.astype(dtype, copy=False)


def digamma(x, xp):
    """``psi(x) = d/dx log Gamma(x)`` of a float array, elementwise (in float64)."""
    dtype, x = x.dtype, x.astype(xp.float64)
    with quiet(xp):
        reflect = x < 0
        y = xp.where(reflect, 1.0 - x, x)
        shift = xp.zeros_like(y)
        for _ in range(10):  # psi(y) = psi(y + 1) - 1/y, until y >= 10
            small = y < 10.0
            shift = shift - xp.where(small, 1.0 / y, 0.0)
            y = xp.where(small, y + 1.0, y)
        w = 1.0 / (y * y)
        tail = xp.zeros_like(y)
        for k in range(len(_BERNOULLI), 0, -1):
            tail = (tail + _BERNOULLI[k - 1] / (2 * k)) * w
        out = xp.log(y) - 0.5 / y - tail + shift
        out = xp.where(reflect, out - math.pi / xp.tan(math.pi * (x - xp.round(x))), out)
        out = xp.where(_non_positive_integer(x, xp), xp.nan, out)
        out = xp.where(x == 0, -math.inf, out)
    return out.astype(dtype, copy=False)


def polygamma(n: int, x, xp):
    """The n-th derivative of digamma (n >= 1) of a float array, elementwise (in
    float64)."""
    dtype, x = x.dtype, x.astype(xp.float64)
    s = n + 1.0
    target = 10.0 + 2 * n
    with quiet(xp):
        finite = x[xp.isfinite(x)]
        lowest = float(finite.min()) if finite.size else target
        a, total = x, xp.zeros_like(x)
        for _ in range(max(0, math.ceil(target - lowest))):
            small = a < target
            total = total + xp.where(small, a**-s, 0.0)
            a = xp.where(small, a + 1.0, a)
        # Euler-Maclaurin: a^(1-s)/(s-1) + a^-s/2 + sum_j B_2j/(2j)! s(s+1)..(s+2j-2) a^(1-s-2j)
        total = total + a ** (1.0 - s) / (s - 1.0) + 0.5 * a**-s
        rising, power, factorial = s, a ** (-s - 1.0), 2.0
        for j, b in enumerate(_BERNOULLI, 1):
            total = total + b / factorial * rising * power
            rising *= (s + 2 * j - 1) * (s + 2 * j)
            factorial *= (2 * j + 1) * (2 * j + 2)
            power = power / (a * a)
    sign = 1.0 if n % 2 else -1.0
    return (sign * math.factorial(n) * total).astype(dtype, copy=False)


def polygamma_any(n: int, x, xp):
    """``polygamma(n, x)`` for any n >= 0 (0: digamma)."""
    return digamma(x, xp) if n == 0 else polygamma(n, x, xp)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# Giles (2010), "Approximating the erfinv function": two polynomials in w = -log(1 - y^2).
_GILES_CENTRAL = (
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
               0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)  # fmt: skip


def erfinv(y, xp):
    """The inverse error function of a float array: ``erf(erfinv(y)) = y`` on (-1, 1),
    +-inf at +-1, NaN outside."""
    with quiet(xp):
        w = -xp.log((1.0 - y) * (1.0 + y))
        central, tail = w - 2.5, xp.sqrt(w) - 3.0
        p = xp.where(w < 5.0, _GILES_CENTRAL[0], _GILES_TAIL[0])
        for c, t in zip(_GILES_CENTRAL[1:], _GILES_TAIL[1:]):
            p = xp.where(w < 5.0, c + p * central, t + p * tail)
        x = (p * y).astype(xp.float64)  # refined in float64, whatever y's dtype
        target, ay = y.astype(xp.float64), xp.abs(y).astype(xp.float64)
        for _ in range(4):
            # Newton on erf(x) = y near 0; in the tails on log erfc(|x|) = log(1 - |y|),
            # nearly quadratic in x there, so that steps from a rough guess converge
            ax = xp.abs(x)
            slope = _TWO_OVER_SQRT_PI * xp.exp(-ax * ax)
            near = (_erf.erf(x, xp) - target) / slope
            upper = _erf.erfc(ax, xp)
            far = -xp.sign(x) * (xp.log(upper) - xp.log(1.0 - ay)) * upper / slope
            step = xp.where(ay < 0.5, near, far)
            x = x - xp.where(xp.isfinite(step), step, 0.0)
        x = xp.where(ay == 1.0, xp.sign(y) * math.inf, x)
        x = xp.where((ay > 1.0) | xp.isnan(y), xp.nan, x)
    return x.astype(y.dtype, copy=False)


# ----------------------------------------------------------------------------------------
# The primitives
# ----------------------------------------------------------------------------------------


class Lgamma(Elementwise):
    """``log |Gamma(x)|``; backward ``g digamma(x)``."""

    def forward(self, a):
        self.save(a)
        return lgamma(a, self.xp)

    def backward(self, grad):
        (a,) = self.saved
        return grad * digamma(a, self.xp)


class Polygamma(Elementwise):
    """``polygamma(n, x)`` (n = 0: digamma); backward ``g polygamma(n + 1, x)``."""

    def forward(self, a, n):
        self.save(a)
        self.n = n
        return polygamma_any(n, a, self.xp)

    def backward(self, grad):
        (a,) = self.saved
        return grad * polygamma(self.n + 1, a, self.xp)


class Erfinv(Elementwise):
    """The inverse error function; backward ``g sqrt(pi) / 2 exp(erfinv(y)^2)``."""

    def forward(self, a):
        out = erfinv(a, self.xp)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1.0 / _TWO_OVER_SQRT_PI) * self.xp.exp(out * out)
