"""The public functions on tensors: ``minigrad.exp(x)``, ``minigrad.cat([...])`` and so on.

This layer sits between the Tensor API and the differentiable primitives in ``ops/``. It
checks arguments (and says clearly what is wrong), applies PyTorch's dtype-promotion
rules, normalises dimensions, and then calls one primitive's ``apply``. Several functions
are compositions of others (``flatten`` is a ``reshape``, ``max(dim)`` is an ``argmax``
and a gather), which keeps the number of primitives, and of backward formulas, small.
"""

from __future__ import annotations

import builtins
import functools
import warnings
from collections import namedtuple

import numpy as np

from . import autograd as _autograd
from . import backend, fastpath
from . import dtypes as _dtypes
from .ops import convert, elementwise, linalg, movement, reduce
from .ops import softmax as _softmax
from .tensor import Tensor

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


def _binary(op, name: str, a, b) -> Tensor:
    pa, pb = _promote(a, b)
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
        for given, used in ((a, pa), (b, pb)):
            if used is not given and builtins.any(c is used._version for c in counters):
                _autograd._keep_versions(out, given)
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


# ----------------------------------------------------------------------------------------
# Arithmetic
# ----------------------------------------------------------------------------------------


def add(input, other, *, alpha=1) -> Tensor:
    """``input + alpha * other``, broadcasting.

    Example:
        >>> import minigrad
        >>> minigrad.add(minigrad.tensor([1.0, 2.0]), 1.0)
        tensor([2., 3.])
    """
    if alpha != 1 or type(alpha) is bool:  # (True == 1, but PyTorch checks its type)
        input, other = _scaled_by_alpha(input, other, alpha)
    return _binary(elementwise.Add, "add", input, other)


def _scaled_by_alpha(input, other, alpha):
    """``add``/``sub``'s ``alpha * other``, in the dtype of the result (PyTorch scales
    inside the op: ``alpha`` does not take part in the type promotion)."""
    input, other = _promote(input, other)
    dtype = input.dtype if isinstance(input, Tensor) else other.dtype
    if type(alpha) is bool and dtype != _dtypes.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and not _dtypes.is_floating(dtype):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if not converts_without_overflow(alpha, dtype):
        raise RuntimeError(f"alpha {alpha} cannot be converted to type {dtype} without overflow")
    if dtype == _dtypes.bool:  # PyTorch converts alpha to the result's dtype: 2 is True
        alpha = builtins.bool(alpha)
    return input, (mul(other, alpha) if isinstance(other, Tensor) else other * alpha)


def sub(input, other, *, alpha=1) -> Tensor:
    """``input - alpha * other``, broadcasting.

    Example:
        >>> import minigrad
        >>> minigrad.sub(minigrad.tensor([5.0, 7.0]), minigrad.tensor([1.0, 2.0]), alpha=2)
        tensor([3., 3.])
    """
    sub_check(input, other)
    if alpha != 1 or type(alpha) is bool:
        input, other = _scaled_by_alpha(input, other, alpha)
    return _binary(elementwise.Sub, "sub", input, other)


def sub_check(input, other) -> None:
    """PyTorch refuses to subtract bools (``True - True`` means nothing for a mask)."""
    for x in (input, other):
        if type(x) is bool or (isinstance(x, Tensor) and x.dtype == _dtypes.bool):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )


def mul(input, other) -> Tensor:
    """``input * other``, elementwise, broadcasting.

    Example:
        >>> import minigrad
        >>> a = minigrad.tensor([[1.0], [2.0]])  # (2, 1)
        >>> b = minigrad.tensor([10.0, 20.0, 30.0])  # (3,)
        >>> minigrad.mul(a, b)  # broadcast to (2, 3)
        tensor([[10., 20., 30.],
                [20., 40., 60.]])
    """
    return _binary(elementwise.Mul, "mul", input, other)


def div(input, other) -> Tensor:
    """``input / other`` (true division: integer inputs give float32), broadcasting.

    Example:
        >>> import minigrad
        >>> minigrad.div(minigrad.tensor([1, 2, 3]), 2)  # int / int gives float32
        tensor([0.5, 1. , 1.5])
    """
    if (
        isinstance(input, Tensor)
        and input._data.dtype.kind == "f"
        and (type(other) in _NUMBER or (isinstance(other, Tensor) and other.dtype == input.dtype))
    ):  # the common case: nothing to promote
        return _binary(elementwise.Div, "div", input, other)
    return _binary(elementwise.Div, "div", *_as_floats(input, other))


def _as_floats(a, b):
    """Both operands in the floating type of a true division: the promoted type, or the
    default float for integers. Integer operands are converted, not wrapped into the
    integer type first (``uint8 tensor / -1`` divides by -1, as in PyTorch)."""
    a, b = _operands(a, b)
    dtype = _dtypes.result_type(a, b)
    if not _dtypes.is_floating(dtype):
        dtype = _dtypes.DEFAULT_FLOAT
    return tuple(
        (x if x.dtype == dtype else cast(x, dtype)) if isinstance(x, Tensor) else float(x)
        for x in (a, b)
    )


def pow(input, exponent) -> Tensor:
    """``input ** exponent``; either may be a number.

    Example:
        >>> import minigrad
        >>> minigrad.pow(minigrad.tensor([2.0, 3.0]), 2)
        tensor([4., 9.])
    """
    if _is_integral(input) and _is_integral(exponent):
        return _integer_pow(input, exponent)
    return _binary(elementwise.Pow, "pow", input, exponent)


def _is_integral(x) -> bool:
    kind = x._data.dtype.kind if isinstance(x, Tensor) else ("b" if type(x) is bool else "?")
    return kind in "biu" or (type(x) is int)


