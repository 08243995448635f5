"""Samplers: which samples a :class:`~minigrad.data.DataLoader` visits, in which order.

A *sampler* is any iterable of dataset indices, iterated anew every epoch; a *batch
sampler* is an iterable of lists of indices, one list per batch. The DataLoader takes
either (``sampler=``, ``batch_sampler=``). The classes here are PyTorch's
(``torch.utils.data``), with its arguments and errors:

* :class:`SequentialSampler`: 0, 1, 2, ... (what ``shuffle=False`` means);
* :class:`RandomSampler`: a new random order each epoch (what ``shuffle=True`` means), or
  draws with replacement;
* :class:`SubsetRandomSampler`: the given indices, in a new random order each epoch (a
  validation split without a :class:`~minigrad.data.Subset`);
* :class:`WeightedRandomSampler`: indices drawn with the given probabilities (to rebalance
  classes);
* :class:`BatchSampler`: a sampler's indices grouped into batches.

The random ones draw from ``generator`` (a :class:`minigrad.Generator` or a
``numpy.random.Generator``), or else from minigrad's global generator, so
``minigrad.manual_seed`` fixes them. The draws are NumPy's, so the orders differ from
PyTorch's for the same seed; their distribution is the same.
"""

from __future__ import annotations

import math

import numpy as np

from .. import random as _random


class Sampler:
    """The base class of samplers: a subclass defines ``__iter__`` (the indices of one
    epoch) and usually ``__len__``. Subclassing is optional: the DataLoader takes any
    iterable.

    Example:
        >>> from minigrad.data import Sampler
        >>> class EvenFirst(Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...
        ...     def __iter__(self):
        ...         return iter([*range(0, self.n, 2), *range(1, self.n, 2)])
        ...
        ...     def __len__(self):
        ...         return self.n
        >>> list(EvenFirst(5))
        [0, 2, 4, 1, 3]
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1``, in order.

    Example:
        >>> from minigrad.data import SequentialSampler
        >>> list(SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices of ``data_source``: a fresh permutation every epoch, or with
    ``replacement=True`` independent uniform draws.

    Args:
        data_source: the dataset (only its ``len`` is used).
        replacement: draw with replacement (default False: each index once per epoch).
        num_samples: how many indices per epoch (default ``len(data_source)``). Without
            replacement, more than ``len(data_source)`` chains several permutations, as
            PyTorch does.
        generator: where the random numbers come from (see the module docstring).

    Example:
        >>> import minigrad
        >>> from minigrad.data import RandomSampler
        >>> order = list(RandomSampler(range(5), generator=minigrad.Generator().manual_seed(0)))
        >>> sorted(order)
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement: bool = False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        _random.numpy_generator(generator, "RandomSampler")  # checks its type
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not _positive_int(self.num_samples):
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """The number of indices per epoch."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, count = len(self.data_source), self.num_samples
        rng = _random.numpy_generator(self.generator, "RandomSampler")
        if self.replacement:
            return iter(rng.integers(0, n, size=count).tolist())
        orders = [rng.permutation(n) for _ in range(math.ceil(count / n))]
        return iter(np.concatenate(orders)[:count].tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices``, in a new random order every epoch.

    Example:
        >>> import minigrad
        >>> from minigrad.data import SubsetRandomSampler
        >>> sampler = SubsetRandomSampler([10, 20, 30], generator=minigrad.Generator())
        >>> sorted(sampler), len(sampler)
        ([10, 20, 30], 3)
    """

    def __init__(self, indices, generator=None) -> None:
        _random.numpy_generator(generator, "SubsetRandomSampler")  # checks its type
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        rng = _random.numpy_generator(self.generator, "SubsetRandomSampler")
        return (self.indices[i] for i in rng.permutation(len(self.indices)).tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices ``0 .. len(weights) - 1``, index ``i`` drawn with
    probability ``weights[i] / sum(weights)`` (the weights need not add up to 1).

    Giving each sample the weight ``1 / (count of its class)`` makes every class equally
    frequent in the batches, the usual use. With ``replacement=False`` each index comes
    at most once, so ``num_samples`` must not exceed the number of non-zero weights.

    Example:
        >>> import minigrad
        >>> from minigrad.data import WeightedRandomSampler
        >>> sampler = WeightedRandomSampler([0.0, 1.0, 0.0], num_samples=4)
        >>> list(sampler)
        [1, 1, 1, 1]
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        if not _positive_int(num_samples):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        values = weights.tolist() if hasattr(weights, "tolist") else weights
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(array.shape)}"
            )
        if not np.isfinite(array).all() or (array < 0).any():
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0, inf "
                "or nan): WeightedRandomSampler's weights must be finite and non-negative"
            )
        if array.sum() <= 0:
            raise RuntimeError(
                "invalid multinomial distribution (sum of probabilities <= 0): "
                "WeightedRandomSampler needs at least one positive weight"
            )
        if not replacement and num_samples > np.count_nonzero(array):
            raise RuntimeError(
                f"WeightedRandomSampler: cannot draw {num_samples} samples without "
                f"replacement from {np.count_nonzero(array)} non-zero weights"
            )
        _random.numpy_generator(generator, "WeightedRandomSampler")  # checks its type
        self.weights = array
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rng = _random.numpy_generator(self.generator, "WeightedRandomSampler")
        p = self.weights / self.weights.sum()
        drawn = rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p)
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """The indices of ``sampler`` in lists of ``batch_size`` (the last one shorter, or
    left out with ``drop_last``): the DataLoader's ``batch_sampler=``.

    Example:
        >>> from minigrad.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not _positive_int(batch_size):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return math.ceil(len(self.sampler) / self.batch_size)


def _positive_int(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer) and value > 0
