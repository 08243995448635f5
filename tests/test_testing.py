"""``minigrad.testing``: ``assert_close`` and ``make_tensor``, with PyTorch 2.13's rules.

The expected messages are PyTorch's, word for word (checked against torch.testing when
this was written), because a test's failure report is what its reader sees.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.testing import assert_close, make_tensor

T = minigrad.tensor


@pytest.mark.parametrize(
    ("actual", "expected", "kwargs"),
    [
        (T([1.0, 2.0]), T([1.0, 2.0 + 1e-6]), {}),  # within float32's rtol
        (T([1.0, float("nan")]), T([1.0, float("nan")]), {"equal_nan": True}),
        (T([float("inf"), -float("inf")]), T([float("inf"), -float("inf")]), {}),
        (T([1.0, 2.0]), T([1.0, 2.0], dtype=minigrad.float64), {"check_dtype": False}),
        (minigrad.ones(2, dtype=minigrad.float16), minigrad.ones(2) + 1e-4, {"check_dtype": False}),
        (T([1.0, 2.0]), T([1.0, 2.5]), {"rtol": 0.25, "atol": 0.0}),
        (T([1.0, 2.0], requires_grad=True), T([1.0, 2.0]), {}),
        (minigrad.nn.Parameter(minigrad.ones(2)), minigrad.ones(2), {}),
        (T([]), T([]), {}),
        (minigrad.ones(3, 2).t(), minigrad.ones(2, 3), {}),  # strides only with check_stride
        (np.array([1.0, 2.0]), np.array([1.0, 2.0]), {}),
        (1.0, 1.0 + 1e-8, {}),
        (np.float64(1.0), 1.0, {}),
        ((1, 2), [1, 2], {}),
        ({"a": [T(1.0), 2]}, {"a": [T(1.0), 2]}, {}),
        (None, None, {}),
    ],
)
def test_close_inputs_pass(actual, expected, kwargs):
    assert_close(actual, expected, **kwargs)


@pytest.mark.parametrize(
    ("actual", "expected", "kwargs", "message"),
    [
        (
            T([[1.0, 2.0], [3, 4]]),
            T([[1.0, 2.1], [3, 4.5]]),
            {},
            "Tensor-likes are not close!\n\nMismatched elements: 2 / 4 (50.0%)\n"
            "Greatest absolute difference: 0.5 at index (1, 1) (up to 1e-05 allowed)\n"
            "Greatest relative difference: 0.1111111119389534 at index (1, 1) (up to 1.3e-06 "
            "allowed)",
        ),
        (
            T([1, 2]),
            T([1, 3]),
            {},
            "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
            "Greatest absolute difference: 1 at index (1,)\n"
            "Greatest relative difference: 0.3333333432674408 at index (1,)",
        ),
        (
            T([float("nan")]),
            T([float("nan")]),
            {},
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\n"
            "Greatest absolute difference: nan at index (0,) (up to 1e-05 allowed)\n"
            "Greatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)",
        ),
        (
            T([1.0, float("inf")]),
            T([1.0, -float("inf")]),
            {},
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
            "Greatest absolute difference: inf at index (1,) (up to 1e-05 allowed)\n"
            "Greatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)",
        ),
        (
            T([1.0]),
            T([0.0]),
            {},
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\n"
            "Greatest absolute difference: 1.0 at index (0,) (up to 1e-05 allowed)\n"
            "Greatest relative difference: inf at index (0,) (up to 1.3e-06 allowed)",
        ),
        (
            T([True]),
            T([False]),
            {},
            "Tensor-likes are not equal!\n\nMismatched elements: 1 / 1 (100.0%)\n"
            "Greatest absolute difference: 1 at index (0,)\n"
            "Greatest relative difference: inf at index (0,)",
        ),
        (
            np.array([1.0, 2.0]),
            np.array([1.0, 2.1]),
            {},
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
            "Greatest absolute difference: 0.10000000000000009 at index (1,) (up to 1e-07 "
            "allowed)\nGreatest relative difference: 0.04761904761904766 at index (1,) (up to "
            "1e-07 allowed)",
        ),
        (
            T(2.0),
            T(3.0),
            {},
            "Scalars are not close!\n\nExpected 3.0 but got 2.0.\n"
            "Absolute difference: 1.0 (up to 1e-05 allowed)\n"
            "Relative difference: 0.3333333333333333 (up to 1.3e-06 allowed)",
        ),
        (
            1.0,
            0.0,
            {},
            "Scalars are not close!\n\nExpected 0.0 but got 1.0.\n"
            "Absolute difference: 1.0 (up to 1e-07 allowed)\n"
            "Relative difference: inf (up to 1e-07 allowed)",
        ),
        (
            minigrad.ones(2),
            minigrad.ones(2) + 3e-5,
            {"rtol": 0, "atol": 0},
            "Tensor-likes are not equal!\n\nMismatched elements: 2 / 2 (100.0%)\n"
            "Greatest absolute difference: 3.0040740966796875e-05 at index (0,)\n"
            "Greatest relative difference: 3.0039838748052716e-05 at index (0,)",
        ),
        (
            [[1.0, 2.0], [3.0]],
            [[1.0, 2.0], [3.5]],
            {},
            "Scalars are not close!\n\nExpected 3.5 but got 3.0.\n"
            "Absolute difference: 0.5 (up to 1e-07 allowed)\n"
            "Relative difference: 0.14285714285714285 (up to 1e-07 allowed)\n\n"
            "The failure occurred for item [1][0]",
        ),
        (
            {"a": [1.0, 2.0]},
            {"a": [1.0, 2.5]},
            {},
            "Scalars are not close!\n\nExpected 2.5 but got 2.0.\n"
            "Absolute difference: 0.5 (up to 1e-07 allowed)\n"
            "Relative difference: 0.2 (up to 1e-07 allowed)\n\n"
            "The failure occurred for item ['a'][1]",
        ),
        (
            T([1.0, 2.0]),
            T([1.0, 2.0, 3.0]),
            {},
            "The values for attribute 'shape' do not match: "
            "minigrad.Size([2]) != minigrad.Size([3]).",
        ),
        (
            T([1.0, 2.0]),
            T([1.0, 2.0], dtype=minigrad.float64),
            {},
            "The values for attribute 'dtype' do not match: float32 != float64.",
        ),
        (
            minigrad.ones(3, 2).t(),
            minigrad.ones(2, 3),
            {"check_stride": True},
            "The values for attribute 'stride()' do not match: (1, 2) != (3, 1).",
        ),
        ({"a": T(1.0)}, {"b": T(1.0)}, {}, "The keys of the mappings do not match:\n"
         "Missing keys in the actual mapping: ['b']\nAdditional keys in the actual mapping: ['a']"),
        ([1, 2], [1, 2, 3], {}, "The length of the sequences mismatch: 2 != 3"),
        (1, 1.0, {}, "The (d)types do not match: <class 'int'> != <class 'float'>."),
        (True, False, {}, "Booleans mismatch: True is not False"),
    ],
)  # fmt: skip
def test_mismatches_say_what_differs(actual, expected, kwargs, message):
    with pytest.raises(AssertionError) as caught:
        assert_close(actual, expected, **kwargs)
    assert str(caught.value) == message


def test_msg_replaces_or_rewrites_the_message():
    a, b = T([1.0, 2.0]), T([1.0, 2.1])
    with pytest.raises(AssertionError, match=r"^custom$"):
        assert_close(a, b, msg="custom")
    with pytest.raises(AssertionError, match=r"^XTensor-likes are not close!"):
        assert_close(a, b, msg=lambda m: "X" + m)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (T(1.0), 1.0),
        (1, T(1)),
        (np.array([1.0]), T([1.0], dtype=minigrad.float64)),
        ("a", "a"),
    ],
)
def test_pairs_that_cannot_be_compared_are_a_type_error(actual, expected):
    with pytest.raises(TypeError, match="No comparison pair was able to handle inputs of type"):
        assert_close(actual, expected)


def test_allow_subclasses_false_refuses_a_parameter_against_a_tensor():
    with pytest.raises(TypeError, match="No comparison pair"):
        assert_close(
            minigrad.nn.Parameter(minigrad.ones(2)), minigrad.ones(2), allow_subclasses=False
        )


def test_tolerances_come_in_pairs():
    with pytest.raises(ValueError, match="must be either specified or omitted, but got no atol"):
        assert_close(T([1.0]), T([1.0]), rtol=1e-3)
    with pytest.raises(ValueError, match="but got no rtol"):
        assert_close(T([1.0]), T([1.0]), atol=1e-3)


def test_default_tolerances_follow_the_dtype():
    assert_close(T([1.0], dtype=minigrad.float16), T([1.0009], dtype=minigrad.float16))
    with pytest.raises(AssertionError):
        assert_close(T([1.0]), T([1.0001]))  # float32: 1.3e-6 relative
    assert_close(T([1.0], dtype=minigrad.float64), T([1.0 + 5e-8], dtype=minigrad.float64))
    with pytest.raises(AssertionError):
        assert_close(T([1.0], dtype=minigrad.float64), T([1.0 + 5e-7], dtype=minigrad.float64))


def test_device_is_checked(device):
    assert_close(T([1.0], device=device), T([1.0], device=device))
    if device != "cpu":
        with pytest.raises(AssertionError, match="attribute 'device' do not match"):
            assert_close(T([1.0], device=device), T([1.0]))
        assert_close(T([1.0], device=device), T([1.0]), check_device=False)


# ----------------------------------------------------------------------------------------
# make_tensor
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "low", "high", "lowest", "highest"),
    [
        (minigrad.float32, None, None, -9, 9),
        (minigrad.float64, -0.5, 0.5, -0.5, 0.5),
        (minigrad.float16, 0, 2, 0, 2),
        (minigrad.int64, None, None, -9, 9),
        (minigrad.int8, -500, 500, -128, 127),  # clipped to the dtype
        (minigrad.uint8, None, None, 0, 9),
        (minigrad.bool, None, None, 0, 1),
    ],
)
def test_make_tensor_draws_in_the_interval(dtype, low, high, lowest, highest, device):
    x = make_tensor(64, 8, dtype=dtype, device=device, low=low, high=high)
    assert x.shape == (64, 8) and x.dtype == dtype and x.device == minigrad.device(device)
    values = x.cpu().numpy().astype(np.float64)
    assert values.min() >= lowest and values.max() <= highest
    assert len(np.unique(values)) > 1  # random, not a constant


def test_make_tensor_options():
    minigrad.manual_seed(0)
    x = make_tensor((3, 4), dtype=minigrad.float64, noncontiguous=True, requires_grad=True)
    assert x.shape == (3, 4) and not x.is_contiguous() and x.requires_grad and x.is_leaf
    ints = make_tensor(500, dtype=minigrad.int64, low=0, high=2, exclude_zero=True)
    assert set(ints.tolist()) == {1}
    floats = make_tensor(10, dtype=minigrad.float32, low=0, high=1e-30, exclude_zero=True)
    assert bool((floats != 0).all())
    huge = make_tensor(100, dtype=minigrad.float64, low=-1.7e308, high=1.7e308)
    assert bool(huge.isfinite().all())
    minigrad.manual_seed(0)
    again = make_tensor((3, 4), dtype=minigrad.float64, noncontiguous=True)
    assert_close(again, x.detach())  # the global generator's draws: seeded, reproducible


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 2, "high": 1}, r"`low` must be less than `high`, but got 2 >= 1"),
        ({"low": float("nan")}, r"`low` and `high` cannot be NaN"),
        (
            {"dtype": minigrad.int64, "requires_grad": True},
            "not supported for boolean and integral",
        ),
        ({"dtype": minigrad.uint8, "low": 300, "high": 400}, r"only supports \[0, 256\)"),
        ({"noncontiguous": True, "memory_format": "channels_last"}, "mutually exclusive"),
    ],
)
def test_make_tensor_refuses_bad_arguments(kwargs, message):
    kwargs.setdefault("dtype", minigrad.float32)
    with pytest.raises(ValueError, match=message):
        make_tensor(2, 3, **kwargs)


def test_make_tensor_warns_for_an_empty_float_interval():
    with pytest.warns(FutureWarning, match="Passing `low==high`"):
        x = make_tensor(3, dtype=minigrad.float32, low=1.0, high=1.0)
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_numbers_of_different_kinds_compare_without_check_dtype():
    assert_close(1, 1.0, check_dtype=False)
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_close(1, 1.5, check_dtype=False)