def _integer_pow(input, exponent) -> Tensor:
    """Integers (and bools) to integer powers, by PyTorch's rules: a bool tensor to a
    Python bool stays bool; a negative scalar exponent is an error, but negative
    exponents in a tensor give the integer result (1 for a base of 1, +-1 for -1, else 0)."""
    bools = [isinstance(x, Tensor) and x.dtype == _dtypes.bool for x in (input, exponent)]
    if bools[0] and type(exponent) is bool:
        return clone(input) if exponent else _all_true_like(input)
    if builtins.all(bools) or (type(input) is bool and bools[1]):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if not isinstance(exponent, Tensor):
        if exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if not converts_without_overflow(exponent, input.dtype):
            raise RuntimeError(
                f"pow: exponent {exponent} cannot be converted to type {input.dtype} "
                f"without overflow"
            )
        return _binary(elementwise.Pow, "pow", input, exponent)
    a, b = _promote(input, exponent)
    xp = exponent.device.xp
    dtype = b.dtype  # the promoted dtype (a Python int base takes the tensor's)
    base = a._data if isinstance(a, Tensor) else xp.asarray(a, dtype=dtype)
    power = b._data
    with backend.quiet(xp):
        out = base ** xp.maximum(power, 0)
        negative = xp.where(base == 1, 1, xp.where(base == -1, 1 - 2 * (power % 2), 0))
        out = xp.where(power < 0, negative, out).astype(dtype, copy=False)
    return Tensor._wrap(out, exponent.device)


def _all_true_like(input: Tensor) -> Tensor:
    """A bool tensor of True, shaped and placed like ``input`` (``x ** False``)."""
    return Tensor._wrap(input.device.xp.ones(input.shape, dtype=bool), input.device)


def neg(input: Tensor) -> Tensor:
    """``-input``.

    Example:
        >>> import minigrad
        >>> minigrad.neg(minigrad.tensor([1.0, -2.0]))
        tensor([-1.,  2.])
    """
    _check_tensor(input, "neg")
    return elementwise.Neg.apply(input)


def _unary_float(op, name: str, input: Tensor) -> Tensor:
    _check_tensor(input, name)
    if not input.is_floating_point():
        input = cast(input, _dtypes.DEFAULT_FLOAT)
    return op.apply(input)


def exp(input: Tensor) -> Tensor:
    """``e ** input``, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.exp(minigrad.tensor([0.0]))
        tensor([1.])
    """
    return _unary_float(elementwise.Exp, "exp", input)


def log(input: Tensor) -> Tensor:
    """The natural logarithm (``-inf`` at 0, ``nan`` below), elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.log(minigrad.tensor([1.0, 2.718282]))
        tensor([0., 1.])
    """
    return _unary_float(elementwise.Log, "log", input)


