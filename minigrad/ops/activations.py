"""Smooth activation primitives: GELU (exact and tanh), SiLU and Softplus.

Each is one :class:`~minigrad.autograd.Elementwise` Function: ``forward`` on arrays, the
textbook derivative in ``backward`` beside it. The exact GELU needs the error function, which NumPy
does not have; :func:`erfc` below computes it with ``xp`` arithmetic alone, so the same code
runs on NumPy and CuPy.
"""

from __future__ import annotations

import math

from ..autograd import Elementwise
from ..backend import quiet

# ----------------------------------------------------------------------------------------
# The error function, from W. J. Cody's rational Chebyshev approximations ("Rational
# Chebyshev approximations for the error function", Math. Comp. 23, 1969; Netlib's
# specfun/calerf, the same tables that SciPy and many C libraries use). Evaluated in
# float64 they agree with math.erf/math.erfc to about 1e-15 relative error; in float32, to
# a few float32 ulps (tests/test_nn_activations.py checks both against math.erfc).
# ----------------------------------------------------------------------------------------

# erf(y) = y * A(y^2) / B(y^2) for |y| <= 0.46875.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)  # fmt: skip
# erfc(y) = exp(-y^2) * C(y) / D(y) for 0.46875 < y <= 4.
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
# erfc(y) = exp(-y^2) / y * (1/sqrt(pi) + P(1/y^2) / (y^2 Q(1/y^2))) for y > 4.
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip
_THRESHOLD = 0.46875
_ERFC_UNDERFLOW = 27.0  # erfc(y) is below the smallest float64 beyond this


def _erf_near_zero(y):
    """erf(y) for |y| <= 0.46875: y times a ratio of two polynomials in y^2."""
    z = y * y
    num, den = _A[4] * z, z
    for a, b in zip(_A[:3], _B[:3]):
        num, den = (num + a) * z, (den + b) * z
    return y * (num + _A[3]) / (den + _B[3])


def _erfc_away_from_zero(y, xp):
    """erfc(y) for y > 0.46875 (the values at smaller y are not used)."""
    with quiet(xp):  # the unused branch of the where() may overflow or divide by 0
        # 0.46875 < y <= 4: erfc(y) exp(y^2) is a ratio of polynomials in y.
        num, den = _C[8] * y, y
        for c, d in zip(_C[:7], _D[:7]):
            num, den = (num + c) * y, (den + d) * y
        middle = (num + _C[7]) / (den + _D[7])
        # y > 4: an asymptotic series in 1/y^2.
        w = 1.0 / (y * y)
        num, den = _P[5] * w, w
        for p, q in zip(_P[:4], _Q[:4]):
            num, den = (num + p) * w, (den + q) * w
        large = (1.0 / math.sqrt(math.pi) - w * (num + _P[4]) / (den + _Q[4])) / y
        # exp(-y^2) as exp(-r^2) exp(-(y - r)(y + r)), r = y rounded down to 1/16: y^2 is
        # not rounded before the exponential, which keeps erfc accurate for large y.
        r = xp.floor(y * 16.0) / 16.0
        out = xp.where(y <= 4.0, middle, large) * (xp.exp(-r * r) * xp.exp(-(y - r) * (y + r)))
    return xp.where(y >= _ERFC_UNDERFLOW, 0.0, out)  # where inf * 0 would give nan


def _at_least_float32(x):
    """float16 computed in float32, as PyTorch does: the polynomials' powers of y pass
    float16's largest value (65504) for |y| of about 4, and their ratio becomes nan."""
    return x.astype("float32") if x.dtype.itemsize < 4 else x


def erfc(x, xp):
    """The complementary error function ``1 - erf(x)`` of an array, elementwise.

    Computed directly, not as ``1 - erf(x)``, so that it keeps its relative accuracy in
    the tail, where it is tiny: what ``Phi(x) = erfc(-x / sqrt(2)) / 2`` needs for x << 0.
    """
    w = _at_least_float32(x)
    y = xp.abs(w)
    with quiet(xp):  # the series near 0 is evaluated (and not used) at inf too
        near = 1.0 - _erf_near_zero(y)
    positive = xp.where(y <= _THRESHOLD, near, _erfc_away_from_zero(y, xp))
    return xp.where(w < 0, 2.0 - positive, positive).astype(x.dtype, copy=False)


