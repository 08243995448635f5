"""``minigrad.testing``: PyTorch's helpers for tests, ``assert_close`` and ``make_tensor``.

:func:`assert_close` is the check a test writes after computing something two ways::

    minigrad.testing.assert_close(model(x), expected)

It passes when every element satisfies ``|actual - expected| <= atol + rtol * |expected|``,
with tolerances chosen by dtype unless given (float32: ``rtol=1.3e-6, atol=1e-5``, about
ten units in the last place; integers and booleans: equal), and otherwise raises an
``AssertionError`` saying how many elements differ, by how much and where. Before the
values it checks the shape, the device and the dtype. It compares tensors, NumPy arrays,
Python numbers, and lists, tuples and dicts of them, item by item, as PyTorch 2.13's does
(the same rules and the same messages).

:func:`make_tensor` makes a tensor of random values of a given shape and dtype, for the
inputs of such a test.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from . import creation
from . import dtypes as _dtypes
from .backend import to_host
from .tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype: PyTorch's defaults. Other dtypes (integers, bool) compare exactly.
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
    np.dtype(np.complex64): (1.3e-6, 1e-5),
    np.dtype(np.complex128): (1e-7, 1e-7),
}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise and its message."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg=None,
) -> None:
    """Raise an ``AssertionError`` unless ``actual`` and ``expected`` are close.

    Args:
        actual, expected: tensors, NumPy arrays, Python numbers, or (nested) sequences and
            mappings of them; a tensor is compared only with a tensor.
        rtol, atol: the relative and absolute tolerances; give both or neither (then they
            depend on the dtype: see the module's docstring).
        equal_nan: count NaN as equal to NaN.
        check_device, check_dtype: require the same device and dtype (without
            ``check_dtype`` both are promoted to a common dtype first).
        check_stride: also require the same strides.
        allow_subclasses: with False, a Parameter is not compared with a plain tensor.
        check_layout: accepted for PyTorch's programs (every tensor here is strided).
        msg: a message to raise instead of the generated one, or a function of the
            generated one that returns the message.

    Example:
        >>> import minigrad
        >>> from minigrad.testing import assert_close
        >>> assert_close(minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0, 2.0 + 1e-6]))
        >>> assert_close(minigrad.tensor([1.0, 2.0, 3.0]), minigrad.tensor([1.0, 2.5, 3.0]))
        Traceback (most recent call last):
        ...
        AssertionError: Tensor-likes are not close!
        <BLANKLINE>
        Mismatched elements: 1 / 3 (33.3%)
        Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
        Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}."
        )
    options = {
        "rtol": rtol,
        "atol": atol,
        "equal_nan": equal_nan,
        "check_device": check_device,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
        "allow_subclasses": allow_subclasses,
    }
    try:
        _compare(actual, expected, (), options)
    except _Mismatch as failure:
        message = failure.message
        if failure.kind is AssertionError and msg is not None:
            message = msg(message) if callable(msg) else msg
        raise failure.kind(message) from None


def _compare(actual, expected, path: tuple, options: dict) -> None:
    """Compare one pair, recursing into sequences and mappings; ``path`` names the item."""
    if _is_number(actual) and _is_number(expected):
        _at(path, _compare_numbers, actual, expected, options)
    elif isinstance(actual, Tensor | np.ndarray) or isinstance(expected, Tensor | np.ndarray):
        if not _same_array_kind(actual, expected, options["allow_subclasses"]):
            _no_pair(actual, expected)
        _at(path, _compare_arrays, actual, expected, options)
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            raise _Mismatch(
                AssertionError,
                f"The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {missing}\n"
                f"Additional keys in the actual mapping: {extra}",
            )
        for key in expected:
            _compare(actual[key], expected[key], (*path, key), options)
    elif _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, (*path, i), options)
    elif actual is None and expected is None:
        return
    else:
        _no_pair(actual, expected)


def _at(path: tuple, compare, actual, expected, options) -> None:
    """Run ``compare``; a failure inside a container says which item failed."""
    try:
        compare(actual, expected, options)
    except _Mismatch as failure:
        if path:
            where = "".join(f"[{key!r}]" for key in path)
            failure.message += f"\n\nThe failure occurred for item {where}"
        raise


def _no_pair(actual, expected):
    raise _Mismatch(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(actual)} and "
        f"{type(expected)}.",
    )


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, Tensor | np.ndarray)


def _is_sequence(value) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _same_array_kind(actual, expected, allow_subclasses: bool) -> bool:
    """Both tensors or both NumPy arrays (with ``allow_subclasses=False``, of one type)."""
    for kind in (Tensor, np.ndarray):
        if isinstance(actual, kind) and isinstance(expected, kind):
            return allow_subclasses or type(actual) is type(expected)
    return False