def sqrt(input: Tensor) -> Tensor:
    """The square root, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.sqrt(minigrad.tensor([4.0, 9.0]))
        tensor([2., 3.])
    """
    return _unary_float(elementwise.Sqrt, "sqrt", input)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.tanh(minigrad.tensor([0.0, 1.0]))
        tensor([0.    , 0.7616])
    """
    return _unary_float(elementwise.Tanh, "tanh", input)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))``, computed so that it never overflows.

    Example:
        >>> import minigrad
        >>> minigrad.sigmoid(minigrad.tensor([-1000.0, 0.0, 1000.0]))
        tensor([0. , 0.5, 1. ])
    """
    return _unary_float(elementwise.Sigmoid, "sigmoid", input)


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)``, elementwise (gradient 0 at 0).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        >>> minigrad.relu(x).sum().backward()
        >>> x.grad  # 0 at 0, as in PyTorch
        tensor([0., 0., 1.])
    """
    _check_tensor(input, "relu")
    if input.dtype == _dtypes.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    return elementwise.ReLU.apply(input)


def abs(input: Tensor) -> Tensor:
    """The absolute value, elementwise (gradient 0 at 0).

    Example:
        >>> import minigrad
        >>> minigrad.abs(minigrad.tensor([-1.5, 0.0, 2.0]))
        tensor([1.5, 0. , 2. ])
    """
    _check_tensor(input, "abs")
    if input.dtype == _dtypes.bool:
        raise NotImplementedError("abs is not implemented for bool tensors (as in PyTorch)")
    return elementwise.Abs.apply(input)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum; where both are equal, each gets half the gradient.

    Example:
        >>> import minigrad
        >>> a = minigrad.tensor([1.0, 2.0], requires_grad=True)
        >>> b = minigrad.tensor([3.0, 2.0], requires_grad=True)
        >>> minigrad.maximum(a, b).sum().backward()
        >>> a.grad, b.grad  # the tie at index 1 is shared
        (tensor([0. , 0.5]), tensor([1. , 0.5]))
    """
    return _binary(elementwise.Maximum, "maximum", input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum; where both are equal, each gets half the gradient.

    Example:
        >>> import minigrad
        >>> minigrad.minimum(minigrad.tensor([1.0, 5.0]), minigrad.tensor([3.0, 2.0]))
        tensor([1., 2.])
    """
    return _binary(elementwise.Minimum, "minimum", input, other)


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit ``input`` to ``[min, max]``; either bound may be None, a number or a tensor.

    The gradient flows where the input lies inside the closed interval, as in PyTorch; a
    tensor bound gets it where it was the result (see ``ops.elementwise.ClampByTensors``).
    ``minigrad.clip`` is another name for it.

    Example:
        >>> import minigrad
        >>> minigrad.clamp(minigrad.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
        tensor([0. , 0.5, 1. ])
    """
    _check_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    bounds = [None if b is None else _as_operand(b, input) for b in (min, max)]
    given = input
    for bound in bounds:  # PyTorch's promotion: an int tensor clamped to 2.5 is float32
        if bound is not None and _dtypes.result_type(input, bound) != input.dtype:
            input = cast(input, _dtypes.result_type(input, bound))
    tensor_bounds = [isinstance(b, Tensor) for b in bounds]
    if input.dtype == _dtypes.bool and (
        not builtins.any(tensor_bounds) or builtins.all(tensor_bounds)
    ):
        # PyTorch's bool kernels are clamp_min and clamp_max with a tensor bound only
        raise NotImplementedError(
            "clamp is not implemented for a bool tensor with bool bounds (as in PyTorch), "
            "except for one tensor bound: convert it with .int()"
        )
    for i, bound in enumerate(bounds):  # an int bound converts as PyTorch: -2 is 254 in uint8
        if type(bound) is int and input.dtype.kind in "iu":
            if not converts_without_overflow(bound, input.dtype):
                raise RuntimeError(
                    f"clamp: value {bound} cannot be converted to type {input.dtype} "
                    "without overflow"
                )
            bounds[i] = _dtypes.wrap_int(bound, input.dtype)
    if not builtins.any(isinstance(bound, Tensor) for bound in bounds):
        return elementwise.Clamp.apply(input, low=bounds[0], high=bounds[1])
    low, high = (  # tensors of the input's dtype (a number becomes a 0-d tensor)
        None if bound is None
        else cast(bound, input.dtype) if isinstance(bound, Tensor)
        else Tensor._wrap(input.device.array(bound, input.dtype), input.device)
        for bound in bounds
    )  # fmt: skip
    out = elementwise.ClampByTensors.apply(input, low, high)
    # The bounds were converted (copied): PyTorch saves them, and the input, as given.
    _autograd._keep_versions(out, given, *(b for b in bounds if isinstance(b, Tensor)))
    return out


clip = clamp


def where(condition: Tensor, input, other) -> Tensor:
    """``input`` where ``condition`` is true, else ``other``; all three broadcast.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([-1.0, 2.0])
        >>> minigrad.where(x > 0, x, 0.0)
        tensor([0., 2.])
    """
    _check_tensor(condition, "where")
    if condition.dtype != _dtypes.bool:
        raise TypeError(f"where expected condition to be a bool tensor, got {condition.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor(input, device=condition.device)
    for value, tensor in ((input, other), (other, input)):
        # where() refuses the numbers that + would wrap around.
        number_into_tensor = type(value) is int and isinstance(tensor, Tensor)
        if number_into_tensor and not converts_without_overflow(value, tensor.dtype):
            raise RuntimeError(
                f"where: value {value} cannot be converted to type {tensor.dtype} without overflow"
            )
    input, other = _promote(input, other)
    try:
        return elementwise.Where.apply(condition, input, other)
    except ValueError:
        if not _broadcastable(condition, input, other):
            raise _broadcast_error("where", condition, input, other) from None
        raise


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product, with NumPy's (and PyTorch's) rules for vectors and batches.

    Example:
        >>> import minigrad
        >>> minigrad.matmul(minigrad.ones(2, 3), minigrad.ones(3, 4)).shape
        (2, 4)
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("matmul expects two tensors")
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D "
            f"and {other.ndim}D"
        )
    if input.dtype != other.dtype:  # PyTorch does not promote in a product
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {input.dtype} != "
            f"{other.dtype} (convert one with .to(), e.g. .float() or .double())"
        )
    if input.dtype == _dtypes.bool:
        raise NotImplementedError("matmul is not implemented for bool tensors (as in PyTorch)")
    try:
        return linalg.MatMul.apply(input, other)
    except ValueError:
        inner = other.shape[0] if other.ndim == 1 else other.shape[-2]
        if input.shape[-1] == inner:  # the products fit: the batch dimensions do not
            reason = (
                f"their batch dimensions, {tuple(input.shape[:-2])} and "
                f"{tuple(other.shape[:-2])}, do not broadcast"
            )
        else:
            reason = (
                f"the last dimension of the first, {input.shape[-1]}, must equal the "
                f"{'only' if other.ndim == 1 else 'second-to-last'} dimension of the second, "
                f"{inner}"
            )
        raise RuntimeError(
            f"matmul: shapes {tuple(input.shape)} and {tuple(other.shape)} cannot be "
            f"multiplied ({reason})"
        ) from None


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
    return _compare("eq", "equal", input, other)


def ne(input, other) -> Tensor:
    """``input != other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1, 2, 3]) != minigrad.tensor([1, 0, 3])
        tensor([False,  True, False])
    """
    return _compare("ne", "not_equal", input, other)


def lt(input, other) -> Tensor:
    """``input < other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) < 2
        tensor([ True, False, False])
    """
    return _compare("lt", "less", input, other)


def le(input, other) -> Tensor:
    """``input <= other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) <= 2
        tensor([ True,  True, False])
    """
    return _compare("le", "less_equal", input, other)


def gt(input, other) -> Tensor:
    """``input > other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) > 2
        tensor([False, False,  True])
    """
    return _compare("gt", "greater", input, other)


def ge(input, other) -> Tensor:
    """``input >= other``, elementwise, as a bool tensor.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1.0, 2.0, 3.0]) >= 2
        tensor([False,  True,  True])
    """
    return _compare("ge", "greater_equal", input, other)


def _bitwise(name: str, ufunc: str, a, b) -> Tensor:
    for x in (a, b):
        if (isinstance(x, Tensor) and x.is_floating_point()) or isinstance(x, float):
            raise TypeError(f"{name} is only defined for integer and bool tensors, got a float")
    return _compare(name, ufunc, a, b)


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
    return _compare("logical_and", "logical_and", input, other)


def logical_or(input, other) -> Tensor:
    """Elementwise logical or (``|`` on bool tensors).

    Example:
        >>> import minigrad
        >>> minigrad.logical_or(minigrad.tensor([1, 0, 0]), minigrad.tensor([0, 0, 3]))
        tensor([ True, False,  True])
    """
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


# ----------------------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------------------


@numpy_names
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum over ``dim`` (an int, a tuple of ints, or None for all elements).

    Bool and integer tensors sum to int64, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.sum(minigrad.ones(2, 3), dim=1)
        tensor([3., 3.])
    """
    _check_tensor(input, "sum")
    axis = normalize_dims(dim, input.ndim)
    if dtype is not None:
        dtype = _dtypes.to_dtype(dtype)
    elif not input.is_floating_point():
        dtype = _dtypes.int64
    return reduce.Sum.apply(input, axis=axis, keepdims=keepdim, dtype=dtype)


def _float_only(input: Tensor, name: str) -> None:
    _check_tensor(input, name)
    if not input.is_floating_point():
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be a floating point "
            f"dtype, but got {input.dtype} (convert with .float() first)"
        )


@numpy_names
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean over ``dim`` (an int, a tuple of ints, or None for all elements).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> minigrad.mean(x), minigrad.mean(x, dim=0), minigrad.mean(x, dim=1, keepdim=True).shape
        (tensor(2.5), tensor([2., 3.]), (2, 1))
    """
    if dtype is not None:
        input = cast(input, dtype)
    _float_only(input, "mean")
    axis = normalize_dims(dim, input.ndim)
    return reduce.Mean.apply(input, axis=axis, keepdims=keepdim)


