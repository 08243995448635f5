"""What differential fuzzing against PyTorch found (issue 24), at the points a golden case
cannot reach: NaN inputs, ``autograd.grad`` of a 0-d input, and what PyTorch refuses or
accepts. Each expected value or message was taken from PyTorch 2.13. (The fixes' values
and gradients on ordinary inputs are golden cases in ``tests/golden/cases.py``.)"""

from __future__ import annotations

import math

import pytest

import minigrad
import minigrad.nn.functional as F

NAN = math.nan


def test_grad_of_a_0d_input_is_0d():
    x = minigrad.tensor(2.0, requires_grad=True)
    (g,) = minigrad.autograd.grad(x * x, x)
    assert g.shape == () and g.item() == 4.0
    y = minigrad.tensor(3.0, requires_grad=True)
    (g,) = minigrad.autograd.grad((y.expand(4) * 1.0).sum(), y)  # broadcast: copied, still 0-d
    assert g.shape == () and g.item() == 4.0


def test_abs_of_nan_has_gradient_zero():
    x = minigrad.tensor([NAN, -1.0, 2.0], requires_grad=True)
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0, 1.0]


def test_maximum_with_nan_on_both_sides_gives_both_the_gradient():
    a = minigrad.tensor([NAN, 1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([NAN, 1.0, 0.0], requires_grad=True)
    minigrad.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 0.5, 1.0]
    assert b.grad.tolist() == [1.0, 0.5, 0.0]


def test_cat_keeps_an_empty_input_in_the_graph():
    empty = minigrad.tensor([], requires_grad=True)
    out = minigrad.cat([empty, minigrad.ones(2, 3)])
    assert out.requires_grad and out.shape == (2, 3)
    out.sum().backward()
    assert empty.grad is not None and empty.grad.shape == (0,)


def test_integer_indices_are_basic_in_reads_writes_and_gradients():
    x = minigrad.arange(8.0).reshape(2, 2, 2)
    assert x[0, :, [0, 1]].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    z = minigrad.zeros(2, 3, 4)
    assert z[1, :, [0, 2]].shape == (3, 2)
    z[1, :, [0, 2]] = minigrad.arange(6.0).reshape(3, 2)
    assert z[1, 1].tolist() == [2.0, 0.0, 3.0, 0.0]
    w = minigrad.ones(2, 3, requires_grad=True)
    w[0, [0, 2]].sum().backward()
    assert w.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]


def test_expand_views_take_in_place_writes_where_no_element_repeats():
    base = minigrad.zeros(3, 1)
    base.expand(3, 1).fill_(2.0)
    assert base.tolist() == [[2.0], [2.0], [2.0]]
    with pytest.raises(RuntimeError, match="refers to a single memory location"):
        minigrad.zeros(1, 3).expand(2, 3).add_(1.0)
    assert minigrad.zeros(2).copy_(3).tolist() == [3.0, 3.0]
    assert minigrad.tensor([-1.0, 2.0]).clamp_(0, 1).tolist() == [0.0, 1.0]
    x = minigrad.tensor([1, 5])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        x.clamp_(0.5, 2.5)  # a float bound would make an integer tensor float


def test_refused_as_pytorch_refuses():
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool"):
        minigrad.tensor([True]) - minigrad.tensor([False])
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        1 - minigrad.tensor([True])
    with pytest.raises(RuntimeError, match="cannot be converted to type int8 without overflow"):
        minigrad.where(minigrad.tensor([True]), minigrad.tensor([1], dtype=minigrad.int8), 300)
    with pytest.raises(ValueError, match="both be None or neither be None"):
        F.batch_norm(minigrad.randn(4, 3), minigrad.zeros(3), None, training=True)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte"):
        F.cross_entropy(minigrad.randn(2, 3), minigrad.tensor([0, 1], dtype=minigrad.int32))
    with pytest.raises(NotImplementedError, match="softmax is not implemented for int64"):
        minigrad.softmax(minigrad.tensor([1, 2]), dim=0)
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        minigrad.relu(minigrad.tensor([True]))
    with pytest.raises(NotImplementedError, match="abs is not implemented for bool"):
        minigrad.abs(minigrad.tensor([True]))
    with pytest.raises(ValueError, match="step must be greater than zero"):
        minigrad.arange(5)[::-1]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        minigrad.tensor([2, 3]) ** -1
    with pytest.raises(NotImplementedError, match='"pow" not implemented for'):
        minigrad.tensor([True]) ** minigrad.tensor([False])


def test_accepted_as_pytorch_accepts():
    assert minigrad.softmax(minigrad.tensor([1, 2]), dim=0, dtype=minigrad.float32).shape == (2,)
    assert minigrad.relu(minigrad.tensor([1, -2])).tolist() == [1, 0]
    assert minigrad.where(
        minigrad.tensor([True, False]), minigrad.tensor([1, 2], dtype=minigrad.int8), 3
    ).dtype == (minigrad.int8)
    ok = F.cross_entropy(minigrad.randn(2, 3), minigrad.tensor([0, 1], dtype=minigrad.uint8))
    assert ok.shape == ()
    x = minigrad.zeros(3)
    x[0] = minigrad.tensor([5.0])  # a value's leading 1s are dropped, as in PyTorch
    assert x.tolist() == [5.0, 0.0, 0.0]
    y = minigrad.arange(24.0).reshape(2, 3, 4)
    assert y[:, [0, 1], :].view(-1).shape == (16,)  # an advanced index gives a contiguous copy
    assert (
        minigrad.tensor([0, 2, -1, -1, 1]) ** minigrad.tensor([-1, -1, -3, -2, -5])
    ).tolist() == [
        0,
        0,
        -1,
        1,
        1,
    ]


# ----------------------------------------------------------------------------------------
# Found next by the differential fuzzer (tests/fuzz)
# ----------------------------------------------------------------------------------------


def test_products_refuse_mixed_dtypes_as_pytorch_does():
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        minigrad.ones(2, 2, dtype=minigrad.int32) @ minigrad.ones(2, 2, dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="same dtype"):
        minigrad.ones(2, 2) @ minigrad.ones(2, dtype=minigrad.float64)
    with pytest.raises(NotImplementedError, match="bool"):
        minigrad.ones(2, 2, dtype=minigrad.bool) @ minigrad.ones(2, 2, dtype=minigrad.bool)
    ints = minigrad.ones(1, 2, 2, dtype=minigrad.int64)
    assert minigrad.bmm(ints, ints).tolist() == [[[2, 2], [2, 2]]]


def test_add_and_sub_check_alpha_as_pytorch_does():
    x = minigrad.ones(2, dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean results"):
        minigrad.add(x, x, alpha=True)
    n = minigrad.ones(2, dtype=minigrad.int64)
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        minigrad.add(n, n, alpha=0.5)
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        minigrad.sub(n, 1, alpha=0.5)
    assert minigrad.add(
        minigrad.ones(2), minigrad.ones(2, dtype=minigrad.int8), alpha=0.5
    ).tolist() == [
        1.5,
        1.5,
    ]


def test_mse_loss_promotes_after_broadcasting_and_refuses_integers():
    with pytest.warns(UserWarning, match="different to the input size"):
        loss = F.mse_loss(minigrad.ones(2), minigrad.tensor(2.0, dtype=minigrad.float64))
    assert loss.dtype == minigrad.float64  # PyTorch broadcasts first: no 0-d weak rule
    mixed = F.mse_loss(minigrad.tensor([True, False]), minigrad.ones(2, dtype=minigrad.float64))
    assert mixed.item() == 0.5
    with pytest.raises(NotImplementedError, match="mse_loss is not implemented for int64"):
        F.mse_loss(minigrad.tensor([1, 2]), minigrad.tensor([1, 3]))


def test_results_are_copies_where_pytorch_copies():
    x = minigrad.tensor([[1.0, 2.0]])
    t = x.repeat(1, 1)
    t.zero_()
    assert x.tolist() == [[1.0, 2.0]]
    s = minigrad.tensor(1.375)
    c, v = minigrad.cumsum(s, 0), minigrad.sort(s).values
    s.zero_()
    assert c.item() == 1.375 and v.item() == 1.375
    y = minigrad.ones(2, 3, requires_grad=True)
    assert y.flatten(1, 1) is y  # nothing to merge: the tensor itself, as in PyTorch


def test_a_quotient_changed_in_place_does_not_spoil_the_dividends_gradient():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    t = x / 2
    with minigrad.no_grad():
        t.fill_(3.0)
    t.sum().backward()
    assert x.grad.tolist() == [0.5, 0.5]


def test_more_refusals_pytorch_makes():
    with pytest.raises(RuntimeError, match=r"argmax\(\): does not support bool input"):
        minigrad.tensor([True, False]).argmax()
    with pytest.raises(RuntimeError, match="topk does not support bool"):
        minigrad.tensor([True, False]).topk(1)
    with pytest.raises(RuntimeError, match="exponent 300 cannot be converted to type int8"):
        minigrad.tensor([1], dtype=minigrad.int8) ** 300
    with pytest.raises(RuntimeError, match=r"value -1\.5 cannot be converted to type uint8"):
        F.pad(minigrad.ones(2, dtype=minigrad.uint8), (1, 1), value=-1.5)
    assert F.pad(minigrad.ones(2, dtype=minigrad.int32), (0, 0), value=1e10).tolist() == [1, 1]
    with pytest.raises(RuntimeError, match="cannot compute the inf norm of an empty tensor"):
        minigrad.ones(2, 0).norm(p=math.inf, dim=1)
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool"):
        minigrad.zeros(2, dtype=minigrad.float64).sub_(minigrad.tensor(True))
    c = minigrad.tensor([True, False])
    assert minigrad.where(c, minigrad.tensor([1, 2], dtype=minigrad.uint8), -1).tolist() == [1, 255]
    with pytest.raises(RuntimeError, match="value -256 cannot be converted to type uint8"):
        minigrad.where(c, minigrad.tensor([1, 2], dtype=minigrad.uint8), -256)


def test_writing_numbers_converts_them_as_pytorch_does():
    x = minigrad.zeros(2, dtype=minigrad.uint8)
    x.fill_(-129)  # -129 wraps into uint8 (PyTorch takes -255..255 there)
    assert x.tolist() == [127, 127]
    x[0] = -1
    assert x.tolist() == [255, 127]
    with pytest.raises(RuntimeError, match="value 300 cannot be converted to type uint8"):
        x[0] = 300
    with pytest.raises(RuntimeError, match="value 1000 cannot be converted to type uint8"):
        x.fill_(1000)
    with pytest.raises(RuntimeError, match=r"source of shape \(1,\) cannot be broadcast"):
        minigrad.tensor(1.0).copy_(minigrad.ones(1))
    with pytest.raises(RuntimeError, match=r"source of shape \(3,\) cannot be broadcast"):
        minigrad.zeros(2).copy_(minigrad.ones(3))
    assert minigrad.zeros(2, 3).copy_(minigrad.ones(3)).tolist() == [[1.0] * 3] * 2
