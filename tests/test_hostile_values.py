"""``tensor()`` from Python numbers that do not fit: PyTorch's errors, not a wrong value
(issue 22). Every expectation here is what torch 2.13 does with the same call."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("data", "dtype", "value"),
    [
        ([-1, 2**63], None, 2**63),  # NumPy made this float64 [-1, 9.2e18]
        ([2**63], None, 2**63),  # NumPy: uint64
        (2**100, None, 2**100),  # NumPy: an object array
        ([1, -(2**63) - 1], None, -(2**63) - 1),
        ([2**64 - 1], minigrad.uint8, 2**64 - 1),
        ([[1, 2], [3, 2**70]], minigrad.int64, 2**70),
    ],
)
def test_ints_beyond_int64_overflow_as_in_pytorch(data, dtype, value):
    with pytest.raises(ValueError, match=f"Overflow when unpacking long long: {value} is "):
        minigrad.tensor(data, dtype=dtype)


def test_ints_beyond_int64_convert_to_a_float_dtype():
    assert minigrad.tensor([2**63], dtype=minigrad.float32).tolist() == [2.0**63]
    assert minigrad.tensor([1, 2**100], dtype=minigrad.float64).tolist() == [1.0, 2.0**100]


@pytest.mark.parametrize(
    ("data", "dtype", "shown"),
    [
        ([NAN], minigrad.int64, "nan"),  # NumPy gave -9223372036854775808 and a warning
        (NAN, minigrad.int64, "nan"),
        ([1.0, INF], minigrad.int64, "inf"),
        ([-INF], minigrad.int32, "-inf"),
        ([1e30], minigrad.int64, "1e+30"),
        ([9.3e18], minigrad.int64, "9.3e+18"),
        ([300], minigrad.int8, "300"),  # not wrapped to 44
        ([2**40], minigrad.int32, str(2**40)),
        ([256], minigrad.uint8, "256"),
        ([-256], minigrad.uint8, "-256"),
        ([-1.0], minigrad.uint8, "-1.0"),
        ([-0.5], minigrad.uint8, "-0.5"),
        ([255.5], minigrad.uint8, "255.5"),
        ([127.9], minigrad.int8, "127.9"),
        ([True, 300], minigrad.uint8, "300"),
        ([NAN], minigrad.uint8, "nan"),
    ],
)
def test_values_outside_an_integer_dtype_raise_as_in_pytorch(data, dtype, shown):
    message = f"value cannot be converted to type {np.dtype(dtype).name} without overflow: {shown} "
    with pytest.raises(RuntimeError, match=message.replace("+", r"\+").replace(".", r"\.")):
        minigrad.tensor(data, dtype=dtype)


@pytest.mark.parametrize(
    ("data", "dtype", "expected", "expected_dtype"),
    [
        ([1.7, -1.7], minigrad.int64, [1, -1], minigrad.int64),  # truncated toward zero
        ([9.2e18], minigrad.int64, [9200000000000000000], minigrad.int64),
        ([-1, 2], minigrad.uint8, [255, 2], minigrad.uint8),  # PyTorch wraps down to -255
        ([-255], minigrad.uint8, [1], minigrad.uint8),
        ([True, 2, 3.5], None, [1.0, 2.0, 3.5], minigrad.float32),
        ([True, 2], None, [1, 2], minigrad.int64),
        ([True, 2.5], None, [1.0, 2.5], minigrad.float32),
        ([NAN, 0.0, 2], minigrad.bool, [True, False, True], minigrad.bool),
        ([1e300], None, [INF], minigrad.float32),  # too large for float32: inf, silently
        ([1e5], minigrad.float16, [INF], minigrad.float16),
        ([2**63 - 1], None, [2**63 - 1], minigrad.int64),
        ([0.1], minigrad.float64, [0.1], minigrad.float64),  # was float32's 0.10000000149
        ([], None, [], minigrad.float32),
    ],
)
def test_values_pytorch_converts_convert_alike(data, dtype, expected, expected_dtype):
    t = minigrad.tensor(data, dtype=dtype)  # and no NumPy warning (they are errors here)
    assert t.dtype == expected_dtype and t.tolist() == expected