@numpy_names
def var(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> Tensor:
    """The variance over ``dim``: ``sum((x - mean)**2) / (n - correction)``.

    ``correction`` defaults to 1 (the unbiased estimate); ``unbiased=False`` is the same as
    ``correction=0``, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.var(minigrad.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.6667)
    """
    _float_only(input, "var")
    if unbiased is not None and correction is not None:
        raise TypeError("var: pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axis = normalize_dims(dim, input.ndim)
    return reduce.Var.apply(input, axis=axis, keepdims=keepdim, correction=correction)


MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def _select(input: Tensor, dim, keepdim: bool, smallest: bool):
    name = "min" if smallest else "max"
    _check_tensor(input, name)
    if isinstance(dim, Tensor):  # max(a, b) is the elementwise maximum, as in PyTorch
        return minimum(input, dim) if smallest else maximum(input, dim)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): cannot reduce an empty tensor (shape {tuple(input.shape)})"
            )
        return reduce.MaxAll.apply(input, smallest=smallest)
    axis = normalize_dim(dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:  # other empty dims just give empty results
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    if input.ndim == 0:  # a 0-d tensor: itself, at index 0
        zero = Tensor._wrap(input.device.xp.zeros((), dtype=np.int64), input.device)
        return (MinResult if smallest else MaxResult)(clone(input), zero)
    xp = input.device.xp
    pick = xp.argmin if smallest else xp.argmax
    indices = pick(input._data, axis=axis, keepdims=True)
    values = reduce.Gather.apply(input, indices, axis=axis)
    if not keepdim:
        values = squeeze(values, axis)
        indices = xp.squeeze(indices, axis)
    indices = Tensor._wrap(indices, input.device)
    return (MinResult if smallest else MaxResult)(values, indices)


@numpy_names
def max(input: Tensor, dim=None, keepdim: bool = False):
    """The largest element; with ``dim``, a ``(values, indices)`` pair along that dim.

    Example:
        >>> import minigrad
        >>> minigrad.max(minigrad.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
        max(values=tensor([5., 7.]), indices=tensor([1, 0]))
    """
    return _select(input, dim, keepdim, smallest=False)


@numpy_names
def min(input: Tensor, dim=None, keepdim: bool = False):
    """The smallest element; with ``dim``, a ``(values, indices)`` pair along that dim.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.min(x)
        tensor(1.)
        >>> values, indices = minigrad.min(x, dim=0)
        >>> values, indices
        (tensor([1., 2.]), tensor([0, 1]))
    """
    return _select(input, dim, keepdim, smallest=True)


def _arg_select(input: Tensor, dim, keepdim: bool, smallest: bool) -> Tensor:
    name = "argmin" if smallest else "argmax"
    _check_tensor(input, name)
    if input.dtype == _dtypes.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = input.device.xp
    pick = xp.argmin if smallest else xp.argmax
    if dim is None or input.ndim == 0:
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): cannot reduce an empty tensor (shape {tuple(input.shape)})"
            )
    elif input.shape[normalize_dim(dim, input.ndim)] == 0:
        raise IndexError(
            f"{name}(): Expected reduction dim {normalize_dim(dim, input.ndim)} to have "
            "non-zero size."
        )
    if dim is None:
        out = pick(input._data.reshape(-1))
        if keepdim:
            out = out.reshape((1,) * input.ndim)
    else:
        axis = normalize_dim(dim, input.ndim)
        out = pick(input._data, axis=axis, keepdims=keepdim) if input.ndim else pick(input._data)
    return Tensor._wrap(xp.asarray(out, dtype=np.int64), input.device)


@numpy_names
def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (of the flattened tensor when ``dim`` is None).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.argmax(x), minigrad.argmax(x, dim=1)
        (tensor(2), tensor([1, 0]))
    """
    return _arg_select(input, dim, keepdim, smallest=False)


@numpy_names
def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the smallest element (of the flattened tensor when ``dim`` is None).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.argmin(x), minigrad.argmin(x, dim=0)
        (tensor(0), tensor([0, 1]))
    """
    return _arg_select(input, dim, keepdim, smallest=True)


def _logical_reduce(input: Tensor, dim, keepdim: bool, name: str) -> Tensor:
    _check_tensor(input, name)
    axis = normalize_dims(dim, input.ndim, empty_means_all=False)
    out = input.device.xp.asarray(getattr(input.device.xp, name)(input._data, axis=axis,
                                                                 keepdims=keepdim))  # fmt: skip
    if input.dtype == _dtypes.uint8:  # PyTorch keeps uint8 (for old-style masks); else bool
        out = out.astype(_dtypes.uint8)
    return Tensor._wrap(out, input.device)


@numpy_names
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where every element (along ``dim``) is non-zero.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[True, False], [True, True]])
        >>> minigrad.all(x), minigrad.all(x, dim=1)
        (tensor(False), tensor([False,  True]))
    """
    return _logical_reduce(input, dim, keepdim, "all")


@numpy_names
def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where some element (along ``dim``) is non-zero.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[0, 0], [0, 3]])
        >>> minigrad.any(x), minigrad.any(x, dim=1)
        (tensor(True), tensor([False,  True]))
    """
    return _logical_reduce(input, dim, keepdim, "any")


# ----------------------------------------------------------------------------------------
# Softmax and the loss
# ----------------------------------------------------------------------------------------


