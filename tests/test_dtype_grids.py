"""What grids of dtypes and operand kinds against PyTorch 2.13 found: every binary op
and operator over {a tensor with dims, a 0-d tensor, a Python bool, int or float} for
each operand and the nine dtypes (16,308 combinations), the unary ops and reductions
over the nine dtypes and four shapes (2,052), and float16 reductions against float64.
Each expected result here is PyTorch 2.13's; the tests need no PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F


@pytest.mark.parametrize(
    ("values", "dtype", "op", "number", "expected"),
    [
        ([254, 1, 44], "uint8", "or", 256, [254, 1, 44]),  # 256 wraps to 0
        ([254, 1, 44], "uint8", "and", -2, [254, 0, 44]),  # -2 wraps to 254
        ([1, 0, 3], "uint8", "xor", -1, [254, 255, 252]),
        ([1, -3], "int8", "and", 255, [1, -3]),  # 255 wraps to -1
        ([1, 2], "int32", "or", 2**32 + 4, [5, 6]),
    ],
)
def test_bitwise_ops_wrap_an_out_of_range_int_and_keep_the_dtype(
    values, dtype, op, number, expected
):
    # As arithmetic does (uint8 + 300 adds 44). minigrad widened the tensor to int64
    # instead, so the result had another dtype and other values.
    x = minigrad.tensor(values, dtype=getattr(minigrad, dtype))
    fn = getattr(minigrad, f"bitwise_{op}")
    for out in (fn(x, number), fn(number, x)):
        assert out.dtype == x.dtype and out.tolist() == expected


def test_comparisons_with_an_out_of_range_int_compare_the_values():
    # A deliberate difference (docs/from-pytorch.md): PyTorch wraps the number first.
    x = minigrad.tensor([254, 1], dtype=minigrad.uint8)
    assert (x < 300).tolist() == [True, True] and (x == -2).tolist() == [False, False]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: minigrad.maximum(t, 2),
        lambda t: minigrad.minimum(2.0, t),
        lambda t: t.maximum(0),
        lambda t: minigrad.logical_and(True, t),
        lambda t: minigrad.logical_or(t, 0),
        lambda t: minigrad.eq(2, t),
        lambda t: minigrad.lt(0.5, t),
    ],
)
def test_ops_that_take_only_tensors_refuse_a_number_as_pytorch(call):
    with pytest.raises(TypeError, match="Tensor"):
        call(minigrad.tensor([1.0, 2.0]))


def test_numbers_still_work_where_pytorch_takes_them():
    t = minigrad.tensor([1.0, 2.0])
    reflected = t.__rlt__(2) if hasattr(t, "__rlt__") else t.__gt__(2)  # what 2 < t runs
    assert reflected.tolist() == [False, False] and minigrad.eq(t, 2).tolist() == [False, True]
    assert minigrad.max(t, minigrad.tensor([0.0, 5.0])).tolist() == [1.0, 5.0]
    assert minigrad.bitwise_and(3, minigrad.tensor([1, 2])).tolist() == [1, 2]


def test_bool_plus_a_python_bool_times_alpha_stays_bool():
    x = minigrad.tensor([True, False, True])
    for out in (minigrad.add(x, True, alpha=2), minigrad.add(x[0], True, alpha=2)):
        assert out.dtype == minigrad.bool and out.all().item()


def test_inplace_clamp_narrows_an_integer_result_as_pytorch():
    x = minigrad.tensor([1, 0, 3], dtype=minigrad.uint8)
    x.clamp_(min=minigrad.tensor([-2, 2, 3], dtype=minigrad.int8))  # int16 result
    assert x.dtype == minigrad.uint8 and x.tolist() == [1, 2, 3]
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.clamp_(min=0.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        minigrad.tensor([True, False]).clamp_(min=minigrad.tensor([1, 0]))


def _half_data(shape):
    rng = np.random.default_rng(0)
    return (rng.standard_normal(shape) * 3 + 1).astype(np.float16)


@pytest.mark.parametrize(
    ("name", "fn", "bound"),
    [
        # bound: PyTorch's own error against float64 here, times 1.5
        ("var", lambda L, x: L.var(x), 1.5e-4),
        ("var, biased, by dim", lambda L, x: L.var(x, 0, correction=0), 4e-4),
        ("norm", lambda L, x: L.norm(x), 2.2e-4),
        ("cumsum", lambda L, x: L.cumsum(x, 1), 5.4e-4),
        ("log_softmax", lambda L, x: L.log_softmax(x, 1), 5.6e-4),
        ("softmax", lambda L, x: L.softmax(x, 1), 4.2e-4),
    ],
)
def test_float16_reductions_accumulate_in_float32_as_pytorch(name, fn, bound):
    # float16 holds at most 65504 and about three digits: minigrad's var and norm of these
    # 32,768 values were inf (the sum of squares overflowed) and its cumsum drifted 14x
    # further than PyTorch's, which accumulates in float32 and rounds once.
    a = _half_data((64, 512))
    half = fn(minigrad, minigrad.tensor(a))
    exact = fn(minigrad, minigrad.tensor(a.astype(np.float64))).numpy()
    assert half.dtype == minigrad.float16, name
    error = np.abs(half.numpy().astype(np.float64) - exact).max() / np.abs(exact).max()
    assert error <= bound, (name, error)


def test_float16_log_softmax_of_a_confident_row_is_exact_to_its_rounding():
    out = F.log_softmax(minigrad.tensor([[-2.0, 5.0]], dtype=minigrad.float16), dim=1)
    exact = np.array([-2.0, 5.0]) - np.log(np.exp(-7.0) + 1.0) - 5.0
    assert out.numpy().tolist() == [exact.astype(np.float16).tolist()]  # PyTorch's too


def test_float16_gradients_of_the_widened_reductions_stay_float16():
    x = minigrad.tensor(_half_data((4, 8)), requires_grad=True)
    (x.var() + x.norm() + x.cumsum(1).sum() + F.softmax(x, 1)[:, 0].sum()).backward()
    assert x.grad.dtype == minigrad.float16 and np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ([[0, 1], [1, 2]], [1.0, 6.0]),  # x[[rows, cols]] is x[rows, cols]
        ([range(2), [1, 2]], [1.0, 6.0]),
        ([minigrad.tensor([0, 1]), minigrad.tensor([1, 2])], [1.0, 6.0]),
        ([0, None], [[0.0, 1.0, 2.0, 3.0]]),
        ([slice(None), 0], [0.0, 4.0, 8.0]),
        ([Ellipsis, 1], [1.0, 5.0, 9.0]),
    ],
)
def test_a_list_holding_sequences_or_slices_indexes_as_a_tuple_as_in_pytorch(key, expected):
    # PyTorch 2.13 (and NumPy before 1.23) read such a list as a tuple, with a
    # deprecation warning; minigrad read it as one index array, so x[[rows, cols]] gave
    # whole rows (and a write through it changed them all).
    x = minigrad.arange(12.0).reshape(3, 4)
    with pytest.warns(UserWarning, match=r"read as x\[tuple\(seq\)\]"):
        assert x[key].tolist() == expected
    with pytest.warns(UserWarning, match=r"read as x\[tuple\(seq\)\]"):
        x[key] = -1.0
    assert (x == -1.0).sum().item() == np.asarray(expected).size


def test_a_list_of_numbers_is_still_one_index_array():
    x = minigrad.arange(12.0).reshape(3, 4)
    assert x[[0, 2]].shape == (2, 4) and x[[True, False, True]].shape == (2, 4)
    assert x[list(range(3)) * 11].shape == (33, 4)  # 32 items or more: never a tuple
