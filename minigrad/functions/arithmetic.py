"""Arithmetic: ``add``, ``sub``, ``mul``, ``div``, ``pow``, the unary math, ``relu``,
``maximum``, ``minimum``, ``clamp``, ``where`` and ``matmul``.

Each checks its operands, promotes them with PyTorch's rules (``args._promote``), and
calls one primitive of ``ops/elementwise.py`` or ``ops/linalg.py``.
"""

from __future__ import annotations

import builtins

from .. import autocast_mode, backend
from .. import autograd as _autograd
from .. import dtypes as _dtypes
from ..ops import elementwise, linalg, pointwise
from ..tensor import Tensor
from .args import (
    _NUMBER,
    _as_operand,
    _binary,
    _broadcast_error,
    _broadcastable,
    _check_tensor,
    _check_tensors,
    _operands,
    _promote,
    cast,
    clone,
    converts_without_overflow,
)

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
        if not isinstance(other, Tensor):
            return input, builtins.bool(other and alpha)  # (True * True is the int 1)
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


def div(input, other, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other`` (true division: integer inputs give float32), broadcasting. With
    ``rounding_mode`` "trunc" or "floor" the quotient is rounded towards zero or down,
    keeps the promoted dtype (integers stay integers), and has gradient 0, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.div(minigrad.tensor([1, 2, 3]), 2)  # int / int gives float32
        tensor([0.5000, 1.0000, 1.5000])
        >>> minigrad.div(minigrad.tensor([-7, 7]), 2, rounding_mode="trunc")
        tensor([-3,  3])
    """
    if rounding_mode is not None:
        ops = {"trunc": pointwise.DivTrunc, "floor": pointwise.DivFloor}
        if rounding_mode not in ops:
            raise ValueError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        return _binary(ops[rounding_mode], "div", input, other)
    if (
        isinstance(input, Tensor)
        and input._data.dtype.kind == "f"
        and (type(other) in _NUMBER or (isinstance(other, Tensor) and other.dtype == input.dtype))
    ):  # the common case: nothing to promote
        return _binary(elementwise.Div, "div", input, other)
    return _binary(elementwise.Div, "div", *_as_floats(input, other), given=(input, other))


def _as_floats(a, b):
    """Both operands in the floating type of a true division: the promoted type, or the
    default float for integers. Integer operands are converted, not wrapped into the
    integer type first (``uint8 tensor / -1`` divides by -1, as in PyTorch)."""
    a, b = _operands(a, b)
    dtype = _dtypes.result_type(a, b)
    if not _dtypes.is_floating(dtype):
        dtype = _dtypes.get_default_dtype()
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
    if input.dtype == _dtypes.bool:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return elementwise.Neg.apply(input)


def _unary_float(op, name: str, input: Tensor) -> Tensor:
    _check_tensor(input, name)
    if not input.is_floating_point():
        input = cast(input, _dtypes.get_default_dtype())
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
        tensor([0.0000, 1.0000])
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
        tensor([0.0000, 0.7616])
    """
    return _unary_float(elementwise.Tanh, "tanh", input)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))``, computed so that it never overflows.

    Example:
        >>> import minigrad
        >>> minigrad.sigmoid(minigrad.tensor([-1000.0, 0.0, 1000.0]))
        tensor([0.0000, 0.5000, 1.0000])
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
        tensor([1.5000, 0.0000, 2.0000])
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
        (tensor([0.0000, 0.5000]), tensor([1.0000, 0.5000]))
    """
    _check_tensors("maximum", input, other)
    return _binary(elementwise.Maximum, "maximum", input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum; where both are equal, each gets half the gradient.

    Example:
        >>> import minigrad
        >>> minigrad.minimum(minigrad.tensor([1.0, 5.0]), minigrad.tensor([3.0, 2.0]))
        tensor([1., 2.])
    """
    _check_tensors("minimum", input, other)
    return _binary(elementwise.Minimum, "minimum", input, other)


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit ``input`` to ``[min, max]``; either bound may be None, a number or a tensor.

    The gradient flows where the input lies inside the closed interval, as in PyTorch; a
    tensor bound gets it where it was the result (see ``ops.elementwise.ClampByTensors``).
    ``minigrad.clip`` is another name for it.

    Example:
        >>> import minigrad
        >>> minigrad.clamp(minigrad.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
        tensor([0.0000, 0.5000, 1.0000])
    """
    _check_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    bounds = [None if b is None else _as_operand(b, input) for b in (min, max)]
    given = input
    dtype = _dtypes.result_type(input, *_clamp_operands(bounds))
    if dtype != input.dtype:  # PyTorch's promotion: an int tensor clamped to 2.5 is float32
        input = cast(input, dtype)
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
    try:
        out = elementwise.ClampByTensors.apply(input, low, high)
    except ValueError:
        given_bounds = [b for b in (low, high) if b is not None]
        if not _broadcastable(input, *given_bounds):
            raise _broadcast_error("clamp", input, *given_bounds) from None
        raise
    # The bounds were converted (copied): PyTorch saves them, and the input, as given.
    _autograd._keep_versions(out, given, *(b for b in bounds if isinstance(b, Tensor)))
    return out


clip = clamp


def _clamp_operands(bounds) -> list:
    """The bounds as PyTorch's type promotion sees them. With a number among them, PyTorch
    takes its overload for number bounds, where a 0-d tensor bound counts as a number of
    its kind (a 0-d float64 bound brings the default float, as 0.5 would)."""
    given = [b for b in bounds if b is not None]
    if builtins.all(isinstance(b, Tensor) for b in given):
        return given
    return [_NUMBER_OF_KIND[b.dtype.kind] if isinstance(b, Tensor) and b.ndim == 0 else b
            for b in given]  # fmt: skip


_NUMBER_OF_KIND = {"b": False, "i": 0, "u": 0, "f": 0.0}


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


@autocast_mode.casts(cpu="lower", cuda="lower")
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product, with NumPy's (and PyTorch's) rules for vectors and batches.

    Example:
        >>> import minigrad
        >>> minigrad.matmul(minigrad.ones(2, 3), minigrad.ones(3, 4)).shape
        minigrad.Size([2, 4])
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
