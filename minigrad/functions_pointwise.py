"""More elementwise functions: the rest of trigonometry (``tan``, the inverse and inverse
hyperbolic functions, ``atan2``, ``hypot``), the error function, powers and logarithms in
other bases (``square``, ``rsqrt``, ``reciprocal``, ``log2``, ``log10``, ``exp2``,
``float_power``), the fused updates that optimizers and EMAs write (``lerp``,
``addcmul``, ``addcdiv``), ``logaddexp``, ``xlogy``, ``logit``, ``nan_to_num``, and the
tests ``signbit``, ``isposinf``, ``isneginf``, ``isin`` and ``logical_xor``.

Each is one primitive (``ops/trig.py``, ``ops/pointwise.py``) or a composition of core
functions whose gradient is the function's own; where PyTorch computes a value by a
particular formula (``lerp``'s two branches), the composition follows it.
"""

from __future__ import annotations

import math

from . import dtypes as _dtypes
from .functions import (
    _check_tensor,
    _unary_float,
    clamp,
    log,
    where,
)
from .functions.args import _binary, _promote, cast
from .functions_math import trunc
from .ops import pointwise, trig
from .tensor import Tensor

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _float(input: Tensor, name: str) -> Tensor:
    """``input``, cast to the default float dtype if it is an integer or bool tensor."""
    _check_tensor(input, name)
    return input if input.is_floating_point() else cast(input, _dtypes.get_default_dtype())


def _binary_float(op, name: str, a, b, numbers: bool = False) -> Tensor:
    """``op`` on ``a`` and ``b`` promoted to one dtype, a float one (ints become float32).
    Both must be tensors unless ``numbers`` (PyTorch's ``xlogy`` takes a number too)."""
    for position, x in enumerate((a, b), 1):
        if not isinstance(x, Tensor) and not (numbers and type(x) in (int, float)):
            raise TypeError(
                f"{name}(): argument '{('input', 'other')[position - 1]}' (position "
                f"{position}) must be Tensor, not {type(x).__name__}"
            )
    pa, pb = _promote(a, b)
    pa = _float(pa, name) if isinstance(pa, Tensor) else float(pa)
    pb = _float(pb, name) if isinstance(pb, Tensor) else float(pb)
    return _binary(op, name, pa, pb, given=(a, b))


# ----------------------------------------------------------------------------------------
# Trigonometry
# ----------------------------------------------------------------------------------------


def tan(input: Tensor) -> Tensor:
    """The tangent, elementwise (radians).

    Example:
        >>> import minigrad
        >>> minigrad.tan(minigrad.tensor([0.0, 0.7853982]))
        tensor([0., 1.])
    """
    return _unary_float(trig.Tan, "tan", input)


def asin(input: Tensor) -> Tensor:
    """The inverse sine (NaN outside [-1, 1]); ``arcsin`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.asin(minigrad.tensor([0.0, 1.0]))
        tensor([0.0000, 1.5708])
    """
    return _unary_float(trig.Asin, "asin", input)


def acos(input: Tensor) -> Tensor:
    """The inverse cosine (NaN outside [-1, 1]); ``arccos`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.acos(minigrad.tensor([1.0, 0.0]))
        tensor([0.0000, 1.5708])
    """
    return _unary_float(trig.Acos, "acos", input)


def atan(input: Tensor) -> Tensor:
    """The inverse tangent; ``arctan`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.atan(minigrad.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7854])
    """
    return _unary_float(trig.Atan, "atan", input)


def asinh(input: Tensor) -> Tensor:
    """The inverse hyperbolic sine; ``arcsinh`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.asinh(minigrad.tensor([0.0]))
        tensor([0.])
    """
    return _unary_float(trig.Asinh, "asinh", input)


def acosh(input: Tensor) -> Tensor:
    """The inverse hyperbolic cosine (NaN below 1); ``arccosh`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.acosh(minigrad.tensor([1.0]))
        tensor([0.])
    """
    return _unary_float(trig.Acosh, "acosh", input)


def atanh(input: Tensor) -> Tensor:
    """The inverse hyperbolic tangent (inf at +-1, NaN beyond); ``arctanh`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.atanh(minigrad.tensor([0.0]))
        tensor([0.])
    """
    return _unary_float(trig.Atanh, "atanh", input)


