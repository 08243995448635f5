"""Samplers, ``minigrad.Generator``, and the PyTorch module paths ``minigrad.utils.data``,
``minigrad.accelerator`` and ``minigrad.backends``."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import minigrad
import minigrad.utils.data as udata
from minigrad.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


def test_utils_data_holds_the_same_objects_as_data():
    for name in udata.__all__:
        assert getattr(udata, name) is getattr(minigrad.data, name), name
    assert set(udata.__all__) <= set(minigrad.data.__all__)
    from minigrad.utils.data import DataLoader as Loader

    assert Loader is DataLoader
    assert minigrad.utils.data is udata


def test_accelerator_answers_as_cuda_does():
    available = minigrad.cuda.is_available()
    assert minigrad.accelerator.is_available() is available
    assert minigrad.accelerator.device_count() == minigrad.cuda.device_count()
    found = minigrad.accelerator.current_accelerator()
    if available:
        assert found == minigrad.device("cuda")
        assert minigrad.accelerator.current_device_index() == 0
    else:
        assert found is None
        assert minigrad.accelerator.current_accelerator(check_available=True) is None
        with pytest.raises(RuntimeError, match="none is available"):
            minigrad.accelerator.current_device_index()
    minigrad.accelerator.synchronize()


def test_backends_say_what_minigrad_does_not_use():
    assert minigrad.backends.mps.is_available() is False
    assert minigrad.backends.mps.is_built() is False
    assert minigrad.backends.cudnn.is_available() is False
    assert minigrad.backends.cudnn.version() is None
    cudnn = minigrad.backends.cudnn
    saved = cudnn.deterministic, cudnn.benchmark
    try:
        cudnn.deterministic, cudnn.benchmark = True, False  # what programs set
        assert cudnn.deterministic is True
    finally:
        cudnn.deterministic, cudnn.benchmark = saved


# ----------------------------------------------------------------------------------------
# minigrad.Generator
# ----------------------------------------------------------------------------------------


def test_generator_streams_are_reproducible_and_independent_of_the_global_one():
    g = minigrad.Generator().manual_seed(7)
    assert g.initial_seed() == 7
    state = g.get_state()
    first = list(RandomSampler(range(20), generator=g))
    g.set_state(state)
    minigrad.manual_seed(123)
    minigrad.rand(5)  # the global generator moving does not disturb g
    assert list(RandomSampler(range(20), generator=g)) == first
    assert list(RandomSampler(range(20), generator=minigrad.Generator().manual_seed(7))) == first
    assert list(RandomSampler(range(20), generator=minigrad.Generator().manual_seed(8))) != first
    seed = g.seed()
    assert g.initial_seed() == seed


def test_generator_is_accepted_wherever_a_generator_is():
    ds = TensorDataset(minigrad.arange(12))
    a = random_split(ds, [6, 6], generator=minigrad.Generator().manual_seed(1))
    b = random_split(ds, [6, 6], generator=np.random.default_rng(1))
    assert a[0].indices == b[0].indices  # the Generator wraps NumPy's generator
    loader = DataLoader(ds, batch_size=4, shuffle=True, generator=minigrad.Generator())
    assert sorted(i for (x,) in loader for i in x.tolist()) == list(range(12))
    for make in (
        lambda: random_split(ds, [6, 6], generator=0),
        lambda: DataLoader(ds, shuffle=True, generator="seed"),
        lambda: RandomSampler(ds, generator=1),
    ):
        with pytest.raises(TypeError, match=r"minigrad\.Generator or a numpy\.random\.Generator"):
            make()
    with pytest.raises(TypeError, match="expects an int"):
        minigrad.Generator().manual_seed(1.5)


# ----------------------------------------------------------------------------------------
# Samplers
# ----------------------------------------------------------------------------------------


def test_sequential_sampler():
    s = SequentialSampler(list("abcd"))
    assert list(s) == [0, 1, 2, 3] and len(s) == 4
    assert isinstance(s, Sampler)


def test_random_sampler_without_replacement_is_a_new_permutation_each_epoch():
    minigrad.manual_seed(0)
    s = RandomSampler(range(10))
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(10))
    assert first != second
    assert len(s) == 10
    minigrad.manual_seed(0)
    assert list(RandomSampler(range(10))) == first  # the global seed fixes it


def test_random_sampler_more_samples_than_data_chains_permutations():
    s = RandomSampler(range(4), num_samples=10, generator=minigrad.Generator().manual_seed(3))
    order = list(s)
    assert len(order) == len(s) == 10
    assert sorted(order[:4]) == sorted(order[4:8]) == [0, 1, 2, 3]
    assert len(set(order[8:])) == 2


def test_random_sampler_with_replacement_draws_uniformly():
    s = RandomSampler(
        range(5), replacement=True, num_samples=5000, generator=np.random.default_rng(0)
    )
    counts = collections.Counter(s)
    assert set(counts) == set(range(5))
    assert all(abs(c - 1000) < 150 for c in counts.values())


def test_random_sampler_errors_as_pytorch():
    with pytest.raises(
        TypeError, match="replacement should be a boolean value, but got replacement=1"
    ):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler(range(0))


def test_subset_random_sampler_visits_its_indices_in_a_new_order():
    s = SubsetRandomSampler([5, 7, 9, 11, 13], generator=minigrad.Generator().manual_seed(2))
    orders = [list(s) for _ in range(4)]
    assert all(sorted(o) == [5, 7, 9, 11, 13] for o in orders)
    assert len({tuple(o) for o in orders}) > 1
    assert len(s) == 5


def test_weighted_random_sampler_follows_the_weights():
    weights = minigrad.tensor([1.0, 3.0, 0.0, 6.0])
    s = WeightedRandomSampler(weights, num_samples=10000, generator=np.random.default_rng(0))
    counts = collections.Counter(s)
    assert counts[2] == 0
    assert abs(counts[0] / 10000 - 0.1) < 0.02
    assert abs(counts[1] / 10000 - 0.3) < 0.02
    assert abs(counts[3] / 10000 - 0.6) < 0.02
    assert len(s) == 10000
    unique = list(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False))
    assert sorted(unique) == [0, 1, 2]


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean"):
        WeightedRandomSampler([1.0, 2.0], 2, replacement="yes")
    with pytest.raises(ValueError, match=r"1d sequence but given weights have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(RuntimeError, match="probability entry < 0"):
        WeightedRandomSampler([-1.0, 2.0], 2)
    with pytest.raises(RuntimeError, match="probability entry < 0"):
        WeightedRandomSampler([float("nan"), 2.0], 2)
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        WeightedRandomSampler([0.0, 0.0], 2)
    with pytest.raises(RuntimeError, match="without replacement from 1 non-zero"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)


def test_batch_sampler_groups_indices():
    assert list(BatchSampler(range(7), 3, drop_last=False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3
    assert len(BatchSampler(range(7), 3, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 1)


def test_samplers_drive_the_data_loader():
    ds = TensorDataset(minigrad.arange(10) * 10)
    loader = DataLoader(ds, batch_size=4, sampler=SubsetRandomSampler([1, 3, 5]))
    assert sorted(v for (x,) in loader for v in x.tolist()) == [10, 30, 50]
    batches = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 3, True))
    assert [x.tolist() for (x,) in batches] == [[0, 10, 20], [30, 40, 50], [60, 70, 80]]
    assert len(batches) == 3
    weighted = DataLoader(ds, batch_size=5, sampler=WeightedRandomSampler([0] * 9 + [1], 10))
    assert all(v == 90 for (x,) in weighted for v in x.tolist())