def _implicit_softmax_dim(name: str, ndim: int) -> int:
    """PyTorch's legacy choice when ``dim`` is not given: dim 0 for 0-, 1- and 3-d input
    (a vector, or one unbatched (C, H, W) image), else dim 1 (the channels of a batch),
    with the same deprecation warning."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


@numpy_names
def softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably. Without ``dim``, PyTorch's legacy
    choice (see :func:`_implicit_softmax_dim`), with a warning.

    Example:
        >>> import minigrad
        >>> minigrad.softmax(minigrad.tensor([0.0, 0.0]), dim=0)
        tensor([0.5, 0.5])
    """
    input = _float_input(input, dtype, "softmax")
    if dim is None:
        dim = _implicit_softmax_dim("softmax", input.ndim)
    return _softmax.Softmax.apply(input, axis=normalize_dim(dim, input.ndim))


@numpy_names
def log_softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """``log(softmax(x, dim))``, computed with the log-sum-exp trick (never ``log(0)``).
    Without ``dim``, the same legacy choice as :func:`softmax`.

    Example:
        >>> import minigrad
        >>> logits = minigrad.tensor([[1.0, 2.0, 3.0]])  # (N, C)
        >>> minigrad.log_softmax(logits, dim=1)
        tensor([[-2.4076, -1.4076, -0.4076]])
        >>> minigrad.log_softmax(logits, dim=1).exp().sum(dim=1)  # probabilities sum to 1
        tensor([1.])
    """
    input = _float_input(input, dtype, "log_softmax")
    if dim is None:
        dim = _implicit_softmax_dim("log_softmax", input.ndim)
    return _softmax.LogSoftmax.apply(input, axis=normalize_dim(dim, input.ndim))


def _float_input(input: Tensor, dtype, name: str) -> Tensor:
    _check_tensor(input, name)
    if dtype is not None:
        return cast(input, dtype)
    if not input.is_floating_point():  # PyTorch has no integer softmax either
        raise NotImplementedError(
            f"{name} is not implemented for {input.dtype} tensors (PyTorch computes it in "
            f"floating point only): convert with .float(), or pass dtype=minigrad.float32"
        )
    return input


def legacy_reduction(size_average, reduce, stacklevel: int = 3) -> str:
    """PyTorch's reading of the deprecated ``size_average`` and ``reduce`` arguments of its
    losses (kept so that calls line up with PyTorch's signatures), with its warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return reduction


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """The cross-entropy between logits and class indices, fused and numerically stable.

    ``input`` is (N, C) or (N, C, d1, ...) unnormalised scores, or (C,) for one sample;
    ``target`` holds class indices in ``[0, C)`` with the shape of ``input`` minus the class
    dim. ``weight`` rescales each class; targets equal to ``ignore_index`` are skipped;
    ``reduction`` is ``"mean"`` (over the total weight), ``"sum"`` or ``"none"``
    (``size_average`` and ``reduce`` are PyTorch's deprecated spellings of it).

    ``label_smoothing`` (in [0, 1]) mixes the one-hot target with the uniform distribution:
    the loss becomes ``(1 - s) * nll + s / C * sum_c (-w_c * log_softmax(x)_c)``, with the
    second term reduced like the first (for 'mean', over the same total weight), as in
    PyTorch.

    Example:
        >>> import minigrad
        >>> logits = minigrad.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> minigrad.cross_entropy(logits, minigrad.tensor([0, 1]))
        tensor(0.1269)
        >>> minigrad.cross_entropy(logits, minigrad.tensor([0, 1]), label_smoothing=0.2)
        tensor(0.3269)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if label_smoothing:
        return _smoothed_cross_entropy(input, target, weight, ignore_index, reduction,
                                       label_smoothing)  # fmt: skip
    return _class_loss(
        _softmax.CrossEntropy, "cross_entropy", input, target, weight, ignore_index, reduction
    )


def _smoothed_cross_entropy(input, target, weight, ignore_index, reduction, smoothing):
    """:func:`cross_entropy` with ``label_smoothing`` (its own primitive)."""
    # Stricter than PyTorch, which runs a negative or NaN value as 0 (no smoothing): an
    # error here beats a silent no-op.
    if not 0.0 <= smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {smoothing}")
    return _class_loss(
        _softmax.CrossEntropyWithSmoothing, "cross_entropy", input, target, weight,
        ignore_index, reduction, label_smoothing=float(smoothing),
    )  # fmt: skip


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of log-probabilities (for example ``log_softmax``
    outputs) at class indices; shapes and options as in :func:`cross_entropy`.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> log_probs = F.log_softmax(minigrad.tensor([[2.0, 0.0]]), dim=1)
        >>> F.nll_loss(log_probs, minigrad.tensor([0]))
        tensor(0.1269)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    return _class_loss(_softmax.NLLLoss, "nll_loss", input, target, weight, ignore_index, reduction)


def _class_loss(op, name, input, target, weight, ignore_index, reduction, **options) -> Tensor:
    """Apply a loss primitive over class indices: flatten any extra dimensions
    (N, C, d1, ...) into rows (N * d1 * ..., C), and check the targets' range."""
    single = isinstance(input, Tensor) and isinstance(target, Tensor) and input.ndim == 1
    if single:
        input, target = unsqueeze(input, 0), unsqueeze(target, 0)
    if not _class_loss_ok(input, target, weight, reduction):
        _class_loss_error(name, input, target, weight, reduction, single)  # says what
    classes = input.shape[1]
    rows = target.shape  # the shape of the loss, for reduction='none'
    if input.ndim > 2:
        input = reshape(movedim_last(input, 1), (target.numel(), classes))
        target = reshape(target, (target.numel(),))
    if target.dtype != _dtypes.int64:  # so that ignore_index=-100 fits (uint8 labels, say)
        target = cast(target, _dtypes.int64)
    _check_targets(target, classes, ignore_index)
    # A weight over no classes picks nothing (every target is ignore_index): without it
    # the loss is PyTorch's (0; nan for 'mean'), where the primitive would index it.
    w = None if weight is None or classes == 0 else weight._data.astype(input.dtype, copy=False)
    loss = op.apply(input, target, weight=w, ignore_index=ignore_index, reduction=reduction,
                    **options)  # fmt: skip
    if reduction == "none":
        return reshape(loss, () if single else tuple(rows))
    return loss


def _class_loss_ok(input, target, weight, reduction) -> bool:
    """Whether the arguments of a loss over class indices are right (checked in one
    condition; :func:`_class_loss_error` says what is wrong when they are not)."""
    return (
        isinstance(input, Tensor) and isinstance(target, Tensor) and input.ndim >= 2
        and reduction in ("mean", "sum", "none") and input.dtype.kind == "f"
        and target.dtype in (_dtypes.int64, _dtypes.uint8) and input.device is target.device
        and tuple(target.shape) == (input.shape[0], *input.shape[2:])
        and (weight is None or (isinstance(weight, Tensor)
             and tuple(weight.shape) == (input.shape[1],)))
    )  # fmt: skip


def _check_targets(target: Tensor, classes: int, ignore_index: int) -> None:
    """Out-of-range targets are a user error; on the GPU they would index out of bounds."""
    t = target._data
    if t.size == 0:
        return
    on_device = fastpath.active.get((_check_targets, target.device.type))
    if on_device is not None:  # a GPU: checked there, reported at the next read
        on_device(target, classes, ignore_index)
        return
    xp = target.device.xp
    bad = xp.logical_and(xp.logical_or(t < 0, t >= classes), t != ignore_index)
    if bool(bad.any()):
        first = backend.to_host(t[bad]).reshape(-1)[0]
        raise IndexError(f"Target {first} is out of bounds: there are {classes} classes")


def _class_loss_error(name, input, target, weight, reduction, single) -> None:
    """Raise the error that says what is wrong with the arguments of a loss over class
    indices (``input`` and ``target`` with the batch dim added when ``single``)."""
    _check_tensor(input, name)
    _check_tensor(target, name)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if not input.is_floating_point():
        raise RuntimeError(f"{name}: input must be floating point, got {input.dtype}")
    if target.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: target must hold class indices (an integer tensor), got {target.dtype}; "
            "probabilities as targets are not supported"
        )
    if target.dtype not in (_dtypes.int64, _dtypes.uint8):
        raise RuntimeError(
            f"{name}: expected target dtype to be Long or Byte (int64 or uint8), but got "
            f"{target.dtype}; convert the targets with .long()"
        )
    if input.device is not target.device:
        raise RuntimeError(
            f"{name}: expected all tensors to be on the same device, but found at least two "
            f"devices, {input.device} and {target.device}"
        )
    expected = (input.shape[0], *input.shape[2:]) if input.ndim >= 2 else None
    if expected is None or tuple(target.shape) != expected:
        shapes = [tuple(t.shape)[1:] if single else tuple(t.shape) for t in (input, target)]
        expected = () if single else expected
        raise ValueError(
            f"{name}: input of shape {shapes[0]} needs a target of shape "
            f"{expected}, got {shapes[1]}"
        )
    _check_tensor(weight, name)
    raise ValueError(
        f"{name}: weight must have shape ({input.shape[1]},), got {tuple(weight.shape)}"
    )