def _tolerances(dtype, options) -> tuple[float, float]:
    if options["rtol"] is not None:
        return options["rtol"], options["atol"]
    return _TOLERANCES.get(np.dtype(dtype), (0.0, 0.0))


def _compare_numbers(actual, expected, options) -> None:
    if isinstance(actual, bool) or isinstance(expected, bool):
        if type(actual) is not type(expected):
            raise _Mismatch(
                AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}."
            )
        if actual is not expected:
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    kind = _number_kind(actual)
    if not options["check_dtype"]:  # compared as the wider kind (int < float < complex)
        kinds = (int, float, complex)
        kind = max(kind, _number_kind(expected), key=kinds.index)
    elif kind != _number_kind(expected):
        raise _Mismatch(
            AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}."
        )
    dtype = {int: np.int64, float: np.float64, complex: np.complex128}[kind]
    rtol, atol = _tolerances(dtype, options)
    if _numbers_close(actual, expected, rtol, atol, options["equal_nan"]):
        return
    raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol))


def _number_kind(value) -> type:
    if isinstance(value, numbers.Integral):
        return int
    if isinstance(value, numbers.Real):
        return float
    return complex


def _numbers_close(actual, expected, rtol, atol, equal_nan) -> bool:
    if actual == expected:
        return True
    if _isnan(actual) or _isnan(expected):
        return equal_nan and _isnan(actual) and _isnan(expected)
    return abs(actual - expected) <= atol + rtol * abs(expected)


def _isnan(value) -> bool:
    return value != value


def _scalar_message(actual, expected, rtol, atol) -> str:
    difference = abs(actual - expected)
    relative = difference / abs(expected) if expected != 0 else math.inf
    return _mismatch_message(
        "Scalars", f"Expected {expected} but got {actual}.", difference, None, relative, None,
        rtol, atol,
    )  # fmt: skip


def _mismatch_message(what, extra, difference, at, relative, relative_at, rtol, atol) -> str:
    """PyTorch's report: what differs, then the greatest differences and where."""
    equality = rtol == 0 and atol == 0
    lines = [f"{what} are not {'equal' if equality else 'close'}!", "", extra]
    for name, value, index, tolerance in (
        ("absolute", difference, at, atol),
        ("relative", relative, relative_at, rtol),
    ):
        line = f"{name.title()} difference: {value}"
        if index is not None:
            line = f"Greatest {name} difference: {value} at index {index}"
        lines.append(line if equality else f"{line} (up to {tolerance} allowed)")
    return "\n".join(lines)


def _attributes(value):
    """(shape, device, dtype, strides in elements) of a tensor or a NumPy array."""
    if isinstance(value, Tensor):
        return value.shape, str(value.device), value.dtype, value.stride()
    strides = tuple(s // value.itemsize for s in value.strides)
    return value.shape, "cpu", value.dtype, strides


def _compare_arrays(actual, expected, options) -> None:
    a_shape, a_device, a_dtype, a_stride = _attributes(actual)
    e_shape, e_device, e_dtype, e_stride = _attributes(expected)
    checks = [("shape", a_shape, e_shape, True)]
    checks.append(("device", a_device, e_device, options["check_device"]))
    checks.append(("dtype", a_dtype, e_dtype, options["check_dtype"]))
    checks.append(("stride()", a_stride, e_stride, options["check_stride"]))
    for name, mine, theirs, wanted in checks:
        if wanted and mine != theirs:
            raise _Mismatch(
                AssertionError,
                f"The values for attribute '{name}' do not match: {mine} != {theirs}.",
            )
    a, e = _host(actual), _host(expected)
    if a.dtype != e.dtype:
        common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    if options["rtol"] is None:  # the looser of the two dtypes' tolerances
        pairs = [_tolerances(a_dtype, options), _tolerances(e_dtype, options)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    else:
        rtol, atol = options["rtol"], options["atol"]
    matches = _close(a, e, rtol, atol, options["equal_nan"])
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol))
    raise _Mismatch(AssertionError, _array_message(a, e, matches, rtol, atol))


def _host(value) -> np.ndarray:
    if isinstance(value, Tensor):
        return np.asarray(to_host(value.detach()._data))
    return value


