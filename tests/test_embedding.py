"""``nn.Embedding``, ``nn.EmbeddingBag`` and their functions beyond the golden cases: the
padding row, loading a pretrained table, bags equal to lookups reduced by hand, gradchecks,
and the errors for bad indices and options."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def test_the_padding_row_starts_at_zero_and_stays_there(device):
    table = nn.Embedding(5, 2, padding_idx=-1).to(device)
    assert table.padding_idx == 4 and table.weight[4].tolist() == [0.0, 0.0]
    opt = minigrad.optim.SGD(table.parameters(), lr=1.0)
    table(minigrad.tensor([4, 4, 1], device=device)).sum().backward()
    assert table.weight.grad[4].tolist() == [0.0, 0.0]
    assert table.weight.grad[1].tolist() == [1.0, 1.0]
    opt.step()
    assert table.weight[4].tolist() == [0.0, 0.0]


def test_from_pretrained(device):
    vectors = minigrad.tensor([[1.0, 0.0], [0.0, 1.0]], device=device)
    frozen = nn.Embedding.from_pretrained(vectors)
    assert not frozen.weight.requires_grad
    assert frozen(minigrad.tensor([[1, 0]], device=device)).tolist() == [[[0.0, 1.0], [1.0, 0.0]]]
    assert nn.Embedding.from_pretrained(vectors, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(minigrad.ones(3))


def test_bad_indices_and_options_are_refused(device):
    weight = minigrad.ones(3, 2, device=device)
    with pytest.raises(RuntimeError, match="Long, Int; but got float32"):
        F.embedding(minigrad.tensor([0.0], device=device), weight)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(minigrad.tensor([3], device=device), weight)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(minigrad.tensor([-1], device=device), weight)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(NotImplementedError, match="no sparse tensors"):
        nn.Embedding(3, 2, sparse=True)
    int32 = minigrad.tensor([2, 0], dtype=minigrad.int32, device=device)
    assert F.embedding(int32, weight).shape == (2, 2)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_a_bag_is_its_lookups_reduced(device, mode):
    table = minigrad.randn(6, 3, dtype=minigrad.float64, device=device)
    words = minigrad.tensor([1, 5, 5, 2, 0, 3], device=device)
    starts = minigrad.tensor([0, 3, 3], device=device)  # bags [1, 5, 5], [], [2, 0, 3]
    got = F.embedding_bag(words, table, starts, mode=mode).numpy()
    rows = table.numpy()
    reduce = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode]
    np.testing.assert_allclose(got[0], reduce(rows[[1, 5, 5]], axis=0))
    np.testing.assert_array_equal(got[1], 0.0)  # an empty bag
    np.testing.assert_allclose(got[2], reduce(rows[[2, 0, 3]], axis=0))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_passes_gradcheck(device, rng, mode):
    table = minigrad.tensor(rng.standard_normal((6, 3)), device=device, requires_grad=True)
    weights = minigrad.tensor(rng.standard_normal(5), device=device, requires_grad=True)
    words = minigrad.tensor([1, 4, 2, 0, 3], device=device)
    starts = minigrad.tensor([0, 2], device=device)
    if mode == "sum":
        assert minigrad.gradcheck(
            lambda t, w: F.embedding_bag(words, t, starts, mode="sum", per_sample_weights=w),
            (table, weights),
        )
    else:
        assert minigrad.gradcheck(lambda t: F.embedding_bag(words, t, starts, mode=mode), (table,))


def test_scale_grad_by_freq_divides_by_the_batchs_lookups(device):
    """A deliberate difference: PyTorch 2.13's embedding_bag divides each row's gradient
    by the count of another index (here row 4, looked up twice, gets 2.0 and the rows
    looked up once 0.5); minigrad divides by the row's own count, as F.embedding does."""
    table = minigrad.ones(10, 1, device=device, requires_grad=True)
    words = minigrad.tensor([1, 2, 4, 5, 4, 3, 2, 9], device=device)
    F.embedding_bag(words, table, minigrad.tensor([0, 3], device=device), mode="sum",
                    scale_grad_by_freq=True).sum().backward()  # fmt: skip
    assert table.grad.flatten().tolist() == [0, 1, 1, 1, 1, 1, 0, 0, 0, 1]


def test_embedding_bag_module(device):
    bag = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=2).to(device)
    assert repr(bag) == "EmbeddingBag(10, 3, mode='sum', padding_idx=2)"  # PyTorch's
    assert bag.weight[2].tolist() == [0.0, 0.0, 0.0]
    out = bag(minigrad.tensor([[2, 2], [1, 2]], device=device))
    assert out[0].tolist() == [0.0, 0.0, 0.0] and out[1].tolist() == bag.weight[1].tolist()
    last = nn.EmbeddingBag(10, 3, include_last_offset=True).to(device)
    words = minigrad.tensor([1, 2, 3], device=device)
    assert last(words, minigrad.tensor([0, 1, 3], device=device)).shape == (2, 3)
    frozen = nn.EmbeddingBag.from_pretrained(minigrad.eye(3), mode="max")
    assert not frozen.weight.requires_grad
    assert frozen(minigrad.tensor([0, 2]), minigrad.tensor([0])).tolist() == [[1.0, 0.0, 1.0]]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda w: F.embedding_bag(minigrad.tensor([[1, 2]]), w, minigrad.tensor([0])),
         ValueError, "if input is 2D, then offsets has to be None"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w), ValueError,
         "offsets has to be a 1D Tensor but got None"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([1])),
         RuntimeError, "offsets\\[0\\] has to be 0"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([0, 3])),
         RuntimeError, "can not be greater than input's length 2"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2, 3]), w, minigrad.tensor([0, 2, 1])),
         RuntimeError, "offsets must not decrease"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([0]), mode="min"),
         ValueError, "mode has to be one of sum, mean or max"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([0]),
                                   per_sample_weights=minigrad.ones(2)), NotImplementedError,
         "only supported for mode='sum'"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([0]), mode="sum",
                                   per_sample_weights=minigrad.ones(3)), ValueError,
         "must have the same shape as the input"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 20]), w, minigrad.tensor([0])),
         IndexError, "index out of range"),
        (lambda w: F.embedding_bag(minigrad.tensor([1.0, 2.0]), w, minigrad.tensor([0])),
         RuntimeError, "scalar types: Long, Int"),
        (lambda w: F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([0, 1]),
                                   include_last_offset=True), RuntimeError,
         r"the last offset \(1\) must be the input's length \(2\)"),
    ],
)  # fmt: skip
def test_bad_bags_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call(minigrad.ones(10, 3))
