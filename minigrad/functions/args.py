"""Argument helpers and conversions: what the public functions do before their primitive.

Checking that an argument is a tensor (``_check_tensor``), normalising dims
(``normalize_dim``, ``normalize_dims``), NumPy's keyword names (``numpy_names``), shapes
given as ``f(2, 3)`` or ``f((2, 3))`` (``shape_arg``), the operands of a binary op and
PyTorch's dtype promotion (``_promote``, ``_binary``), and the errors for shapes that do
not broadcast. The conversions ``cast``, ``to_device`` and ``clone`` are here too: the
promotion casts, so they sit at the bottom of the package, with it.
"""

from __future__ import annotations

import builtins
import functools

import numpy as np

from .. import autograd as _autograd
from .. import backend
from .. import dtypes as _dtypes
from ..ops import convert
from ..tensor import Tensor

# ----------------------------------------------------------------------------------------
# Argument helpers
# ----------------------------------------------------------------------------------------


def normalize_dim(dim, ndim: int) -> int:
    """Turn a possibly negative ``dim`` into an index in ``range(ndim)``, or raise."""
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return int(dim) % builtins.max(ndim, 1)


def normalize_dims(dim, ndim: int, empty_means_all: bool = True) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative dims (None: all of them).

    An empty ``dim`` (``()`` or ``[]``) means all dims for PyTorch's ``sum``, ``mean`` and
    ``var``, and none for ``all`` and ``any`` (``empty_means_all=False``). A 0-d tensor
    accepts dim 0 or -1, which names no axis of its array: the result is ``()``.
    """
    if dim is None:
        return None
    dims = dim if isinstance(dim, list | tuple) else (dim,)
    if not dims:
        return None if empty_means_all else ()
    out = tuple(sorted({normalize_dim(d, ndim) for d in dims}))
    if len(out) != len(dims):
        raise RuntimeError(f"dim {tuple(dims)} names a dimension more than once")
    return out if ndim else ()


def numpy_names(fn):
    """Let ``fn`` also take NumPy's keyword names, ``axis`` for ``dim`` and ``keepdims``
    for ``keepdim``, as PyTorch's functions and methods with a ``dim`` do
    (``x.sum(axis=1)``); giving both spellings of one argument is an error."""

    @functools.wraps(fn)
    def with_numpy_names(*args, **kwargs):
        if "axis" in kwargs or "keepdims" in kwargs:
            for numpy_name, name in (("axis", "dim"), ("keepdims", "keepdim")):
                if numpy_name in kwargs:
                    if name in kwargs:
                        raise TypeError(
                            f"{fn.__name__}() got both {name}= and its alias {numpy_name}="
                        )
                    kwargs[name] = kwargs.pop(numpy_name)
        return fn(*args, **kwargs)

    return with_numpy_names


def shape_arg(args) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``, as PyTorch does for shapes."""
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = args[0]
    for n in args:
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise TypeError(f"sizes must be ints, got {type(n).__name__} in {tuple(args)}")
    return tuple(int(n) for n in args)


def _check_tensor(x, name: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): expected a Tensor, got {type(x).__name__}")


def _check_tensors(name: str, *operands) -> None:
    """PyTorch's ``maximum``, ``minimum`` and logical ops take tensors only (not numbers)."""
    for position, x in enumerate(operands, 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}(): argument {('input', 'other')[position - 1]!r} (position "
                f"{position}) must be Tensor, not {type(x).__name__}"
            )


def _as_operand(x, like: Tensor):
    """A Python number stays one (NumPy treats it as 'weak', as PyTorch does); NumPy
    scalars become Python numbers; arrays and lists become tensors on ``like``'s device."""
    if isinstance(x, np.generic):  # first: np.float64 is also a float, but not 'weak'
        return x.item()
    if isinstance(x, Tensor | bool | int | float):
        return x
    if x is None or isinstance(x, str | bytes):
        raise TypeError(
            f"unsupported operand of type {type(x).__name__}: a tensor op takes tensors, "
            "numbers, lists or arrays"
        )
    return Tensor(x, device=like.device)


def operand_array(other, like: Tensor, name: str, allow_other_device: bool = False):
    """The raw value of ``other`` for an in-place update of ``like``."""
    if isinstance(other, Tensor):
        if other.device is not like.device:
            if not allow_other_device:
                raise RuntimeError(
                    f"{name}: expected all tensors to be on the same device, but found at "
                    f"least two devices, {like.device} and {other.device}"
                )
            return like.device.move(other._data)
        return other._data
    if isinstance(other, np.generic):  # a NumPy scalar acts as the Python number it holds
        return other.item()
    if isinstance(other, bool | int | float):
        return other
    if backend.is_array(other):
        return like.device.move(other)
    return like.device.move(np.asarray(other))