def movedim_last(input: Tensor, dim: int) -> Tensor:
    """Move dimension ``dim`` to the end."""
    dims = [d for d in range(input.ndim) if d != dim] + [dim]
    return permute(input, tuple(dims))


# ----------------------------------------------------------------------------------------
# Shapes
# ----------------------------------------------------------------------------------------


def _infer_shape(shape: tuple[int, ...], numel: int, old: tuple[int, ...]) -> tuple[int, ...]:
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1 or builtins.any(n < -1 for n in shape):
        raise RuntimeError(f"invalid shape {shape}: only one dimension can be -1")
    if unknown:
        known = int(np.prod([n for n in shape if n != -1]))
        if known == 0 or numel % known:
            raise RuntimeError(f"shape {shape} is invalid for input of shape {old}")
        shape = tuple(numel // known if n == -1 else n for n in shape)
    if int(np.prod(shape)) != numel:
        raise RuntimeError(f"shape {shape} is invalid for input of shape {old} ({numel} elements)")
    return shape


def reshape(input: Tensor, shape) -> Tensor:
    """The same elements in a new shape (one dim may be -1); a view when possible.

    Example:
        >>> import minigrad
        >>> minigrad.reshape(minigrad.arange(6), (2, -1)).shape
        (2, 3)
    """
    _check_tensor(input, "reshape")
    shape = _infer_shape(shape_arg((shape,)), input.numel(), tuple(input.shape))
    return movement.Reshape.apply(input, shape=shape)


def view(input: Tensor, shape) -> Tensor:
    """Like :func:`reshape`, but always a view: raises if the strides do not allow one."""
    _check_tensor(input, "view")
    shape = _infer_shape(shape_arg((shape,)), input.numel(), tuple(input.shape))
    try:
        return movement.Reshape.apply(input, shape=shape, must_be_view=True)
    except ValueError:
        raise RuntimeError(
            f"view size {shape} is not compatible with the input's size {tuple(input.shape)} "
            "and strides (it is not contiguous). Use .reshape(...) instead."
        ) from None


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view).

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2, 3, 4)
        >>> minigrad.transpose(x, 0, 2).shape
        (4, 3, 2)
    """
    _check_tensor(input, "transpose")
    a, b = normalize_dim(dim0, input.ndim), normalize_dim(dim1, input.ndim)
    dims = list(range(input.ndim))
    if dims:  # a 0-d tensor has nothing to swap
        dims[a], dims[b] = dims[b], dims[a]
    return movement.Permute.apply(input, dims=tuple(dims))


def permute(input: Tensor, dims) -> Tensor:
    """Reorder the dimensions (a view): output dim i is input dim ``dims[i]``.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2, 3, 4)  # for example (N, H, W)
        >>> minigrad.permute(x, (2, 0, 1)).shape
        (4, 2, 3)
    """
    _check_tensor(input, "permute")
    dims = tuple(normalize_dim(d, input.ndim) for d in shape_arg((dims,)))
    if sorted(dims) != list(range(input.ndim)):
        raise RuntimeError(
            f"permute: dims {dims} must be a permutation of the {input.ndim} dimensions"
        )
    return movement.Permute.apply(input, dims=dims)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` to ``end_dim`` into one.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(8, 1, 28, 28)  # (N, C, H, W)
        >>> minigrad.flatten(x).shape, minigrad.flatten(x, start_dim=1).shape
        ((6272,), (8, 784))
    """
    _check_tensor(input, "flatten")
    if input.ndim == 0:
        normalize_dim(start_dim, 0), normalize_dim(end_dim, 0)  # only 0 or -1 (IndexError)
        return reshape(input, (1,))
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input  # nothing to merge: PyTorch returns the tensor itself
    shape = input.shape
    merged = int(np.prod(shape[start : end + 1]))
    return movement.Reshape.apply(input, shape=(*shape[:start], merged, *shape[end + 1 :]))


