"""Integer and floating-point bits: ``gcd``, ``lcm``, the bit shifts, ``frexp``, ``ldexp``,
``nextafter``; and the complex-number functions that real tensors answer trivially
(``conj``, ``real``, ``resolve_conj``, ...), which code written for both reaches for.

The integer functions follow PyTorch's rules where C's are undefined: a left shift by a
negative amount or by the width of the type or more gives 0; a right shift by such an
amount gives the sign (0, or -1 for a negative value). ``ldexp`` and ``nextafter`` have
PyTorch's gradients (``ops/pointwise.py``); the others have none.
"""

from __future__ import annotations

import numpy as np

from . import creation
from . import dtypes as _dtypes
from . import return_types as _return_types
from .functions import _check_tensor
from .functions.compare import _compare
from .functions_pointwise import _binary_float
from .ops import pointwise
from .tensor import Tensor

FrexpResult = _return_types.define("frexp", ["mantissa", "exponent"])

__all__ = [
    "adjoint",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "conj",
    "conj_physical",
    "frexp",
    "gcd",
    "imag",
    "is_conj",
    "is_neg",
    "isreal",
    "lcm",
    "ldexp",
    "nextafter",
    "real",
    "resolve_conj",
    "resolve_neg",
]


def _integers_only(name: str, *values) -> None:
    """Refuse floats, and (as PyTorch) operands that are all bool."""
    for x in values:
        if (isinstance(x, Tensor) and x.dtype.kind not in "biu") or isinstance(x, float):
            kind = x.dtype if isinstance(x, Tensor) else "float"
            raise NotImplementedError(f'"{name}" not implemented for {kind}')
    if _dtypes.result_type(*values) == _dtypes.bool:
        raise NotImplementedError(f'"{name}" not implemented for bool')


def gcd(input: Tensor, other) -> Tensor:
    """The elementwise greatest common divisor of integers (non-negative; gcd(0, 0) = 0).

    Example:
        >>> import minigrad
        >>> minigrad.gcd(minigrad.tensor([12, -18, 0]), minigrad.tensor([8, 12, 5]))
        tensor([4, 6, 5])
    """
    _check_tensor(input, "gcd")
    _integers_only("gcd", input, other)
    return _compare("gcd", "gcd", input, other)


def lcm(input: Tensor, other) -> Tensor:
    """The elementwise least common multiple of integers (0 if either is 0).

    Example:
        >>> import minigrad
        >>> minigrad.lcm(minigrad.tensor([12, -18, 0]), minigrad.tensor([8, 12, 5]))
        tensor([24, 36,  0])
    """
    _check_tensor(input, "lcm")
    _integers_only("lcm", input, other)
    return _compare("lcm", "lcm", input, other)


def _shift(name: str, input, other, left: bool) -> Tensor:
    _integers_only(name, input, other)
    a = input if isinstance(input, Tensor) else other
    dtype = _dtypes.result_type(input, other)  # PyTorch's promotion (a bool with an int: int64)
    xp = a.device.xp
    x = (input._data if isinstance(input, Tensor) else xp.asarray(input)).astype(dtype)
    n = (other._data if isinstance(other, Tensor) else xp.asarray(other)).astype(dtype)
    bits = np.dtype(dtype).itemsize * 8
    out_of_range = (n < 0) | (n >= bits)
    safe = xp.where(out_of_range, 0, n)
    if left:
        result = xp.where(out_of_range, 0, xp.left_shift(x, safe))
    else:
        sign = xp.where(x < 0, -1, 0).astype(dtype)
        result = xp.where(out_of_range, sign, xp.right_shift(x, safe))
    return Tensor._wrap(xp.asarray(result, dtype=dtype), a.device)


def bitwise_left_shift(input, other) -> Tensor:
    """``input << other``, elementwise, for integers (see the module's docstring for
    shifts out of range).

    Example:
        >>> import minigrad
        >>> minigrad.bitwise_left_shift(minigrad.tensor([1, -8, 5]), minigrad.tensor([1, 2, 70]))
        tensor([  2, -32,   0])
    """
    return _shift("bitwise_left_shift", input, other, left=True)


def bitwise_right_shift(input, other) -> Tensor:
    """``input >> other``, elementwise, for integers: an arithmetic shift (a negative
    value keeps its sign).

    Example:
        >>> import minigrad
        >>> minigrad.bitwise_right_shift(minigrad.tensor([1, -8, -5]), minigrad.tensor([1, 2, 70]))
        tensor([ 0, -2, -1])
    """
    return _shift("bitwise_right_shift", input, other, left=False)