def erf(x, xp):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt`` of an array,
    elementwise (near 0 from its own series, so that tiny inputs keep their precision)."""
    w = _at_least_float32(x)
    y = xp.abs(w)
    with quiet(xp):
        near = _erf_near_zero(y)
    positive = xp.where(y <= _THRESHOLD, near, 1.0 - _erfc_away_from_zero(y, xp))
    return (xp.sign(w) * positive).astype(x.dtype, copy=False)


# ----------------------------------------------------------------------------------------
# The primitives
# ----------------------------------------------------------------------------------------

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_SCALE = math.sqrt(2.0 / math.pi)  # PyTorch's kBeta
_TANH_CUBIC = 0.044715  # PyTorch's kKappa


class GELU(Elementwise):
    """``x * Phi(x)``, Phi the standard normal CDF: ``Phi(x) = erfc(-x / sqrt(2)) / 2``.

    The derivative is ``Phi(x) + x * phi(x)``, with phi the normal density
    ``exp(-x^2 / 2) / sqrt(2 pi)``.
    """

    def forward(self, x):
        cdf = 0.5 * erfc(-x * _SQRT_HALF, self.xp)
        self.save(x, cdf)
        return x * cdf

    def backward(self, grad):
        x, cdf = self.saved
        pdf = self.xp.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf)


class GELUTanh(Elementwise):
    """GELU's tanh approximation, ``x/2 * (1 + tanh(u))`` with
    ``u = sqrt(2/pi) * (x + 0.044715 x^3)`` (``approximate='tanh'`` in PyTorch).

    The derivative: ``(1 + t)/2 + x/2 * (1 - t^2) * du/dx``, t = tanh(u),
    ``du/dx = sqrt(2/pi) * (1 + 3 * 0.044715 x^2)``.
    """

    def forward(self, x):
        w = _at_least_float32(x)  # x^3 overflows float16 for |x| > 40 (inf * 0 in backward)
        t = self.xp.tanh(_TANH_SCALE * (w + _TANH_CUBIC * w * w * w))
        self.save(w, t)
        return (0.5 * w * (1.0 + t)).astype(x.dtype, copy=False)

    def backward(self, grad):
        x, t = self.saved
        du = _TANH_SCALE * (1.0 + 3.0 * _TANH_CUBIC * x * x)
        return (grad * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)).astype(
            grad.dtype, copy=False
        )


def _sigmoid(x, xp):
    """``1 / (1 + exp(-x))``: for x << 0, exp(-x) overflows to inf and the result is the
    correctly rounded 0 (quiet() keeps NumPy from warning about it)."""
    with quiet(xp):
        return 1.0 / (1.0 + xp.exp(-x))


class SiLU(Elementwise):
    """``x * sigmoid(x)`` (the swish); derivative ``s * (1 + x * (1 - s))``, s = sigmoid(x)."""

    def forward(self, x):
        s = _sigmoid(x, self.xp)
        self.save(x, s)
        return x * s

    def backward(self, grad):
        x, s = self.saved
        return grad * (s * (1.0 + x * (1.0 - s)))


class Softplus(Elementwise):
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``
    (PyTorch's rule). The derivative is ``sigmoid(beta x)``, and 1 where x is passed through.
    """

    def forward(self, x, beta, threshold):
        xp = self.xp
        bx = x * beta
        # log(1 + exp(t)) = max(t, 0) + log(1 + exp(-|t|)): exp never overflows.
        with quiet(xp):  # no warnings for inf/nan inputs, as in PyTorch
            smooth = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
        self.save(x)
        self.beta, self.threshold = beta, threshold
        return xp.where(bx > threshold, x, smooth).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        bx = x * self.beta
        return self.xp.where(bx > self.threshold, grad, grad * _sigmoid(bx, self.xp))