@numpy_names
def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove dimensions of size 1 (all of them, or those in ``dim`` that have size 1).

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2, 1, 3, 1)
        >>> minigrad.squeeze(x).shape, minigrad.squeeze(x, 1).shape
        ((2, 3), (2, 3, 1))
    """
    _check_tensor(input, "squeeze")
    if isinstance(dim, list | tuple) and not dim:
        return reshape(input, input.shape)  # squeeze(()) squeezes nothing, as in PyTorch
    dims = normalize_dims(dim, input.ndim)
    if dims is None:
        dims = range(input.ndim)
    shape = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    return reshape(input, shape)


@numpy_names
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim`` (negative counts from the new end).

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(3)
        >>> minigrad.unsqueeze(x, 0).shape, minigrad.unsqueeze(x, -1).shape
        ((1, 3), (3, 1))
    """
    _check_tensor(input, "unsqueeze")
    position = normalize_dim(dim, input.ndim + 1)
    shape = list(input.shape)
    shape.insert(position, 1)
    return reshape(input, tuple(shape))


def expand(input: Tensor, shape) -> Tensor:
    """A broadcast view with a larger shape; -1 keeps a size. Sizes of 1 may grow.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0], [2.0]])  # (2, 1)
        >>> minigrad.expand(x, (2, 3))
        tensor([[1., 1., 1.],
                [2., 2., 2.]])
        >>> x.expand(4, -1, -1).shape  # a new leading dim of 4
        (4, 2, 1)
    """
    _check_tensor(input, "expand")
    shape = shape_arg((shape,))
    if len(shape) < input.ndim:
        raise RuntimeError(
            f"expand: the number of sizes {len(shape)} must be at least the number of "
            f"dimensions of the tensor ({input.ndim})"
        )
    lead = len(shape) - input.ndim
    resolved = []
    for i, n in enumerate(shape):
        old = input.shape[i - lead] if i >= lead else None
        if n == -1:
            if old is None:
                raise RuntimeError("expand: -1 is not allowed in a new leading dimension")
            n = old
        if old is not None and old != n and old != 1:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({n}) must match the existing size "
                f"({old}) at non-singleton dimension {i}. Target sizes: {shape}. Tensor "
                f"sizes: {tuple(input.shape)}"
            )
        resolved.append(n)
    return movement.Expand.apply(input, shape=tuple(resolved))


def index_key(key, tensor: Tensor):
    """Turn an index into one NumPy/CuPy understands, and say whether it is basic."""
    items = key if isinstance(key, tuple) else (key,)
    basic = True
    converted = []
    for item in items:
        if isinstance(item, Tensor):
            if item.device is not tensor.device and item.device.type != "cpu":
                # As in PyTorch: CPU indices serve any tensor (they are copied over), but
                # indices on a GPU index only tensors on that GPU.
                raise RuntimeError(
                    f"indices should be either on cpu or on the same device as the indexed "
                    f"tensor ({tensor.device}), but they are on {item.device}"
                )
            if item.dtype.kind not in "iub":
                raise IndexError(
                    f"tensors used as indices must be integer or bool tensors, got {item.dtype}"
                )
            item = tensor.device.move(item._data)
            if item.dtype == np.uint8:  # PyTorch reads a uint8 index as a (deprecated) mask
                warnings.warn(
                    "indexing with dtype uint8 is deprecated, please use a dtype bool instead "
                    "(it is read as a mask, as in PyTorch)",
                    UserWarning,
                    stacklevel=3,
                )
                item = item.astype(bool)
            basic = False
        elif isinstance(item, list | tuple) or backend.is_array(item):
            if isinstance(item, list | tuple):  # (a tuple inside the key is a list, as in
                item = np.asarray(item)  # PyTorch; an empty one indexes nothing: int64)
                if item.size == 0:
                    item = item.astype(np.int64)
            item = tensor.device.move(item)  # a list, or an array from any device
            basic = False
        elif isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ValueError(
                    f"step must be greater than zero (got the slice {item.start}:{item.stop}:"
                    f"{item.step}; minigrad.flip is not there yet: index with a reversed "
                    f"arange instead)"
                )
        elif not (item is None or item is Ellipsis or isinstance(item, int | np.integer)):
            raise IndexError(f"unsupported index of type {type(item).__name__}")
        converted.append(item)
    return (tuple(converted) if isinstance(key, tuple) else converted[0]), basic


def _check_index_bounds(key, shape: tuple[int, ...]) -> None:
    """Raise IndexError for an out-of-range integer index array.

    NumPy raises by itself; CuPy wraps such indices around silently (and would scatter
    gradients to the wrong elements), so on a GPU they are checked here, at the cost of
    one wait for the device.
    """
    items = key if isinstance(key, tuple) else (key,)

    def width(item) -> int:  # how many dimensions of the tensor an index item consumes
        if item is None or item is Ellipsis:
            return 0
        return item.ndim if backend.is_array(item) and item.dtype.kind == "b" else 1

    dim = 0
    for item in items:
        if item is Ellipsis:
            dim += len(shape) - builtins.sum(width(i) for i in items)
        elif backend.is_array(item) and item.dtype.kind in "iu" and item.size:
            size = shape[dim]
            if bool(((item < -size) | (item >= size)).any()):
                raise IndexError(
                    f"index out of range for dimension {dim} with size {size} "
                    f"(indexing a tensor of shape {tuple(shape)})"
                )
        dim += width(item)