_NUMBER = (int, float)


def _promote(a, b):
    """Cast tensor operands to the dtype PyTorch gives ``a (op) b``."""
    # The common cases first, cheaply: two tensors of one dtype, or a float tensor and a
    # Python number (NumPy keeps the tensor's dtype for those, as PyTorch does).
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype == b._data.dtype:
                return a, b
        elif type(b) in _NUMBER and a._data.dtype.kind == "f":
            return a, b
    elif type(a) in _NUMBER and isinstance(b, Tensor) and b._data.dtype.kind == "f":
        return a, b
    a, b = _operands(a, b)
    dtype = _dtypes.result_type(a, b)
    if isinstance(a, Tensor) and a.dtype != dtype:
        a = cast(a, dtype)
    if isinstance(b, Tensor) and b.dtype != dtype:
        b = cast(b, dtype)
    return _dtypes.wrap_int(a, dtype), _dtypes.wrap_int(b, dtype)


def _operands(a, b):
    """The two operands of a binary op, at least one a tensor: the other as a Python
    number or a tensor on the first one's device (see :func:`_as_operand`)."""
    if isinstance(a, Tensor):
        return a, _as_operand(b, a)
    if isinstance(b, Tensor):
        return _as_operand(a, b), b
    raise TypeError(
        f"expected at least one Tensor operand, got {type(a).__name__} and {type(b).__name__}"
    )


def converts_without_overflow(value, dtype) -> bool:
    """Whether PyTorch converts the number ``value`` to an integer ``dtype`` without an
    overflow error: floats within the type's range; ints within it too, or, for unsigned
    types, down to ``-max`` (``-1`` wraps to 255 in uint8). Always True for float types."""
    if dtype.kind not in "iu" or type(value) is bool:
        return True
    info = np.iinfo(dtype)
    low = -info.max if info.min == 0 and type(value) is int else info.min
    return low <= value <= info.max


def _shape(x) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else ()


def _broadcast_error(name: str, *operands) -> RuntimeError:
    shapes = [tuple(_shape(x)) for x in operands]
    return RuntimeError(
        f"{name}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together "
        "(trailing dimensions must be equal, or one of them 1)"
    )


def _broadcastable(*operands) -> bool:
    try:
        np.broadcast_shapes(*(_shape(x) for x in operands))
    except ValueError:
        return False
    return True


def _binary(op, name: str, a, b, given=None) -> Tensor:
    """``op`` on ``a`` and ``b`` promoted to one dtype. ``given``: the operands as the
    user gave them, when ``a`` and ``b`` are already converted copies of them."""
    pa, pb = _promote(a, b)
    a, b = given or (a, b)
    try:
        out = op.apply(pa, pb)
    except ValueError:
        if not _broadcastable(pa, pb):
            raise _broadcast_error(name, pa, pb) from None
        raise
    if (pa is not a or pb is not b) and out.grad_fn is not None and out.grad_fn.versions:
        # The op saved a converted copy; PyTorch saves the operand itself, so a later
        # in-place write into the operand must make backward refuse here too.
        counters = [counter for counter, _ in out.grad_fn.versions]
        for original, used in ((a, pa), (b, pb)):
            if (
                used is not original
                and isinstance(original, Tensor)
                and builtins.any(c is used._version for c in counters)
            ):
                _autograd._keep_versions(out, original)
    return out


# ----------------------------------------------------------------------------------------
# Conversions
# ----------------------------------------------------------------------------------------


def cast(input: Tensor, dtype) -> Tensor:
    """``input`` converted to ``dtype`` (differentiable)."""
    return convert.Cast.apply(input, dtype=_dtypes.to_dtype(dtype))


def to_device(input: Tensor, device) -> Tensor:
    """``input`` copied to ``device`` (differentiable: the gradient is copied back)."""
    target = backend.Device(device)
    return convert.ToDevice.apply(input, source=input.device, target=target)


def clone(input: Tensor) -> Tensor:
    """A copy of ``input`` with its own storage; gradients flow back to ``input``.

    Example:
        >>> import minigrad
        >>> minigrad.clone(minigrad.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """
    _check_tensor(input, "clone")
    return convert.Clone.apply(input)
