"""``nn.Embedding`` and ``F.embedding`` beyond the golden cases: the padding row, loading a
pretrained table, and the errors for bad indices and options."""

from __future__ import annotations

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