def integers_first(key):
    """Split an index that mixes integers with advanced indices (arrays) into two that
    are applied one after the other: the integers alone (a basic index, giving a view),
    then the rest. That is PyTorch's reading: ``x[0, :, [0, 1]]`` is ``x[0][:, [0, 1]]``.
    NumPy instead counts the integer as one more advanced index, which moves the array
    dimensions to the front when the advanced indices are not side by side.
    Returns ``(None, key)`` when there is nothing to split."""
    items = key if isinstance(key, tuple) else (key,)
    if not builtins.any(isinstance(i, int | np.integer) and not isinstance(i, bool)
                        for i in items):  # fmt: skip
        return None, key
    first, rest = [], []
    for item in items:
        if isinstance(item, int | np.integer) and not isinstance(item, bool):
            first.append(item)  # the dimension goes: nothing of it in the second index
        elif item is Ellipsis or item is None:
            first.append(item)
            rest.append(item if item is Ellipsis else slice(None))  # None made a new dim
        else:
            width = item.ndim if backend.is_array(item) and item.dtype.kind == "b" else 1
            first.extend([slice(None)] * width)
            rest.append(item)
    return tuple(first), tuple(rest)


def getitem(input: Tensor, key) -> Tensor:
    """``input[key]``: ints, slices, None, Ellipsis, and integer or bool tensors/arrays."""
    key, basic = index_key(key, input)
    if not basic:
        selected, key = integers_first(key)
        if selected is not None:
            input = movement.GetItem.apply(input, key=selected, basic=True)
    if not basic and input.device.type != "cpu":
        _check_index_bounds(key, input.shape)
    try:
        return movement.GetItem.apply(input, key=key, basic=basic)
    except IndexError as error:
        raise IndexError(f"{error} (indexing a tensor of shape {tuple(input.shape)})") from None


def _sequence_of_tensors(tensors, name: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, list | tuple):
        raise TypeError(f"{name}() expects a list or tuple of tensors")
    if not tensors:
        raise RuntimeError(f"{name}() expects a non-empty list of tensors")
    for t in tensors:
        _check_tensor(t, name)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = _dtypes.promote_types(dtype, t.dtype)
    return [t if t.dtype == dtype else cast(t, dtype) for t in tensors]


@numpy_names
def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension.

    Example:
        >>> import minigrad
        >>> minigrad.cat([minigrad.ones(2, 3), minigrad.zeros(1, 3)]).shape
        (3, 3)
    """
    inputs = _sequence_of_tensors(tensors, "cat")
    tensors, skip = inputs, ()
    if builtins.any(t.shape != (0,) for t in inputs):  # PyTorch's legacy rule: an empty
        skip = tuple(i for i, t in enumerate(inputs) if t.shape == (0,))  # 1-D tensor
        tensors = [t for t in inputs if t.shape != (0,)]  # joins anything
    ndim = tensors[0].ndim
    if ndim == 0:
        raise RuntimeError("cat(): zero-dimensional tensor cannot be concatenated")
    axis = normalize_dim(dim, ndim)
    for i, t in enumerate(tensors):
        same = t.ndim == ndim and all_equal_except(t.shape, tensors[0].shape, axis)
        if not same:
            raise RuntimeError(
                f"cat(): sizes of tensors must match except in dimension {axis}; tensor 0 has "
                f"shape {tuple(tensors[0].shape)} and tensor {i} has shape {tuple(t.shape)}"
            )
    return movement.Cat.apply(*inputs, axis=axis, skip=skip)


def all_equal_except(a: tuple, b: tuple, axis: int) -> bool:
    return builtins.all(x == y for i, (x, y) in enumerate(zip(a, b)) if i != axis)


@numpy_names
def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension.

    Example:
        >>> import minigrad
        >>> a, b = minigrad.zeros(2, 3), minigrad.ones(2, 3)
        >>> minigrad.stack([a, b]).shape, minigrad.stack([a, b], dim=2).shape
        ((2, 2, 3), (2, 3, 2))
    """
    tensors = _sequence_of_tensors(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(tensors[0].shape)} "
                f"at entry 0 and {tuple(t.shape)} at entry {i}"
            )
    axis = normalize_dim(dim, tensors[0].ndim + 1)
    return movement.Stack.apply(*tensors, axis=axis)


def pad(input: Tensor, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad with a constant, PyTorch's ``nn.functional.pad`` convention.

    ``pad`` lists (before, after) amounts starting from the *last* dimension:
    ``(left, right)`` pads the last dim, ``(left, right, top, bottom)`` the last two, and so
    on. Negative amounts crop.

    Example:
        >>> import minigrad
        >>> minigrad.pad(minigrad.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    _check_tensor(input, "pad")
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"pad: the padding {pad} must have an even length of at most 2 * {input.ndim} "
            "(two amounts per dimension, last dimension first)"
        )
    if not builtins.all(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in pad):
        raise TypeError(f"pad: the amounts must be ints, got {pad}")
    pairs = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        pairs[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    for n, (before, after) in zip(input.shape, pairs):
        # The crops (negative amounts) come off the input itself, so they must fit in it.
        if n + builtins.min(before, 0) + builtins.min(after, 0) < 0 or n + before + after < 0:
            raise ValueError(f"pad: padding {pad} crops more than shape {input.shape} holds")
    value = 0 if value is None else value
    grows = builtins.any(n > 0 for pair in pairs for n in pair)  # else no value is written
    if grows and not converts_without_overflow(float(value), input.dtype):  # as a float:
        raise RuntimeError(  # even -1 does not wrap into uint8 here, as in PyTorch
            f"pad: value {value} cannot be converted to type {input.dtype} without overflow"
        )
    return movement.Pad.apply(input, pairs=tuple(pairs), value=value if grows else 0)