def atan2(input, other) -> Tensor:
    """The angle in (-pi, pi] of the point ``(other, input)``, i.e. ``atan(input / other)``
    in the right quadrant; ``arctan2`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.atan2(minigrad.tensor([1.0, 1.0]), minigrad.tensor([1.0, -1.0]))
        tensor([0.7854, 2.3562])
    """
    return _binary_float(trig.Atan2, "atan2", input, other)


def hypot(input, other) -> Tensor:
    """``sqrt(input^2 + other^2)``, without overflow or underflow on the way.

    Example:
        >>> import minigrad
        >>> minigrad.hypot(minigrad.tensor([3.0, 1e30]), minigrad.tensor([4.0, 1e30]))
        tensor([5.0000e+00, 1.4142e+30])
    """
    return _binary_float(trig.Hypot, "hypot", input, other)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians.

    Example:
        >>> import minigrad
        >>> minigrad.deg2rad(minigrad.tensor([180.0]))
        tensor([3.1416])
    """
    return _float(input, "deg2rad") * (math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees.

    Example:
        >>> import minigrad
        >>> minigrad.rad2deg(minigrad.tensor([3.14159265]))
        tensor([180.])
    """
    return _float(input, "rad2deg") * (180.0 / math.pi)


# ----------------------------------------------------------------------------------------
# The error function, powers and logarithms
# ----------------------------------------------------------------------------------------


def erf(input: Tensor) -> Tensor:
    """The error function, ``2 / sqrt(pi) * integral from 0 to x of exp(-t^2) dt``.

    Example:
        >>> import minigrad
        >>> minigrad.erf(minigrad.tensor([0.0, 1.0, -3.0]))
        tensor([ 0.0000,  0.8427, -1.0000])
    """
    return pointwise.Erf.apply(_float(input, "erf"), complement=False)


def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(x)``, accurate where it is tiny.

    Example:
        >>> import minigrad
        >>> minigrad.erfc(minigrad.tensor([0.0, 5.0]))
        tensor([1.0000e+00, 1.5375e-12])
    """
    return pointwise.Erf.apply(_float(input, "erfc"), complement=True)


def square(input: Tensor) -> Tensor:
    """``input * input``.

    Example:
        >>> import minigrad
        >>> minigrad.square(minigrad.tensor([-2.0, 3.0]))
        tensor([4., 9.])
    """
    _check_tensor(input, "square")
    return input * input


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)`` (inf at 0, NaN below).

    Example:
        >>> import minigrad
        >>> minigrad.rsqrt(minigrad.tensor([4.0, 0.25]))
        tensor([0.5000, 2.0000])
    """
    return _float(input, "rsqrt") ** -0.5


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input`` (inf at 0); integer tensors give float32, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.reciprocal(minigrad.tensor([2, 4]))
        tensor([0.5000, 0.2500])
    """
    return 1.0 / _float(input, "reciprocal")


def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm.

    Example:
        >>> import minigrad
        >>> minigrad.log2(minigrad.tensor([1.0, 8.0]))
        tensor([0., 3.])
    """
    return log(_float(input, "log2")) / _LN2


def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm.

    Example:
        >>> import minigrad
        >>> minigrad.log10(minigrad.tensor([1.0, 1000.0]))
        tensor([0., 3.])
    """
    return log(_float(input, "log10")) / _LN10


def exp2(input: Tensor) -> Tensor:
    """``2 ** input``, exact at integers.

    Example:
        >>> import minigrad
        >>> minigrad.exp2(minigrad.tensor([3.0, -1.0]))
        tensor([8.0000, 0.5000])
    """
    return 2.0 ** _float(input, "exp2")


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in float64, whatever the operands' dtypes.

    Example:
        >>> import minigrad
        >>> minigrad.float_power(minigrad.tensor([2, 3]), 2)
        tensor([4., 9.], dtype=minigrad.float64)
    """
    as_double = [cast(x, _dtypes.float64) if isinstance(x, Tensor) else float(x)
                 for x in (input, exponent)]  # fmt: skip
    return as_double[0] ** as_double[1]


def true_divide(dividend, divisor) -> Tensor:
    """``dividend / divisor``, true (float) division: :func:`minigrad.div`.

    Example:
        >>> import minigrad
        >>> minigrad.true_divide(minigrad.tensor([3]), 2)
        tensor([1.5000])
    """
    return dividend / divisor


