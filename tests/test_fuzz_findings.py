"""What the differential fuzzer (tests/fuzz, issue 24) found last, checked without PyTorch:
overlapping in-place writes, indexed writes of another dtype, clamp's bounds, integer
avg_pool2d, and backward after an in-place write into a tensor PyTorch saves."""

import math

import numpy as np
import pytest

import minigrad
from minigrad import backend
from minigrad.nn import functional as F

OVERLAP = "some elements of the input tensor and the written-to tensor"


def test_overlap_classes():
    x = np.zeros(6)
    assert backend.overlap(x, x[:]) == "full"
    assert backend.overlap(x[:3], x[1:4]) == "partial"
    assert backend.overlap(x[:3], x[3:]) == "none"
    assert backend.overlap(x[::2], x[1::2]) == "unknown"  # not dense: PyTorch lets it run
    assert backend.overlap(x.reshape(2, 3), x.reshape(3, 2).T) == "partial"  # other layout
    assert backend.overlap(x[:0], x) == "none"


@pytest.mark.parametrize(
    "write",
    [
        lambda x: x.unsqueeze(0).add_(x),
        lambda x: x.unsqueeze(0).copy_(x),
        lambda x: x[:2].add_(x[1:3]),
        lambda x: x.mul_(x[0]),
        lambda x: x.clamp_(x[0], None),
        lambda x: x.__setitem__(slice(0, 2), x[1:3]),
        lambda x: x.__setitem__([0], x[:1]),  # indexed: even a full overlap
        lambda x: x.__setitem__([0, 1, 2, 3], x),
    ],
)
def test_in_place_from_overlapping_memory_is_refused(write):
    x = minigrad.arange(4.0)
    with pytest.raises(RuntimeError, match=OVERLAP):
        write(x)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_indexed_write_of_an_empty_tensor_into_itself_is_refused():
    y = minigrad.zeros(2, 0, 3)
    with pytest.raises(RuntimeError, match=OVERLAP):
        y[..., [1, 1]] = y  # PyTorch: the same tensor overlaps fully, even empty


def test_in_place_from_the_same_or_separate_memory_runs():
    x = minigrad.arange(4.0)
    x.add_(x)  # the same elements: PyTorch allows it
    x[:2].add_(x[2:])
    x[0] = x[1]
    x[x > 100] = x[0]  # a one-element value for a mask: masked_fill, no check
    assert x.tolist() == [8.0, 8.0, 4.0, 6.0]


def test_indexed_write_needs_the_same_dtype():
    x = minigrad.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="dtypes match, got int64 for the destination and"):
        x[[0, 1]] = minigrad.tensor([1.5, 2.5])
    with pytest.raises(RuntimeError, match="int32 for the source"):
        x[x > 1] = minigrad.tensor([7, 8], dtype=minigrad.int32)
    x[0:2] = minigrad.tensor([1.5, 2.5])  # a slice copies, converting
    x[x > 1] = minigrad.tensor(9.5)  # one element through a mask converts too
    x[[2]] = 4.5  # and so does a number
    assert x.tolist() == [1, 9, 4]


def test_nonfinite_into_int64_converts_silently():
    x = minigrad.tensor([1, 2, 3])
    x[...] = minigrad.tensor([-math.inf])  # filterwarnings=error: no NumPy warning either
    assert x.tolist() == [np.iinfo(np.int64).min] * 3


def test_clamp_int_bounds_convert_as_pytorch():
    t = minigrad.tensor([1, 5, 250], dtype=minigrad.uint8)
    assert t.clamp(2, -2).tolist() == [2, 5, 250]  # -2 is 254
    assert t.clone().clamp_(-3).tolist() == [253, 253, 253]
    with pytest.raises(RuntimeError, match="value 300 cannot be converted to type uint8"):
        t.clamp(max=300)
    with pytest.raises(RuntimeError, match="value -200 cannot be converted to type int8"):
        minigrad.tensor([1], dtype=minigrad.int8).clamp_(-200)


def test_clamp_of_bool_with_bool_bounds_is_refused():
    b = minigrad.tensor([True, False])
    with pytest.raises(NotImplementedError, match="bool tensor with bool bounds"):
        b.clamp(min=True)
    with pytest.raises(NotImplementedError, match="bool tensor with bool bounds"):
        b.clamp(b, b)  # two tensor bounds: no bool kernel in PyTorch either
    assert b.clamp(b).tolist() == [True, False]  # one tensor bound: PyTorch's clamp_min
    assert b.clamp(0, 1).dtype == minigrad.int64  # an int bound promotes, as in PyTorch


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32"])
def test_avg_pool2d_of_small_integers_is_refused(dtype):
    x = minigrad.ones(1, 1, 2, 2, dtype=dtype)
    with pytest.raises(NotImplementedError, match=f"avg_pool2d is not implemented for {dtype}"):
        F.avg_pool2d(x, 2)
    assert F.avg_pool2d(x.long(), 2).tolist() == [[[[1]]]]


def _backward_after_write(make, write_input):
    x = minigrad.tensor([0.5, 1.0, 2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    a = x * 1
    y = make(a)
    with minigrad.no_grad():
        (a if write_input else y).add_(1)
    y.sum().backward()
    return x.grad


MODIFIED = "has been modified by an in-place operation"


@pytest.mark.parametrize(
    "make, write_input",
    [
        (lambda a: a.var(), True),  # Var keeps x - mean; PyTorch saves x
        (lambda a: a.var(0), True),
        (lambda a: a.sum().exp(), False),  # a 0-d output saved as a NumPy scalar
        (lambda a: a.max(), False),
        (lambda a: a.norm(), False),
        (lambda a: F.leaky_relu(a, 0.1), True),
        (lambda a: F.layer_norm(a, (4,)), True),
        (lambda a: F.mse_loss(a, a.detach() * 0), True),  # composed: checked as one op
    ],
)
def test_backward_refuses_after_a_write_into_a_saved_tensor(make, write_input):
    with pytest.raises(RuntimeError, match=MODIFIED):
        _backward_after_write(make, write_input)


@pytest.mark.parametrize(
    "make, write_input",
    [
        (lambda a: a * 2, True),  # a's gradient needs only the number
        (lambda a: a**2, False),  # the output is not needed for a number exponent
        (lambda a: minigrad.where(a > 1, a, a * 2), True),
        (lambda a: a + 1, True),
    ],
)
def test_backward_runs_where_pytorch_saves_nothing_written(make, write_input):
    assert _backward_after_write(make, write_input) is not None


def test_writing_one_element_of_an_expanded_tensor_is_allowed_as_in_pytorch():
    """PyTorch checks the view a basic index writes into, not the whole expanded tensor:
    ``t[0] = v`` writes one memory location once; ``t[:] = v`` would write it twice."""
    base = minigrad.tensor(0.0)
    expanded = base.expand(2)
    expanded[0] = minigrad.tensor(5.0)
    assert base.item() == 5.0 and expanded.tolist() == [5.0, 5.0]
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        expanded[:] = 1.0
