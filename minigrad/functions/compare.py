"""Comparisons and logic: ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``, and the bitwise
and logical ops.

They are not differentiable: each computes its bool (or integer) array with the array
module and wraps it in a tensor, with no primitive and no graph node.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..tensor import Tensor
from .args import (
    _broadcast_error,
    _broadcastable,
    _check_tensor,
    _check_tensors,
    _promote,
    cast,
)

# ----------------------------------------------------------------------------------------
# Comparisons and logic (not differentiable: they return bool tensors)
# ----------------------------------------------------------------------------------------


def _compare(name: str, ufunc, a, b) -> Tensor:
    a, b = _promote(_fits(a, b), _fits(b, a))
    device = (a if isinstance(a, Tensor) else b).device
    arrays = []
    for x in (a, b):
        if isinstance(x, Tensor):
            if x.device is not device:
                raise RuntimeError(
                    f"{name}: expected all tensors to be on the same device, but found at "
                    f"least two devices, {a.device} and {b.device}"
                )
            arrays.append(x._data)
        else:
            arrays.append(x)
    try:
        return Tensor._wrap(device.xp.asarray(getattr(device.xp, ufunc)(*arrays)), device)
    except ValueError:
        if not _broadcastable(a, b):
            raise _broadcast_error(name, a, b) from None
        raise


def _fits(x, other):
    """``x``, widened to int64 if ``other`` is a Python int outside its integer range
    (``uint8_labels != -100``): NumPy compares such values correctly, CuPy raises."""
    if (
        isinstance(x, Tensor)
        and x.dtype.kind in "iu"
        and type(other) is int
        and not np.iinfo(x.dtype).min <= other <= np.iinfo(x.dtype).max
    ):
        return cast(x, _dtypes.int64)
    return x


def eq(input, other) -> Tensor:
    """``input == other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.eq(minigrad.tensor([1, 2, 3]), 2)
        tensor([False,  True, False])
    """
    _check_tensor(input, "eq")  # a number may come second only (PyTorch)
    return _compare("eq", "equal", input, other)


def ne(input, other) -> Tensor:
    """``input != other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1, 2, 3]) != minigrad.tensor([1, 0, 3])
        tensor([False,  True, False])
    """
    _check_tensor(input, "ne")
    return _compare("ne", "not_equal", input, other)


def lt(input, other) -> Tensor:
    """``input < other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) < 2
        tensor([ True, False, False])
    """
    _check_tensor(input, "lt")
    return _compare("lt", "less", input, other)


def le(input, other) -> Tensor:
    """``input <= other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) <= 2
        tensor([ True,  True, False])
    """
    _check_tensor(input, "le")
    return _compare("le", "less_equal", input, other)


def gt(input, other) -> Tensor:
    """``input > other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) > 2
        tensor([False, False,  True])
    """
    _check_tensor(input, "gt")
    return _compare("gt", "greater", input, other)


def ge(input, other) -> Tensor:
    """``input >= other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) >= 2
        tensor([False,  True,  True])
    """
    _check_tensor(input, "ge")
    return _compare("ge", "greater_equal", input, other)


def _bitwise(name: str, ufunc: str, a, b) -> Tensor:
    for x in (a, b):
        if (isinstance(x, Tensor) and x.is_floating_point()) or isinstance(x, float):
            raise NotImplementedError(  # PyTorch's error type for an unsupported dtype
                f"{name} is only defined for integer and bool tensors, got a float"
            )
    # A Python int out of the tensor's range wraps around, as in arithmetic (uint8 | 256
    # is uint8 | 0): the result keeps the tensor's dtype, as PyTorch's does.
    dtype = (a if isinstance(a, Tensor) else b).dtype
    return _compare(name, ufunc, _dtypes.wrap_int(a, dtype), _dtypes.wrap_int(b, dtype))


def bitwise_and(input, other) -> Tensor:
    """Elementwise ``&``: logical and for bool tensors, bitwise for integers.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([True, True, False]) & minigrad.tensor([True, False, False])
        tensor([ True, False, False])
    """
    return _bitwise("bitwise_and", "bitwise_and", input, other)


def bitwise_or(input, other) -> Tensor:
    """Elementwise ``|``: logical or for bool tensors, bitwise for integers.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([True, False]) | minigrad.tensor([False, False])
        tensor([ True, False])
    """
    return _bitwise("bitwise_or", "bitwise_or", input, other)


def bitwise_xor(input, other) -> Tensor:
    """Elementwise ``^``: logical xor for bool tensors, bitwise for integers.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([6, 3]) ^ minigrad.tensor([3, 3])
        tensor([5, 0])
    """
    return _bitwise("bitwise_xor", "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise ``~``: logical not for bool tensors, bitwise not for integers.

    Example:
        >>> import minigrad
        >>> ~minigrad.tensor([True, False])
        tensor([False,  True])
    """
    _check_tensor(input, "bitwise_not")
    if input.is_floating_point():
        raise TypeError("~ (bitwise_not) is only defined for integer and bool tensors")
    xp = input.device.xp
    return Tensor._wrap(xp.asarray(xp.invert(input._data)), input.device)


def logical_and(input, other) -> Tensor:
    """Elementwise logical and (``&`` on bool tensors).

    Example:
        >>> import minigrad
        >>> minigrad.logical_and(minigrad.tensor([1, 0, 2]), minigrad.tensor([1, 1, 0]))
        tensor([ True, False, False])
    """
    _check_tensors("logical_and", input, other)
    return _compare("logical_and", "logical_and", input, other)


def logical_or(input, other) -> Tensor:
    """Elementwise logical or (``|`` on bool tensors).

    Example:
        >>> import minigrad
        >>> minigrad.logical_or(minigrad.tensor([1, 0, 0]), minigrad.tensor([0, 0, 3]))
        tensor([ True, False,  True])
    """
    _check_tensors("logical_or", input, other)
    return _compare("logical_or", "logical_or", input, other)


def logical_not(input: Tensor) -> Tensor:
    """Elementwise logical not (``~`` on bool tensors).

    Example:
        >>> import minigrad
        >>> minigrad.logical_not(minigrad.tensor([0.0, 1.5]))
        tensor([ True, False])
    """
    _check_tensor(input, "logical_not")
    xp = input.device.xp
    return Tensor._wrap(xp.asarray(xp.logical_not(input._data)), input.device)