def fix(input: Tensor) -> Tensor:
    """Round towards zero: :func:`minigrad.trunc`.

    Example:
        >>> import minigrad
        >>> minigrad.fix(minigrad.tensor([-1.7, 1.7]))
        tensor([-1.,  1.])
    """
    return trunc(input)


def frac(input: Tensor) -> Tensor:
    """The fractional part, ``input - trunc(input)`` (with the sign of ``input``).

    Example:
        >>> import minigrad
        >>> minigrad.frac(minigrad.tensor([-1.25, 2.5]))
        tensor([-0.2500,  0.5000])
    """
    _check_tensor(input, "frac")
    if not input.is_floating_point():
        raise RuntimeError(
            f"frac is only implemented for floating point tensors, got {input.dtype}"
        )
    return input - trunc(input)


def positive(input: Tensor) -> Tensor:
    """``input`` itself (PyTorch's unary ``+``; refused for bool tensors).

    Example:
        >>> import minigrad
        >>> minigrad.positive(minigrad.tensor([-1.0]))
        tensor([-1.])
    """
    _check_tensor(input, "positive")
    if input.dtype == _dtypes.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ----------------------------------------------------------------------------------------
# Fused updates
# ----------------------------------------------------------------------------------------


def lerp(input: Tensor, end, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``: ``weight`` 0 gives
    ``input``, 1 gives ``end``. As in PyTorch, from ``end``'s side when ``weight >= 0.5``
    (``end - (end - input) * (1 - weight)``), so that both ends are exact. (An
    exponential moving average: ``avg = avg.lerp(x, 0.1)``.)

    Example:
        >>> import minigrad
        >>> minigrad.lerp(minigrad.tensor([0.0, 10.0]), minigrad.tensor([10.0, 20.0]), 0.25)
        tensor([ 2.5000, 12.5000])
    """
    _check_tensor(input, "lerp")
    difference = end - input
    if not isinstance(weight, Tensor):
        weight = float(weight)
        if weight < 0.5:
            return input + weight * difference
        return end - difference * (1.0 - weight)
    low = input + weight * difference
    high = end - difference * (1.0 - weight)
    return where(weight.abs() < 0.5, low, high)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (the three broadcast).

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2)
        >>> minigrad.addcmul(x, minigrad.tensor([1.0, 2.0]), minigrad.tensor([3.0, 4.0]), value=0.5)
        tensor([2.5000, 5.0000])
    """
    _check_tensor(input, "addcmul")
    return input + value * (tensor1 * tensor2)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (the three broadcast); integer divisions are
    refused, as in PyTorch.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2)
        >>> minigrad.addcdiv(x, minigrad.tensor([1.0, 2.0]), minigrad.tensor([4.0, 4.0]), value=2)
        tensor([0.5000, 1.0000])
    """
    _check_tensor(input, "addcdiv")
    if not tensor1.is_floating_point() and not tensor2.is_floating_point():
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2."
        )
    return input + value * (tensor1 / tensor2)


# ----------------------------------------------------------------------------------------
# Log-domain helpers
# ----------------------------------------------------------------------------------------


def logaddexp(input, other) -> Tensor:
    """``log(exp(input) + exp(other))``, without overflow: adds probabilities kept as logs.

    Example:
        >>> import minigrad
        >>> minigrad.logaddexp(minigrad.tensor([100.0]), minigrad.tensor([100.0]))
        tensor([100.6931])
    """
    return _binary_float(pointwise.LogAddExp, "logaddexp", input, other)


def logaddexp2(input, other) -> Tensor:
    """``log2(2 ** input + 2 ** other)``, without overflow.

    Example:
        >>> import minigrad
        >>> minigrad.logaddexp2(minigrad.tensor([3.0]), minigrad.tensor([3.0]))
        tensor([4.])
    """
    for position, x in enumerate((input, other), 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"logaddexp2(): argument '{('input', 'other')[position - 1]}' (position "
                f"{position}) must be Tensor, not {type(x).__name__}"
            )
    return logaddexp(input * _LN2, other * _LN2) / _LN2


def xlogy(input, other) -> Tensor:
    """``input * log(other)``, but 0 where ``input`` is 0 (even if ``other`` is 0), as in
    entropies and KL divergences (``0 log 0 = 0``); NaN if ``other`` is NaN.

    Example:
        >>> import minigrad
        >>> minigrad.xlogy(minigrad.tensor([0.0, 2.0]), minigrad.tensor([0.0, 1.0]))
        tensor([0., 0.])
    """
    return _binary_float(pointwise.Xlogy, "xlogy", input, other, numbers=True)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, the inverse of the sigmoid; with ``eps``, ``p`` is first
    clamped to ``[eps, 1 - eps]`` (and the gradient is 0 outside it).

    Example:
        >>> import minigrad
        >>> minigrad.logit(minigrad.tensor([0.5, 0.75]))
        tensor([0.0000, 1.0986])
        >>> minigrad.logit(minigrad.tensor([0.0]), eps=1e-6)
        tensor([-13.8155])
    """
    p = _float(input, "logit")
    if eps is not None:
        p = clamp(p, eps, 1.0 - eps)
    return log(p / (1.0 - p))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """``input`` with NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf``
    (by default the dtype's largest and smallest finite values). The gradient flows where
    the input was finite.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([float("nan"), float("inf"), -float("inf"), 1.0])
        >>> minigrad.nan_to_num(x, posinf=100.0, neginf=-100.0)
        tensor([   0.,  100., -100.,    1.])
    """
    _check_tensor(input, "nan_to_num")
    if not input.is_floating_point():
        return input.clone()
    info = _dtypes.finfo(input.dtype)  # the dtype's largest and smallest finite values
    high = info.max if posinf is None else posinf
    low = info.min if neginf is None else neginf
    xp = input.device.xp
    data = input._data
    out = where(Tensor._wrap(xp.isnan(data), input.device), float(nan), input)
    out = where(Tensor._wrap(xp.isposinf(data), input.device), float(high), out)
    return where(Tensor._wrap(xp.isneginf(data), input.device), float(low), out)


