"""More public math functions: ``std`` and ``logsumexp``, ``log1p`` and ``expm1``, the
rounding functions and ``sign``, the rounded division and remainders (``floor_divide``,
``remainder``, ``fmod``), the tests for NaN, infinity and closeness, and products
(``prod``, ``cumprod``, ``outer``), and the one-sided ``clamp_min`` and ``clamp_max``.

As in ``functions_extra.py``: each checks its arguments, then calls one primitive
(``ops/pointwise.py``, ``ops/reduce.py``) or composes core functions. The tests
(``isnan``, ``isclose``, ...) return bool tensors, which carry no gradient.
"""

from __future__ import annotations

import builtins
import warnings

from . import autocast_mode
from . import dtypes as _dtypes
from .functions import (
    _check_tensor,
    _unary_float,
    clamp,
    normalize_dim,
    normalize_dims,
    numpy_names,
    sqrt,
)
from .functions.args import _binary, cast, clone
from .ops import pointwise, reduce, scan
from .tensor import Tensor


@numpy_names
def std(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> Tensor:
    """The standard deviation over ``dim``, ``sqrt(var)``: unbiased (``correction=1``) by
    default, as :func:`minigrad.var`.

    Example:
        >>> import minigrad
        >>> minigrad.std(minigrad.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.2910)
    """
    _check_tensor(input, "std")
    if not input.is_floating_point():
        raise RuntimeError(
            f"std and var only support floating point and complex dtypes, got {input.dtype}"
        )
    if unbiased is not None and correction is not None:
        raise TypeError("std: pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axis = normalize_dims(dim, input.ndim)
    if reduce._count(input.shape, axis) - correction <= 0:
        warnings.warn(
            "std(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return sqrt(reduce.Var.apply(input, axis=axis, keepdims=keepdim, correction=correction))


@numpy_names
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, without overflow: the largest value is taken
    out first (``m + log(sum(exp(x - m)))``), and a slice whose largest value is infinite
    gives that infinity. Its gradient is the softmax.

    Example:
        >>> import minigrad
        >>> minigrad.logsumexp(minigrad.tensor([1000.0, 1000.0]), dim=0)
        tensor(1000.6932)
    """
    _check_tensor(input, "logsumexp")
    if not input.is_floating_point():
        input = input.float()
    axis = normalize_dims(dim, input.ndim)
    xp, a = input.device.xp, input._data
    with input.device.activate():
        if a.size:
            peak = xp.max(a, axis=axis, keepdims=True)
            peak = xp.where(xp.isinf(peak), 0, peak)  # no shift by inf (inf - inf = nan)
        else:  # nothing to sum: the result is log(0) = -inf
            peak = xp.zeros(
                [1 if axis is None or d in axis else n for d, n in enumerate(a.shape)], a.dtype
            )
    shift = Tensor._wrap(peak, input.device)
    out = (input - shift).exp().sum(axis, keepdim=True).log() + shift
    if keepdim:
        return out
    return out.reshape([n for d, n in enumerate(out.shape) if not (axis is None or d in axis)])


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, exact for small values.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([1e-10])
        >>> minigrad.log1p(x), minigrad.log(1 + x)  # 1 + 1e-10 is 1 in float32
        (tensor([1.0000e-10]), tensor([0.]))
    """
    return _unary_float(pointwise.Log1p, "log1p", input)


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, exact for small values.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([1e-10])
        >>> minigrad.expm1(x), minigrad.exp(x) - 1
        (tensor([1.0000e-10]), tensor([0.]))
    """
    return _unary_float(pointwise.Expm1, "expm1", input)


def _stepwise(input: Tensor, kind: str, decimals: int = 0) -> Tensor:
    _check_tensor(input, kind)
    if input.dtype == _dtypes.bool:
        if kind == "sign":
            return input.clone()  # True is 1 and False 0: their own signs
        raise RuntimeError(f"{kind} is not implemented for bool tensors")
    if kind != "sign" and not input.is_floating_point():
        return input.clone()  # an integer is whole already, as in PyTorch
    return pointwise.Stepwise.apply(input, kind, decimals)


def floor(input: Tensor) -> Tensor:
    """The largest whole number at or below each element (gradient 0).

    Example:
        >>> import minigrad
        >>> minigrad.floor(minigrad.tensor([-1.5, 1.5]))
        tensor([-2.,  1.])
    """
    return _stepwise(input, "floor")


def ceil(input: Tensor) -> Tensor:
    """The smallest whole number at or above each element (gradient 0).

    Example:
        >>> import minigrad
        >>> minigrad.ceil(minigrad.tensor([-1.5, 1.5]))
        tensor([-1.,  2.])
    """
    return _stepwise(input, "ceil")


def trunc(input: Tensor) -> Tensor:
    """Each element rounded towards zero (gradient 0).

    Example:
        >>> import minigrad
        >>> minigrad.trunc(minigrad.tensor([-1.5, 1.5]))
        tensor([-1.,  1.])
    """
    return _stepwise(input, "trunc")


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Each element rounded to ``decimals`` decimal places, halves to even, as in PyTorch
    (gradient 0).

    Example:
        >>> import minigrad
        >>> minigrad.round(minigrad.tensor([0.5, 1.5, 2.567]))
        tensor([0., 2., 3.])
    """
    return _stepwise(input, "round", decimals)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (gradient 0).

    Example:
        >>> import minigrad
        >>> minigrad.sign(minigrad.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    return _stepwise(input, "sign")


def _test(input: Tensor, name: str, test) -> Tensor:
    _check_tensor(input, name)
    with input.device.activate():
        return Tensor._wrap(test(input.device.xp, input._data), input.device)


def isnan(input: Tensor) -> Tensor:
    """True where an element is NaN.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, float("nan")]).isnan()
        tensor([False,  True])
    """
    return _test(input, "isnan", lambda xp, a: xp.isnan(a))


def isinf(input: Tensor) -> Tensor:
    """True where an element is infinite (either sign).

    Example:
        >>> import minigrad
        >>> minigrad.isinf(minigrad.tensor([1.0, -float("inf")]))
        tensor([False,  True])
    """
    return _test(input, "isinf", lambda xp, a: xp.isinf(a))


def isfinite(input: Tensor) -> Tensor:
    """True where an element is neither infinite nor NaN.

    Example:
        >>> import minigrad
        >>> minigrad.isfinite(minigrad.tensor([1.0, float("nan")]))
        tensor([ True, False])
    """
    return _test(input, "isfinite", lambda xp, a: xp.isfinite(a))


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan=False
) -> Tensor:
    """True where ``|input - other| <= atol + rtol * |other|`` (broadcast); NaNs are equal
    only with ``equal_nan``. Both tensors must have the same dtype, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.isclose(minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0 + 1e-7, 2.1]))
        tensor([ True, False])
    """
    _check_tensor(input, "isclose")
    _check_tensor(other, "isclose")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if input.device != other.device:
        raise RuntimeError(f"isclose: the tensors are on {input.device} and {other.device}")
    if rtol < 0 or atol < 0:
        raise RuntimeError(f"isclose: rtol and atol must be non-negative, got {rtol}, {atol}")
    with input.device.activate():
        close = input.device.xp.isclose(input._data, other._data, rtol, atol, equal_nan)
    return Tensor._wrap(close, input.device)


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan=False
) -> bool:
    """Whether :func:`isclose` holds everywhere (a Python bool).

    Example:
        >>> import minigrad
        >>> minigrad.allclose(minigrad.ones(3), minigrad.ones(3) + 1e-9)
        True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape and the same values (a Python bool;
    NaN is not equal to NaN).

    Example:
        >>> import minigrad
        >>> minigrad.equal(minigrad.tensor([1, 2]), minigrad.tensor([1, 2]))
        True
    """
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"equal(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool((input == other).all())


def floor_divide(input, other) -> Tensor:
    """``input // other``: the quotient rounded down, in the promoted dtype (Python's
    ``//``). An integer division by zero is an error. PyTorch has no gradient for it (use
    ``div(..., rounding_mode="floor")``, whose gradient is 0).

    Example:
        >>> import minigrad
        >>> minigrad.tensor([7, -7]) // 2
        tensor([ 3, -4])
    """
    return _binary(pointwise.FloorDivide, "floor_divide", input, other)


def remainder(input, other) -> Tensor:
    """``input % other``: the remainder with the sign of ``other`` (Python's ``%``).

    Example:
        >>> import minigrad
        >>> minigrad.tensor([7, -7]) % 3
        tensor([1, 2])
    """
    return _binary(pointwise.Remainder, "remainder", input, other)


def fmod(input, other) -> Tensor:
    """The remainder with the sign of ``input`` (C's ``fmod``).

    Example:
        >>> import minigrad
        >>> minigrad.fmod(minigrad.tensor([7, -7]), 3)
        tensor([ 1, -1])
    """
    _check_tensor(input, "fmod")  # fmod(number, tensor) is a TypeError in PyTorch too
    return _binary(pointwise.Fmod, "fmod", input, other)


def _for_product(input: Tensor, dtype, name: str) -> Tensor:
    """``input`` cast for a product: to ``dtype`` if given, integers and bools to int64."""
    _check_tensor(input, name)
    if dtype is not None:
        return cast(input, _dtypes.to_dtype(dtype))
    return input if input.is_floating_point() else cast(input, _dtypes.int64)


@numpy_names
@autocast_mode.casts(cpu="float32", cuda="float32")
def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The product of all elements, or along ``dim`` (one dimension, as in PyTorch).
    Integer and bool inputs multiply in int64. The gradient of each element is the product
    of the others, computed without dividing, so it is exact where an element is 0.

    Example:
        >>> import minigrad
        >>> minigrad.prod(minigrad.tensor([[1, 2], [3, 4]]))
        tensor(24)
        >>> x = minigrad.tensor([2.0, 0.0, 5.0], requires_grad=True)
        >>> x.prod().backward()
        >>> x.grad
        tensor([ 0., 10.,  0.])
    """
    input = _for_product(input, dtype, "prod")
    if dim is None:
        if keepdim:
            raise TypeError("prod(): keepdim needs a dim")
        return scan.Prod.apply(input)
    if isinstance(dim, tuple | list):
        raise TypeError("prod(): argument 'dim' must be int, not a tuple (one dimension)")
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    if input.ndim == 0:
        return clone(input)
    return scan.Prod.apply(input, axis=axis, keepdims=keepdim)


@autocast_mode.casts(cuda="float32")
def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along ``dim``: output ``j`` is ``input[0] * ... * input[j]``.
    Integer and bool inputs multiply in int64; the gradient is exact where an element is 0.

    Example:
        >>> import minigrad
        >>> minigrad.cumprod(minigrad.tensor([1, 2, 3, 4]), dim=0)
        tensor([ 1,  2,  6, 24])
    """
    input = _for_product(input, dtype, "cumprod")
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    if input.ndim == 0 or input.numel() == 0:
        return clone(input)
    return scan.Cumprod.apply(input, axis=axis)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors: ``out[i, j] = input[i] * vec2[j]``.

    Example:
        >>> import minigrad
        >>> minigrad.outer(minigrad.tensor([1, 2]), minigrad.tensor([1, 10, 100]))
        tensor([[  1,  10, 100],
                [  2,  20, 200]])
    """
    _check_tensor(input, "outer")
    _check_tensor(vec2, "outer")
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


def clamp_min(input: Tensor, min) -> Tensor:
    """``max(input, min)`` elementwise: :func:`minigrad.clamp` with only a lower bound
    (the gradient flows where ``input >= min``).

    Example:
        >>> import minigrad
        >>> minigrad.clamp_min(minigrad.tensor([-1.0, 0.5]), 0.0)
        tensor([0.0000, 0.5000])
    """
    return clamp(input, min=min)


def clamp_max(input: Tensor, max) -> Tensor:
    """``min(input, max)`` elementwise: :func:`minigrad.clamp` with only an upper bound.

    Example:
        >>> import minigrad
        >>> minigrad.clamp_max(minigrad.tensor([-1.0, 2.5]), 1.0)
        tensor([-1.,  1.])
    """
    return clamp(input, max=max)
