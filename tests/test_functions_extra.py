"""The functions of ``functions_extra.py``, ``normal``, ``Tensor.type`` and NumPy's
``axis=``/``keepdims=`` names, at the points the golden cases do not reach: ties, NaN,
zero vectors, empty results and errors. (Values and gradients on ordinary inputs are
compared with PyTorch in ``test_golden.py`` and gradchecked in ``test_gradcheck.py``.)
Expected values here were computed with PyTorch 2.13."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad


def test_sort_is_stable_both_ways_and_puts_nan_last_ascending(device):
    x = minigrad.tensor([2.0, math.nan, 1.0, 2.0, 0.0], device=device)
    up = minigrad.sort(x)
    assert up.indices.tolist() == [4, 2, 0, 3, 1]
    assert np.array_equal(up.values.numpy(), [0, 1, 2, 2, np.nan], equal_nan=True)
    down = x.sort(descending=True)
    assert down.indices.tolist() == [1, 0, 3, 2, 4]
    ints = minigrad.tensor([1, 3, 1, 3], device=device)
    assert ints.sort(descending=True).indices.tolist() == [1, 3, 0, 2]
    assert ints.argsort().tolist() == [0, 2, 1, 3]


def test_sort_and_topk_send_the_gradient_back_to_the_source_positions(device):
    x = minigrad.tensor([[1.0, 1.0, 0.0]], device=device, requires_grad=True)
    values, indices = x.sort(dim=1)
    assert indices.tolist() == [[2, 0, 1]]
    values[0, 0].backward()
    assert x.grad.tolist() == [[0.0, 0.0, 1.0]]
    y = minigrad.tensor([4.0, 1.0, 3.0, 2.0], device=device, requires_grad=True)
    top = minigrad.topk(y, 2)
    (top.values * minigrad.tensor([10.0, 1.0], device=device)).sum().backward()
    assert top.indices.tolist() == [0, 2]
    assert y.grad.tolist() == [10.0, 0.0, 1.0, 0.0]


def test_sort_topk_of_a_scalar_and_empty_topk(device):
    s = minigrad.tensor(5.0, device=device)
    assert minigrad.sort(s).values.item() == 5.0 and minigrad.sort(s).indices.item() == 0
    empty = minigrad.topk(minigrad.tensor([1.0, 2.0, 3.0], device=device), 0)
    assert empty.values.shape == (0,) and empty.indices.dtype == minigrad.int64


def test_topk_errors():
    x = minigrad.ones(3)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        minigrad.topk(x, 4)
    with pytest.raises(TypeError, match="k must be an int"):
        x.topk(1.5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.topk(1, dim=2)


def test_norm_gradients_at_the_awkward_points_are_pytorchs(device):
    def grad(values, **kwargs):
        x = minigrad.tensor(values, device=device, requires_grad=True)
        x.norm(**kwargs).backward()
        return x.grad.tolist()

    assert grad([0.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]  # a zero vector: 0, not nan
    assert grad([3.0, -3.0, 1.0], p=math.inf) == [0.5, -0.5, 0.0]  # ties share
    assert grad([3.0, -3.0, 1.0], p=-math.inf) == [0.0, 0.0, 1.0]
    assert grad([0.0, 0.0], p=math.inf) == [0.0, 0.0]
    assert grad([3.0, 0.0, 1.0], p=1) == [1.0, 0.0, 1.0]
    x = minigrad.tensor([3.0, 0.0, 1.0], device=device, requires_grad=True)
    x.norm(p=0).backward()  # a count: PyTorch 2.13 leaves its gradient undefined
    assert x.grad is None
    (x.norm(p=0) + x.sum()).backward()  # and adds nothing to the others'
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert np.allclose(grad([3.0, 0.0, 1.0], p=0.5), [1.5774, 0.0, 2.7321], atol=1e-4)
    assert np.allclose(grad([3.0, 0.0, 1.0], p=3), [0.9760, 0.0, 0.1084], atol=1e-4)


def test_norm_values_and_errors():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 0.0]])
    assert x.norm(p=0).item() == 3.0
    assert x.norm(dim=(0, 1)).item() == pytest.approx(math.sqrt(14))
    assert x.norm(dim=1, keepdim=True).shape == (2, 1)
    assert x.norm(dtype=minigrad.float64).dtype == minigrad.float64
    with pytest.raises(RuntimeError, match="Expected a floating point"):
        minigrad.tensor([1, 2]).norm()
    with pytest.raises(NotImplementedError, match="nuclear norm"):
        x.norm(p="nuc")
    with pytest.raises(ValueError, match="p must be a number"):
        x.norm(p="two")


def test_cumsum_dtypes_and_scalar():
    assert minigrad.cumsum(minigrad.tensor([True, True, False]), 0).tolist() == [1, 2, 2]
    assert minigrad.cumsum(minigrad.tensor([1, 2], dtype=minigrad.int32), 0).dtype == (
        minigrad.int64
    )
    assert minigrad.cumsum(minigrad.tensor([1, 2]), 0, dtype=minigrad.float64).dtype == (
        minigrad.float64
    )
    assert minigrad.cumsum(minigrad.tensor(3.0), 0).item() == 3.0
    with pytest.raises(IndexError, match="Dimension out of range"):
        minigrad.cumsum(minigrad.ones(2), 1)


def test_bmm_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        minigrad.bmm(minigrad.ones(2, 3), minigrad.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match=r"to be: \[2, 4\] but got: \[3, 4\]"):
        minigrad.bmm(minigrad.ones(2, 3, 4), minigrad.ones(3, 4, 5))
    with pytest.raises(RuntimeError, match=r"to be: \[2, 4\] but got: \[2, 3\]"):
        minigrad.ones(2, 3, 4).bmm(minigrad.ones(2, 3, 5))


def test_meshgrid_indexing_warning_and_errors():
    a, b = minigrad.tensor([1, 2]), minigrad.tensor([3, 4, 5])
    with pytest.warns(UserWarning, match="indexing argument"):
        x, y = minigrad.meshgrid(a, b)
    assert x.shape == y.shape == (2, 3)  # "ij" without indexing, as PyTorch
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, y = minigrad.meshgrid([a, b], indexing="xy")  # a list works too
    assert x.shape == (3, 2) and x.tolist()[0] == [1, 2] and y.tolist()[0] == [3, 3]
    assert [t.shape for t in minigrad.meshgrid(minigrad.tensor(7), indexing="ij")] == [(1,)]
    with pytest.raises(ValueError, match='indexing must be one of "xy" or "ij"'):
        minigrad.meshgrid(a, b, indexing="ji")
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        minigrad.meshgrid(a.reshape(1, 2), b, indexing="ij")
    with pytest.raises(RuntimeError, match="same dtype"):
        minigrad.meshgrid(a, b.double(), indexing="ij")


def test_repeat_tiles_and_refuses_too_few_sizes():
    x = minigrad.tensor([[1, 2], [3, 4]])
    assert x.repeat(1, 2).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]
    assert x.repeat((2, 1)).shape == (4, 2)
    assert x.repeat(0, 1).shape == (0, 2)
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        x.repeat(2)
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    w.repeat(3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]  # each copy's gradient adds back


def test_swapaxes_and_swapdims_are_transpose():
    x = minigrad.arange(6).reshape(2, 3)
    assert x.swapaxes(0, 1).tolist() == x.t().tolist() == minigrad.swapdims(x, 0, 1).tolist()


def test_normal_shapes_dtypes_and_statistics():
    minigrad.manual_seed(0)
    x = minigrad.normal(3.0, 2.0, size=(20000,))
    assert x.dtype == minigrad.float32 and x.shape == (20000,)
    assert abs(x.mean().item() - 3.0) < 0.05 and abs(x.var().item() ** 0.5 - 2.0) < 0.05
    means = minigrad.tensor([0.0, 100.0], dtype=minigrad.float64)
    y = minigrad.normal(means, minigrad.tensor([[1e-6], [1e-6]]))
    assert y.shape == (2, 2) and y.dtype == minigrad.float64
    assert np.allclose(y.numpy(), [[0, 100], [0, 100]], atol=1e-4)
    assert minigrad.normal(0.0, minigrad.ones(3)).shape == (3,)
    g1 = minigrad.Generator().manual_seed(5)
    g2 = minigrad.Generator().manual_seed(5)
    assert minigrad.normal(0.0, 1.0, (4,), generator=g1).tolist() == (
        minigrad.normal(0.0, 1.0, (4,), generator=g2).tolist()
    )


def test_normal_errors():
    with pytest.raises(RuntimeError, match=r"normal expects std >= 0\.0, but found std -1"):
        minigrad.normal(0.0, -1.0, size=(2,))
    with pytest.raises(RuntimeError, match=r"all elements of std >= 0\.0"):
        minigrad.normal(minigrad.zeros(2), minigrad.tensor([1.0, -1.0]))
    with pytest.raises(RuntimeError, match="do not broadcast"):
        minigrad.normal(minigrad.zeros(2), minigrad.ones(3))
    with pytest.raises(TypeError, match="needs size="):
        minigrad.normal(0.0, 1.0)


def test_type_names_and_casts():
    assert minigrad.ones(1).type() == "torch.FloatTensor"
    assert minigrad.tensor([1]).type() == "torch.LongTensor"
    assert minigrad.tensor([True]).type() == "torch.BoolTensor"
    assert minigrad.ones(1, dtype=minigrad.float64).type() == "torch.DoubleTensor"
    assert minigrad.ones(1, dtype=minigrad.uint8).type() == "torch.ByteTensor"
    x = minigrad.tensor([1.5, 2.5])
    assert x.type(minigrad.int32).dtype == minigrad.int32
    assert x.type("torch.DoubleTensor").dtype == minigrad.float64
    assert x.type("torch.LongTensor").tolist() == [1, 2]
    assert x.type(minigrad.float32) is x  # nothing to change
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.NoSuchTensor")


def test_numpy_keyword_names_work_where_pytorch_takes_them():
    x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
    assert x.sum(axis=0).tolist() == [8.0, 7.0]
    assert x.mean(axis=1, keepdims=True).shape == (2, 1)
    assert x.argmax(axis=1).tolist() == [1, 0]
    assert minigrad.max(x, axis=0).indices.tolist() == [1, 0]
    assert x.size(axis=1) == 2
    assert minigrad.cat([x, x], axis=1).shape == (2, 4)
    assert minigrad.stack([x, x], axis=2).shape == (2, 2, 2)
    assert x.unsqueeze(axis=0).shape == (1, 2, 2)
    assert x.sort(axis=0).indices.tolist() == [[0, 1], [1, 0]]
    with pytest.raises(TypeError, match=r"sum\(\) got both dim= and its alias axis="):
        x.sum(dim=0, axis=0)
    with pytest.raises(TypeError, match="keepdim= and its alias keepdims="):
        minigrad.mean(x, 0, keepdim=True, keepdims=True)