# ----------------------------------------------------------------------------------------
# Tests (bool results, no gradient)
# ----------------------------------------------------------------------------------------


def _test(name: str, test, *inputs) -> Tensor:
    for x in inputs:
        _check_tensor(x, name)
    device = inputs[0].device
    with device.activate():
        return Tensor._wrap(test(device.xp, *(x._data for x in inputs)), device)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: negative numbers, and -0.0.

    Example:
        >>> import minigrad
        >>> minigrad.signbit(minigrad.tensor([-1.0, -0.0, 0.0, 2.0]))
        tensor([ True,  True, False, False])
    """
    return _test("signbit", lambda xp, a: xp.signbit(a), input)


def isposinf(input: Tensor) -> Tensor:
    """True where an element is +inf.

    Example:
        >>> import minigrad
        >>> minigrad.isposinf(minigrad.tensor([float("inf"), -float("inf")]))
        tensor([ True, False])
    """
    return _test("isposinf", lambda xp, a: xp.isposinf(a), input)


def isneginf(input: Tensor) -> Tensor:
    """True where an element is -inf.

    Example:
        >>> import minigrad
        >>> minigrad.isneginf(minigrad.tensor([float("inf"), -float("inf")]))
        tensor([False,  True])
    """
    return _test("isneginf", lambda xp, a: xp.isneginf(a), input)


def isin(elements, test_elements, *, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` is one of ``test_elements`` (a tensor or a
    number); with ``invert``, where it is not.

    Example:
        >>> import minigrad
        >>> minigrad.isin(minigrad.tensor([1, 2, 3, 4]), minigrad.tensor([2, 4]))
        tensor([False,  True, False,  True])
    """
    _check_tensor(elements, "isin")
    xp = elements.device.xp
    tests = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    with elements.device.activate():
        found = xp.isin(elements._data, tests, invert=invert)
    return Tensor._wrap(found, elements.device)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise exclusive or of the truth values (non-zero is True).

    Example:
        >>> import minigrad
        >>> minigrad.logical_xor(minigrad.tensor([1, 0, 2]), minigrad.tensor([1, 1, 0]))
        tensor([False,  True,  True])
    """
    return _test("logical_xor", lambda xp, a, b: xp.logical_xor(a, b), input, other)


# NumPy's names, which PyTorch has too.
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh
