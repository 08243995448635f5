"""Python numbers, and nested lists of them, as NumPy arrays with PyTorch's dtypes.

``minigrad.tensor(data)`` comes here for data that is not already an array: Python floats
become float32 (the default float type), ints int64 and bools bool, and values that
PyTorch refuses (an int past int64, 300 as int8, NaN as an integer) raise PyTorch's error
instead of being converted wrongly, as NumPy alone would.
"""

from __future__ import annotations

import builtins

import numpy as np

from . import dtypes as _dtypes


def from_python(data, dtype) -> np.ndarray:
    """Python numbers (nested lists of them) as an array of ``dtype``, or of the dtype
    PyTorch infers, raising where PyTorch raises instead of converting wrongly.

    NumPy turns ints past int64 into uint64, float64 or object arrays, and casts NaN, inf
    and out-of-range floats to integers as arbitrary values. PyTorch refuses both:

    * an int outside int64 (``2**63``, ``-2**63 - 1``) raises ``ValueError: Overflow when
      unpacking long long``, unless ``dtype`` is a float type;
    * a value outside an integer ``dtype``'s range (``300`` as int8, NaN, inf, ``255.5``
      as uint8) raises ``RuntimeError: value cannot be converted to type ... without
      overflow``; floats inside it are truncated toward zero; for uint8, negative ints
      down to -255 wrap (``-1`` is 255), as in PyTorch;
    * a float too large for a float ``dtype`` becomes inf, silently.

    Floats are kept in float64 until the one cast to ``dtype``, so that
    ``tensor([0.1], dtype=float64)`` is 0.1, not float32's nearest value.
    """
    if isinstance(data, np.generic):
        return np.asarray(data)
    try:
        raw = np.asarray(data)
    except ValueError as error:
        raise ValueError(f"cannot make a tensor from ragged or mixed data: {error}") from None
    if raw.dtype == object or raw.dtype == np.uint64 or raw.dtype == np.float64:
        huge = first_int_beyond_int64(data)
        if huge is not None:
            if dtype is None or dtype.kind != "f":
                raise ValueError(
                    f"Overflow when unpacking long long: {huge} is outside int64's range "
                    f"[-2**63, 2**63 - 1] (pass dtype=minigrad.float64 for a float tensor)"
                )
            raw = np.asarray(data, dtype=np.float64)
    if raw.dtype == object or raw.dtype.kind == "U":
        raise TypeError(f"cannot make a tensor from {type(data).__name__} data of that kind")
    if dtype is None:
        if raw.dtype != np.float64 or has_numpy_float64(data):
            return raw
        dtype = _dtypes.get_default_dtype()  # Python floats: the default float type
    if dtype.kind in "iu" and raw.dtype.kind in "iuf":
        check_range(raw, dtype)
    with np.errstate(over="ignore"):  # float64 -> float16/32 overflow is inf, as in PyTorch
        return raw.astype(dtype)


def first_int_beyond_int64(data):
    """The first Python int in ``data`` that int64 cannot hold, or None."""
    values = flat(data) if isinstance(data, list | tuple) else (data,)
    for x in values:
        if type(x) is builtins.int and not -(2**63) <= x < 2**63:
            return x
    return None


def check_range(raw: np.ndarray, dtype: np.dtype) -> None:
    """Raise PyTorch's error, naming the first offending value, if ``raw`` holds a value
    that the integer ``dtype`` cannot represent (NaN and inf included)."""
    info = np.iinfo(dtype)
    low, high = info.min, info.max
    if raw.dtype.kind == "f":
        # Compare in float64 against bounds that are themselves exact: 2**63 - 1 rounds up
        # to 2**63, which must not pass.
        high = np.nextafter(np.float64(high), 0) if np.float64(high) > high else high
        with np.errstate(invalid="ignore"):
            bad = ~((raw >= low) & (raw <= high))  # NaN compares False: it is bad
    else:
        if dtype == np.uint8:
            low = -255  # PyTorch wraps negative ints into uint8 down to -255
        bad = (raw < low) | (raw > high)
    if bad.any():
        value = raw[bad].flat[0].item()
        raise RuntimeError(
            f"value cannot be converted to type {dtype.name} without overflow: {value!r} "
            f"(the range of {dtype.name} is [{info.min}, {info.max}])"
        )


def has_numpy_float64(data) -> bool:
    if isinstance(data, list | tuple):
        return any(isinstance(x, np.float64) for x in flat(data))
    return isinstance(data, np.float64)


def flat(data):
    for x in data:
        if isinstance(x, list | tuple):
            yield from flat(x)
        else:
            yield x
