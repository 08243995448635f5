"""``DistributedSampler``: each process's share of a dataset, as
``torch.utils.data.distributed.DistributedSampler``.

With ``P`` processes (replicas), the epoch's index list (shuffled or not) is cut into
``P`` interleaved shares: process ``r`` takes positions ``r, r + P, r + 2P, ...``. So that
every process gets the same number of samples (and makes the same number of steps, and
so the same collective calls), the list is first padded to a multiple of ``P`` by
repeating its first indices, or, with ``drop_last=True``, cut down to one.

Every process must use the same order, so the shuffle is seeded with ``seed + epoch``
alone, not with the global generator: call ``set_epoch(epoch)`` at the start of every
epoch, or every epoch has the same order. The permutation comes from NumPy's generator,
so it differs from PyTorch's for the same seed; given the same permutation, the shares are
PyTorch's exactly (``tests/test_distributed_sampler.py`` checks against PyTorch's lists).
"""

from __future__ import annotations

import math

import numpy as np

from ..distributed import process_group as _process_group
from .sampler import Sampler


def partition(indices: list, num_replicas: int, rank: int, drop_last: bool) -> list:
    """Rank ``rank``'s share of ``indices``: padded (by repeating from the start) or cut
    to a multiple of ``num_replicas``, then every ``num_replicas``-th from ``rank`` on."""
    n = len(indices)
    if drop_last and n % num_replicas != 0:
        num_samples = math.ceil((n - num_replicas) / num_replicas)
    else:
        num_samples = math.ceil(n / num_replicas)
    total = num_samples * num_replicas
    if not drop_last:
        padding = total - n
        if padding <= n:
            indices = indices + indices[:padding]
        else:  # fewer samples than replicas: repeat the whole list as often as needed
            indices = (indices + (indices * math.ceil(padding / n)))[:total]
    else:
        indices = indices[:total]
    return indices[rank:total:num_replicas]


class DistributedSampler(Sampler):
    """The indices of ``dataset`` that process ``rank`` of ``num_replicas`` visits this
    epoch (by default the rank and world size of the process group).

    Args:
        dataset: the dataset (only its ``len`` is used).
        num_replicas: the number of processes (default: the world size of
            :mod:`minigrad.distributed`, which must then be initialized).
        rank: this process's rank, from 0 to ``num_replicas - 1`` (default: the rank
            in :mod:`minigrad.distributed`).
        shuffle: a new order every epoch, the same on every process (default True).
        seed: the shuffle's seed; the order of epoch ``e`` is seeded with ``seed + e``.
        drop_last: cut the list to a multiple of ``num_replicas`` instead of padding it.

    Example:
        >>> from minigrad.data import DistributedSampler
        >>> [list(DistributedSampler(range(10), num_replicas=4, rank=r, shuffle=False))
        ...  for r in range(4)]  # padded to 12 with indices 0 and 1
        [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]
        >>> sampler = DistributedSampler(range(10), num_replicas=2, rank=0, seed=1)
        >>> sampler.set_epoch(3)  # each epoch: call it, with the epoch, on every process
        >>> len(sampler), len(set(sampler))
        (5, 5)
    """

    def __init__(
        self, dataset, num_replicas: int | None = None, rank: int | None = None,
        shuffle: bool = True, seed: int = 0, drop_last: bool = False,
    ) -> None:  # fmt: skip
        if num_replicas is None:
            num_replicas = _process_group.default_group().size
        if rank is None:
            rank = _process_group.default_group().rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:  # seeded by the epoch alone: the same order on every process
            order = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            order = list(range(n))
        return iter(partition(order, self.num_replicas, self.rank, self.drop_last))

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which seeds this epoch's shuffle (with ``seed``); call it at the
        start of every epoch, with the same value on every process."""
        self.epoch = epoch
