"""Iterable-style datasets in the DataLoader (batched as they stream, PyTorch's rules on
shuffle, samplers and len), ``ChainDataset``, ``StackDataset``, ``default_collate``,
``default_convert`` and ``get_worker_info``."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.data import (
    ChainDataset,
    DataLoader,
    IterableDataset,
    StackDataset,
    TensorDataset,
    default_collate,
    default_convert,
    get_worker_info,
)


class Stream(IterableDataset):
    def __init__(self, n, with_len=False):
        self.n, self.with_len, self.started = n, with_len, 0

    def __iter__(self):
        self.started += 1
        for i in range(self.n):
            yield minigrad.tensor([float(i), float(-i)]), i

    def __len__(self):
        if not self.with_len:
            raise TypeError(f"object of type '{type(self).__name__}' has no len()")
        return self.n


def test_a_stream_is_batched_as_it_comes(device):
    loader = DataLoader(Stream(7), batch_size=3, device=device)
    batches = list(loader)
    assert [x.shape for x, _ in batches] == [(3, 2), (3, 2), (1, 2)]
    assert batches[1][1].tolist() == [3, 4, 5] and batches[1][1].dtype == minigrad.int64
    assert batches[0][0].device.type == minigrad.Device(device).type
    assert [len(b[1]) for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [3, 3]
    # every epoch iterates the dataset again
    stream = Stream(4)
    loader = DataLoader(stream, batch_size=2)
    assert len(list(loader)) == len(list(loader)) == 2 and stream.started == 2


def test_stream_without_batching_and_with_a_collate_fn():
    samples = list(DataLoader(Stream(3), batch_size=None))
    assert [label for _, label in samples] == [0, 1, 2]
    assert isinstance(samples[0], list)  # default_convert: a tuple becomes a list
    sums = list(DataLoader(Stream(5), batch_size=2, collate_fn=lambda b: sum(i for _, i in b)))
    assert sums == [1, 5, 4]


def test_len_of_a_stream_loader():
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(Stream(7), batch_size=3))
    assert len(DataLoader(Stream(7, with_len=True), batch_size=3)) == 3
    assert len(DataLoader(Stream(7, with_len=True), batch_size=3, drop_last=True)) == 2
    assert len(DataLoader(Stream(7, with_len=True), batch_size=None)) == 7


@pytest.mark.parametrize(
    ("options", "name"),
    [({"shuffle": True}, "shuffle"), ({"sampler": [0, 1]}, "sampler"),
     ({"batch_sampler": [[0, 1]]}, "batch_sampler")],
)  # fmt: skip
def test_a_stream_takes_no_order_options(options, name):
    with pytest.raises(ValueError, match=f"IterableDataset: expected unspecified {name} option"):
        DataLoader(Stream(3), **options)


def test_chain_and_add():
    chained = Stream(2) + Stream(3)
    assert isinstance(chained, ChainDataset)
    assert [i for _, i in chained] == [0, 1, 0, 1, 2]
    assert len(ChainDataset([Stream(2, True), Stream(3, True)])) == 5
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([TensorDataset(minigrad.zeros(2))]))
    with pytest.raises(NotImplementedError, match="should implement __iter__"):
        iter(IterableDataset())


def test_stack_dataset(device):
    images, labels = minigrad.zeros(4, 2), minigrad.arange(4)
    pairs = StackDataset(images, labels)
    assert len(pairs) == 4 and pairs[3][1].item() == 3
    named = StackDataset(image=images, label=labels)
    batch = next(iter(DataLoader(named, batch_size=3, device=device)))
    assert set(batch) == {"image", "label"} and batch["label"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(images, minigrad.arange(5))
    with pytest.raises(ValueError, match="both types are given"):
        StackDataset(images, label=labels)
    with pytest.raises(ValueError, match="At least one dataset"):
        StackDataset()


def test_default_collate_and_convert():
    ints, floats = default_collate([(1, 2.0), (3, 4.0)])
    assert ints.tolist() == [1, 3] and ints.dtype == minigrad.int64
    assert floats.dtype == minigrad.float64
    batch = default_collate([{"x": np.zeros(2), "y": 1}, {"x": np.ones(2), "y": 0}])
    assert batch["x"].shape == (2, 2) and batch["y"].tolist() == [1, 0]
    converted = default_convert((np.arange(3), "name"))
    assert isinstance(converted, list) and converted[0].tolist() == [0, 1, 2]
    assert converted[1] == "name"
    with pytest.raises(TypeError, match="a non-empty list of samples"):
        default_collate([])


def test_get_worker_info_is_none_in_the_calling_process():
    assert get_worker_info() is None
    import minigrad.utils.data as torch_style

    assert torch_style.get_worker_info is get_worker_info
    assert torch_style.IterableDataset is IterableDataset
