"""``index_copy``, ``index_put``, ``masked_scatter`` and ``scatter_reduce`` (and their
in-place Tensor methods) beyond their golden cases: float64 gradchecks of every reduction,
the gradients at ties and zeros, the in-place forms, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad

F64 = minigrad.float64


def _x(rng, *shape, device="cpu"):
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def _i(values, device):
    return minigrad.tensor(values, device=device)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_passes_gradcheck(device, rng, reduce, include_self):
    a, s = _x(rng, 4, 3, device=device), _x(rng, 5, 3, device=device)
    index = _i([[0, 1, 2], [0, 1, 2], [3, 3, 3], [0, 0, 1], [3, 1, 0]], device)
    assert minigrad.gradcheck(
        lambda a, s: a.scatter_reduce(0, index, s, reduce, include_self=include_self), (a, s)
    )


def test_writes_pass_gradcheck(device, rng):
    a, s = _x(rng, 4, 3, device=device), _x(rng, 2, 3, device=device)
    mask = minigrad.tensor(rng.random((4, 3)) < 0.5, device=device)
    rows, cols = _i([0, -1, 2], device), _i([2, 0, 1], device)
    assert minigrad.gradcheck(
        lambda a, s: (
            a.index_copy(0, _i([3, 1], device), s),
            minigrad.index_copy(a, 1, _i([2, 0], device), s[:, :2].T.repeat(2, 1)),
            a.index_put((rows, cols), s[0]),
            a.index_put((_i([0, 2, 0], device),), s[1], accumulate=True),
            a.index_put((mask,), s[0, 0]),
            a.masked_scatter(mask, s.repeat(3, 1)),
        ),
        (a, s),
    )  # fmt: skip


def test_prod_gradient_with_zeros(device):
    """The product of the others, also where an element is a place's only zero (and zero
    where there are two)."""
    a = minigrad.tensor([2.0, 3.0], dtype=F64, device=device, requires_grad=True)
    s = minigrad.tensor([0.0, 5.0, 0.0, 0.0], dtype=F64, device=device, requires_grad=True)
    out = a.scatter_reduce(0, _i([0, 0, 1, 1], device), s, "prod")
    out.sum().backward()
    assert out.tolist() == [0.0, 0.0]
    assert a.grad.tolist() == [0.0, 0.0]
    assert s.grad.tolist() == [10.0, 0.0, 0.0, 0.0]  # 2 * 5 for the only zero at place 0


def test_amax_ties_share_the_gradient(device):
    a = minigrad.tensor([1.0, 0.0], dtype=F64, device=device, requires_grad=True)
    s = minigrad.tensor([1.0, 1.0, 2.0], dtype=F64, device=device, requires_grad=True)
    a.scatter_reduce(0, _i([0, 0, 1], device), s, "amax").sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [1 / 3, 0.0])
    np.testing.assert_allclose(s.grad.numpy(), [1 / 3, 1 / 3, 1.0])


def test_amax_without_self_shares_among_the_sources_only(device):
    """A deliberate difference: PyTorch also counts an excluded ``self`` element that
    equals the result when it splits the gradient (then drops its share), so its sources
    get 1/3 each here; minigrad splits among the sources, 1/2 each."""
    a = minigrad.tensor([1.0], dtype=F64, device=device, requires_grad=True)
    s = minigrad.tensor([1.0, 1.0], dtype=F64, device=device, requires_grad=True)
    a.scatter_reduce(0, _i([0, 0], device), s, "amax", include_self=False).sum().backward()
    assert a.grad.tolist() == [0.0] and s.grad.tolist() == [0.5, 0.5]


def test_integer_mean_rounds_down(device):
    a = minigrad.tensor([-1, 2, 3], device=device)
    out = a.scatter_reduce(0, _i([0, 0, 1], device), _i([-4, -6, 7], device), "mean")
    assert out.tolist() == [-4, 4, 3]  # floor(-11 / 3), floor(9 / 2)


def test_in_place_forms(device):
    x = minigrad.zeros(3, 2, device=device)
    assert x.index_copy_(0, _i([2], device), minigrad.ones(1, 2, device=device)) is x
    x.index_put_((_i([0], device), _i([1], device)), minigrad.tensor(5.0, device=device))
    mask = minigrad.tensor([[True, False], [False, False], [False, False]], device=device)
    x.masked_scatter_(mask, minigrad.tensor([7.0], device=device))
    x.scatter_reduce_(0, _i([[1, 1]], device), minigrad.tensor([[2.0, 3.0]], device=device), "sum")
    assert x.tolist() == [[7.0, 5.0], [2.0, 3.0], [1.0, 1.0]]
    w = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.index_copy_(0, _i([0], "cpu"), minigrad.ones(1))


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------

X = minigrad.zeros(3, 2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: X.index_copy(0, minigrad.tensor([2, 0]), minigrad.ones(3, 2)), IndexError,
         r"Number of indices \(2\) should be equal to source.size\(dim\) \(3\)"),
        (lambda: X.index_copy(0, minigrad.tensor([[2, 0]]), minigrad.ones(2, 2)), IndexError,
         r"Index should have dimension 1 or 0 \(got 2\)"),
        (lambda: X.index_copy(0, minigrad.tensor([2, 0]), minigrad.ones(2, 3)), RuntimeError,
         "must have same slice shapes"),
        (lambda: X.index_copy(0, minigrad.tensor([5, 0]), minigrad.ones(2, 2)), RuntimeError,
         "index 5 is out of bounds for dimension 0 with size 3"),
        (lambda: X.index_copy(0, minigrad.tensor([2, 0]), minigrad.ones(2, 2, dtype=F64)),
         RuntimeError, "same dtype, but got \\(self\\) float32 and \\(source\\) float64"),
        (lambda: X.index_copy(0, minigrad.tensor([2.0, 0.0]), minigrad.ones(2, 2)), RuntimeError,
         "Expected a long tensor for index, but got float32"),
        (lambda: X.index_put((minigrad.tensor([0, 2]),), minigrad.tensor([5])), RuntimeError,
         "Index put requires the source and destination dtypes match"),
        (lambda: X.index_put((minigrad.tensor([0, 5]),), minigrad.tensor(5.0)), RuntimeError,
         "index 5 is out of bounds for dimension 0 with size 3"),
        (lambda: X.index_put((minigrad.tensor([0, 2]),), minigrad.ones(3)), RuntimeError,
         r"value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2, 2\]"),
        (lambda: X.index_put((minigrad.tensor([0]),) * 3, minigrad.ones(1)), IndexError,
         r"too many indices for tensor of dimension 2 \(got 3\)"),
        (lambda: X.index_put(minigrad.tensor([0, 2]), minigrad.ones(1)), TypeError,
         "must be tuple of Tensors, not Tensor"),
        (lambda: X.index_put((minigrad.tensor([True, False]),), minigrad.ones(1)), IndexError,
         r"shape of the mask \[2\] at index 0 does not match"),
        (lambda: X.index_put((minigrad.tensor([0, 1]), minigrad.tensor([0, 1, 1])),
                             minigrad.ones(1)), IndexError, "could not be broadcast together"),
        (lambda: X.masked_scatter(minigrad.tensor([True, True]), minigrad.ones(5)), RuntimeError,
         "Number of elements of source < number of ones in mask"),
        (lambda: X.masked_scatter(minigrad.tensor([1, 0]), minigrad.ones(6)), RuntimeError,
         "only supports boolean masks, but got mask with dtype int64"),
        (lambda: X.masked_scatter(minigrad.tensor([True, False]), minigrad.ones(6).long()),
         RuntimeError, "same dtypes but got float32 and int64"),
        (lambda: X.scatter_reduce(0, minigrad.tensor([[0, 0]]), minigrad.ones(1, 2), "max"),
         RuntimeError, "must be either sum, prod, mean, amax or amin, got max"),
        (lambda: X.scatter_reduce(0, minigrad.tensor([[0, 3]]), minigrad.ones(1, 2), "sum"),
         RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"),
        (lambda: X.scatter_reduce(0, minigrad.tensor([[0, 0]]), 1.0, "sum"), TypeError,
         "'src' .* must be Tensor, not float"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