def _close(a: np.ndarray, e: np.ndarray, rtol, atol, equal_nan) -> np.ndarray:
    """``|a - e| <= atol + rtol * |e|`` elementwise, infinities equal when equal, NaN as
    asked; computed in the inputs' dtype (booleans and integers compare exactly)."""
    if a.dtype.kind in "biu":
        if rtol == 0 and atol == 0:
            return a == e
        a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        within = np.abs(a - e) <= atol + rtol * np.abs(e)
    close = (a == e) | (within & np.isfinite(a) & np.isfinite(e))  # inf is close to inf only
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    return close


def _array_message(a, e, matches, rtol, atol) -> str:
    total, mismatched = matches.size, int(matches.size - matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    integers = a.dtype.kind in "biu"
    if integers:  # differences of integers, without wrapping around
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        difference = np.abs(a - e).reshape(-1)
        relative = difference / np.abs(e).reshape(-1)
    if integers:  # PyTorch divides integers into its default float dtype
        relative = relative.astype(np.float32)
    difference[matches.reshape(-1)] = 0
    relative[matches.reshape(-1)] = 0

    def greatest(values):  # the first NaN if there is one, as torch.max
        nan = np.isnan(values)
        i = int(np.argmax(nan)) if nan.any() else int(np.argmax(values))
        return values[i].item(), tuple(int(k) for k in np.unravel_index(i, a.shape))

    (diff, at), (rel, rel_at) = greatest(difference), greatest(relative)
    return _mismatch_message("Tensor-likes", extra, diff, at, rel, rel_at, rtol, atol)


def make_tensor(
    *shape,
    dtype,
    device=None,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format=None,
) -> Tensor:
    """A tensor of random values for a test: floats uniform in [low, high) (default
    [-9, 9)), integers in [low, high) (default [-9, 10), clipped to the dtype), booleans
    True or False; from minigrad's global generator.

    Args:
        shape: the sizes, as ints or one sequence.
        dtype, device: of the result (``device=None``: the CPU).
        low, high: the interval, clipped to what the dtype holds.
        requires_grad: for floating dtypes only.
        noncontiguous: give a view that skips every other element of the last dimension.
        exclude_zero: replace zeros with the dtype's smallest positive normal (floats) or 1.
        memory_format: accepted for PyTorch's programs, with ``noncontiguous`` refused.

    Example:
        >>> import minigrad
        >>> from minigrad.testing import make_tensor
        >>> x = make_tensor(2, 3, dtype=minigrad.float32, low=-1, high=1)
        >>> x.shape, bool((x.abs() <= 1).all())
        (minigrad.Size([2, 3]), True)
        >>> make_tensor((4,), dtype=minigrad.int64, low=5, high=6).tolist()
        [5, 5, 5, 5]
    """
    dtype = _dtypes.to_dtype(dtype)
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(
            f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
            f"but got noncontiguous={noncontiguous} and memory_format={memory_format}"
        )
    floating = dtype.kind in "fc"
    if requires_grad and not floating:
        raise ValueError(
            f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
            f"dtype={dtype}"
        )
    noncontiguous = noncontiguous and math.prod(shape) > 1
    drawn_shape = (*shape[:-1], 2 * shape[-1]) if noncontiguous else shape
    if dtype.kind == "b":
        low, high = _interval(low, high, dtype, 0, 2, 0, 2)
        result = creation.randint(low, high, drawn_shape, dtype=dtype, device=device)
    elif not floating:
        info = np.iinfo(dtype)
        top = int(info.max) + (1 if dtype != np.int64 else 0)
        low, high = _interval(low, high, dtype, int(info.min), top, -9, 10)
        result = creation.randint(low, high, drawn_shape, dtype=dtype, device=device)
    else:
        info = np.finfo(dtype)
        low, high = _interval(low, high, dtype, float(info.min), float(info.max), -9, 9)
        result = creation.empty(drawn_shape, dtype=dtype, device=device)
        if high - low >= float(info.max):  # the width would overflow: draw from the halves
            result.uniform_(low / 2, high / 2).mul_(2)
        else:
            result.uniform_(low, high)
    if exclude_zero:
        replacement = float(np.finfo(dtype).tiny) if floating else 1
        result.masked_fill_(result == 0, replacement)
    if noncontiguous:
        result = result[..., ::2]
    if requires_grad:
        result.requires_grad_(True)
    return result


def _interval(low, high, dtype, lowest, highest, default_low, default_high):
    """PyTorch's checks of ``low`` and ``high``, then both clipped to the dtype's range."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype.kind in "fc":
        warnings.warn(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
            "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=3,
        )
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(
            f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} "
            f"only supports [{lowest}, {highest})"
        )
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if dtype.kind in "biu":
        return math.ceil(low), math.ceil(high)
    return low, high
