"""PyTorch's other spellings: the in-place forms of pointwise methods (``x.exp_()``), the
aliases (``multiply``, ``greater``, ``concat``, ...), and the small helpers
(``masked_select``, ``bincount``, ``equal``, ``as_tensor``, ``logspace``, the queries),
checked against their definitions and PyTorch's rules."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


@pytest.mark.parametrize(
    "name, args",
    [("exp", ()), ("sqrt", ()), ("sigmoid", ()), ("clamp_min", (0.5,)), ("pow", (2,)),
     ("atan2", (None,)), ("lerp", (None, 0.25)), ("gt", (None,)), ("cumsum", (0,))],
)  # fmt: skip
def test_in_place_forms_equal_the_methods(device, name, args):
    x = minigrad.tensor([0.25, 1.0, 4.0], device=device)
    other = minigrad.tensor([1.0, 0.5, 2.0], device=device)
    args = tuple(other if a is None else a for a in args)
    expected = getattr(x, name)(*args).to(x.dtype).tolist()
    y = x.clone()
    version = y._version.value
    assert getattr(y, f"{name}_")(*args) is y
    assert y.tolist() == expected and y._version.value == version + 1


def test_in_place_forms_refuse_what_pytorch_refuses():
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired"):
        minigrad.tensor([1, 4]).sqrt_()
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.exp_()
    with minigrad.no_grad():
        w.exp_()
    assert w.tolist() == pytest.approx([np.e, np.e])


def test_aliases_are_the_same_functions():
    assert minigrad.multiply is minigrad.mul and minigrad.concat is minigrad.cat
    x = minigrad.tensor([1.0, -2.0])
    assert x.absolute().tolist() == [1.0, 2.0] and x.greater_equal(0).tolist() == [True, False]
    assert x.ndimension() == 1 and x.arctan2(x).shape == (2,)


def test_masked_select_bincount_equal(device):
    x = minigrad.tensor([[1.0, -2.0], [-3.0, 4.0]], device=device, requires_grad=True)
    picked = minigrad.masked_select(x, minigrad.tensor([True, False], device=device))
    assert picked.tolist() == [1.0, -3.0]  # the mask broadcast over the rows
    picked.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    counts = minigrad.bincount(minigrad.tensor([0, 1, 1, 3], device=device), minlength=6)
    assert counts.tolist() == [1, 2, 0, 1, 0, 0] and counts.dtype == minigrad.int64
    weighted = minigrad.tensor([0, 1, 1], device=device).bincount(
        minigrad.tensor([0.5, 1.0, 2.0], device=device)
    )
    assert weighted.tolist() == [0.5, 3.0] and weighted.dtype == minigrad.float32
    assert minigrad.equal(x, x.detach().clone()) and not minigrad.equal(x, x[:1])
    with pytest.raises(RuntimeError, match="non-negative integral inputs"):
        minigrad.bincount(minigrad.tensor([-1, 2]))
    with pytest.raises(RuntimeError, match="expected BoolTensor for mask"):
        minigrad.masked_select(x, minigrad.tensor([1, 0]))


def test_as_tensor_shares_memory_where_it_can():
    a = np.arange(3, dtype=np.float64)
    shared = minigrad.as_tensor(a)
    a[0] = 9.0
    assert shared.tolist() == [9.0, 1.0, 2.0]
    copied = minigrad.as_tensor(a, dtype=minigrad.float32)
    a[1] = 7.0
    assert copied.tolist() == [9.0, 1.0, 2.0]
    t = minigrad.ones(2)
    assert minigrad.as_tensor(t) is t
    assert minigrad.as_tensor([1.5, 2.5]).dtype == minigrad.float32


def test_logspace_and_queries():
    np.testing.assert_allclose(
        minigrad.logspace(-1, 2, 4, base=2).numpy(), 2.0 ** np.linspace(-1, 2, 4)
    )
    assert minigrad.is_tensor(minigrad.ones(1)) and not minigrad.is_tensor(np.ones(1))
    assert minigrad.numel(minigrad.ones(2, 3)) == 6
    assert minigrad.is_nonzero(minigrad.tensor([1])) is True
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        minigrad.is_nonzero(minigrad.ones(2))
    x = minigrad.ones(2, 3)
    assert x.nbytes == 24 and x.itemsize == 4 and x.is_cpu and x.get_device() == -1
    assert x.byte().dtype == minigrad.uint8 and not x.is_complex() and x.is_signed()


@pytest.mark.parametrize(
    "name, args",
    [("tril", (-1,)), ("triu", (1,)), ("sinc", ()), ("copysign", (None,)), ("sgn", ()),
     ("renorm", (2, 0, 1.0)), ("multiply", (3.0,)), ("subtract", (None,)),
     ("arctan2", (None,)), ("greater", (None,))],
)  # fmt: skip
def test_more_in_place_forms_and_aliases_equal_the_methods(device, name, args):
    x = minigrad.tensor([[0.25, -1.0, 4.0], [2.0, 0.5, -3.0], [1.0, 1.0, 1.0]], device=device)
    other = minigrad.tensor([[1.0, -0.5, 2.0]] * 3, device=device)
    args = tuple(other if a is None else a for a in args)
    expected = getattr(x, name)(*args).to(x.dtype).tolist()
    y = x.clone()
    assert getattr(y, f"{name}_")(*args) is y
    assert y.tolist() == expected


def test_matrix_product_updates_in_place(device, rng):
    a, b = rng.standard_normal((2, 4)), rng.standard_normal((4, 3))
    x = minigrad.tensor(rng.standard_normal((2, 3)), device=device)
    expected = 0.5 * x.numpy() + 2.0 * a @ b
    x.addmm_(minigrad.tensor(a, device=device), minigrad.tensor(b, device=device), beta=0.5,
             alpha=2.0)  # fmt: skip
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-12)
    with pytest.raises(RuntimeError, match="float_power_ has dtype float32"):
        minigrad.ones(2, device=device).float_power_(2)
    assert minigrad.ones(2, dtype=minigrad.float64, device=device).float_power_(2).tolist() == [
        1,
        1,
    ]


def test_shape_changes_in_place_keep_the_memory(device):
    x = minigrad.arange(6.0, device=device).reshape(2, 3)
    before = x.data_ptr()
    assert x.t_() is x and x.shape == (3, 2) and x.data_ptr() == before
    assert x.transpose_(0, 1).shape == (2, 3) and x.unsqueeze_(0).shape == (1, 2, 3)
    assert x.squeeze_().shape == (2, 3) and x.swapdims_(0, 1).shape == (3, 2)
    assert x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    w = minigrad.ones(2, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.unsqueeze_(0)
    with minigrad.no_grad():
        assert w.unsqueeze_(0).shape == (1, 2)


def test_detach_in_place_and_what_a_view_refuses(device):
    w = minigrad.ones(2, requires_grad=True, device=device)
    h = w * 2
    assert h.detach_() is h and not h.requires_grad and h.is_leaf and h.grad_fn is None
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        (w * 2)[0].detach_()
    assert w.detach_() is w and not w.requires_grad


def test_sum_to_size_split_with_sizes_dist_and_memory_offsets(device):
    x = minigrad.arange(6.0, device=device).reshape(2, 3)
    assert x.sum_to_size(1, 3).tolist() == [[3.0, 5.0, 7.0]]
    assert x.sum_to_size(2, 1).tolist() == [[3.0], [12.0]]
    assert x.sum_to_size(3).tolist() == [3.0, 5.0, 7.0]
    assert x.sum_to_size((2, 3)).tolist() == x.tolist()
    with pytest.raises(RuntimeError, match=r"size \(4, 3\) is not expandable to size \(2, 3\)"):
        x.sum_to_size(4, 3)
    assert [p.shape for p in x.split_with_sizes([1, 2], dim=1)] == [(2, 1), (2, 2)]
    y = minigrad.zeros(2, 3, device=device)
    assert x.dist(y).item() == pytest.approx(np.sqrt(55.0))
    assert x.dist(y, 1).item() == 15.0
    assert (x[1].storage_offset(), x[:, 2:].storage_offset(), x.t()[1].storage_offset()) == (
        3,
        2,
        1,
    )
    assert x[1].data_ptr() - x.data_ptr() == 3 * x.element_size()
    assert x.contiguous().data_ptr() == x.data_ptr()


def test_compile_returns_what_it_is_given():
    """nanoGPT's ``model = torch.compile(model)``, and the decorator forms."""
    model = minigrad.nn.Linear(2, 1)
    assert minigrad.compile(model) is model
    assert minigrad.compile(model, mode="max-autotune", fullgraph=True) is model

    @minigrad.compile
    def bare(x):
        return x + 1

    @minigrad.compile(dynamic=False)
    def with_options(x):
        return x * 3

    assert bare(minigrad.ones(1)).item() == 2.0 and with_options(minigrad.ones(1)).item() == 3.0
    with pytest.raises(TypeError, match="unexpected keyword argument 'fast'"):
        minigrad.compile(model, fast=True)
    with pytest.raises(TypeError, match="a module or a function, got int"):
        minigrad.compile(3)


def test_bfloat16_is_a_name_that_refuses_clearly():
    """nanoGPT's ``'bfloat16' if torch.cuda.is_bf16_supported() else 'float16'`` and its
    ``{'bfloat16': torch.bfloat16, ...}`` table: the name exists, a tensor of it does not."""
    assert minigrad.cuda.is_bf16_supported() is False
    assert repr(minigrad.bfloat16) == "minigrad.bfloat16"
    assert minigrad.float32 != minigrad.bfloat16
    for make in (
        lambda: minigrad.zeros(2, dtype=minigrad.bfloat16),
        lambda: minigrad.ones(2).to(minigrad.bfloat16),
        lambda: minigrad.tensor([1.0], dtype="bfloat16"),
    ):
        with pytest.raises(TypeError, match=r"no bfloat16 .*use minigrad.float16 or"):
            make()


def test_pin_memory_gives_the_tensor_back():
    t = minigrad.ones(2)
    assert t.pin_memory() is t and not t.is_pinned()