def frexp(input: Tensor):
    """Split floats into mantissas in [0.5, 1) (signed) and int32 exponents:
    ``input = mantissa * 2 ** exponent``. A named pair ``(mantissa, exponent)``.

    Example:
        >>> import minigrad
        >>> m, e = minigrad.frexp(minigrad.tensor([8.0, -5.0]))
        >>> m, e
        (tensor([ 0.5000, -0.6250]), tensor([4, 3], dtype=minigrad.int32))
    """
    _check_tensor(input, "frexp")
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = input.device.xp.frexp(input._data)
    return FrexpResult(
        Tensor._wrap(mantissa, input.device), Tensor._wrap(exponent.astype(np.int32), input.device)
    )


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2 ** other``, in the two's promoted dtype (float32 if that is an integer
    one, as in PyTorch); differentiable in both.

    Example:
        >>> import minigrad
        >>> minigrad.ldexp(minigrad.tensor([1.0, 2.0]), minigrad.tensor([3, -1]))
        tensor([8., 1.])
    """
    _check_tensor(input, "ldexp")
    if not isinstance(other, Tensor):
        raise TypeError(f"ldexp(): argument 'other' must be Tensor, not {type(other).__name__}")
    if other.dtype == _dtypes.bool and input.is_floating_point():  # PyTorch's kernel refuses
        raise NotImplementedError('"ldexp" not implemented for bool')
    dtype = _dtypes.result_type(input, other)  # PyTorch's promotion, integers to float32
    if not _dtypes.is_floating(dtype):
        dtype = _dtypes.get_default_dtype()
    return _binary_float(pointwise.Ldexp, "ldexp", input.to(dtype), other.to(dtype))


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next float after ``input`` in the direction of ``other``, elementwise, in the
    two's promoted dtype, which must be a float one.

    Example:
        >>> import minigrad
        >>> (minigrad.nextafter(minigrad.tensor([1.0]), minigrad.tensor([2.0])) - 1).item()
        1.1920928955078125e-07
    """
    _check_tensor(input, "nextafter")
    dtype = _dtypes.result_type(input, other)
    if not _dtypes.is_floating(dtype):
        raise NotImplementedError(f'"nextafter" not implemented for {dtype}')
    return _binary_float(pointwise.NextAfter, "nextafter", input, other)


# --- complex-number functions, on real tensors ------------------------------------------


def conj(input: Tensor) -> Tensor:
    """The complex conjugate: a real tensor is its own (returned as is, as PyTorch does).

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2)
        >>> minigrad.conj(x) is x
        True
    """
    _check_tensor(input, "conj")
    return input


conj_physical = resolve_conj = resolve_neg = real = conj


def imag(input: Tensor) -> Tensor:
    """The imaginary part: real tensors have none (minigrad has no complex dtype), so this
    raises, as PyTorch does for a real tensor.

    Example:
        >>> import minigrad
        >>> minigrad.imag(minigrad.ones(2))
        Traceback (most recent call last):
        ...
        RuntimeError: imag is not implemented for tensors with non-complex dtypes.
    """
    _check_tensor(input, "imag")
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def is_conj(input: Tensor) -> bool:
    """Whether the tensor is a lazily conjugated view: never, here.

    Example:
        >>> import minigrad
        >>> minigrad.is_conj(minigrad.ones(2))
        False
    """
    _check_tensor(input, "is_conj")
    return False


def is_neg(input: Tensor) -> bool:
    """Whether the tensor is a lazily negated view: never, here.

    Example:
        >>> import minigrad
        >>> minigrad.is_neg(minigrad.ones(2))
        False
    """
    _check_tensor(input, "is_neg")
    return False


def isreal(input: Tensor) -> Tensor:
    """True where an element is real: everywhere, for minigrad's real dtypes.

    Example:
        >>> import minigrad
        >>> minigrad.isreal(minigrad.tensor([1.0, float("nan")]))
        tensor([True, True])
    """
    _check_tensor(input, "isreal")
    return creation.ones(input.shape, dtype=_dtypes.bool, device=input.device)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of each matrix (the last two dimensions swapped; a view).

    Example:
        >>> import minigrad
        >>> minigrad.adjoint(minigrad.ones(2, 3)).shape
        minigrad.Size([3, 2])
    """
    _check_tensor(input, "adjoint")
    if input.ndim < 2:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got "
            f"{input.ndim}-D tensor."
        )
    return input.transpose(-2, -1)
