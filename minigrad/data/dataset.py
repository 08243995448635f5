"""Datasets: the :class:`Dataset` protocol, :class:`TensorDataset`, and the ways to cut
and join datasets (:class:`Subset`, :func:`random_split`, :class:`ConcatDataset`,
:class:`StackDataset`); and iterable-style datasets (:class:`IterableDataset`, which
yield their samples, and :class:`ChainDataset`).

A *dataset* is map-style, as in PyTorch: ``len(dataset)`` and ``dataset[i]``, which returns
one sample, usually a tuple such as ``(image, label)``. Subclassing :class:`Dataset` is
optional (the :class:`~minigrad.data.DataLoader` needs only the two methods), but it gives
``dataset + other`` and says what the class is.

Whole tensors
-------------
A dataset whose samples are rows of a few whole tensors (:class:`TensorDataset`,
:class:`~minigrad.data.MNIST`) exposes them as ``tensors`` and declares, with
``_getitem_reads_rows = True`` on the class that defines its ``__getitem__``, that
``dataset[i]`` is row ``i`` of them and nothing more. The DataLoader then cuts batches
straight from those tensors instead of asking for one sample at a time
(:func:`whole_rows`). A :class:`Subset` of such a dataset is cut the same way, from the
rows it selects.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Sequence

import numpy as np

from .. import random as _random
from ..tensor import Tensor


class Dataset:
    """The base class of map-style datasets: a subclass defines ``__getitem__`` (one
    sample) and ``__len__``.

    Example:
        >>> import minigrad
        >>> from minigrad.data import Dataset
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...
        ...     def __getitem__(self, i):
        ...         return minigrad.tensor(float(i)), minigrad.tensor(float(i * i))
        >>> len(Squares() + Squares())  # a ConcatDataset
        8
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """A dataset made of tensors that share their first dimension: sample ``i`` is
    ``tuple(t[i] for t in tensors)``.

    Example:
        >>> import minigrad
        >>> from minigrad.data import TensorDataset
        >>> x = minigrad.arange(6).reshape(3, 2)
        >>> y = minigrad.tensor([0, 1, 0])
        >>> ds = TensorDataset(x, y)
        >>> len(ds), ds[1]
        (3, (tensor([2, 3]), tensor(1)))
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(x, y)")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"TensorDataset: argument {i} is a {type(t).__name__}, not a minigrad "
                    f"Tensor (convert it with minigrad.tensor(...))"
                )
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {i} is a 0-d tensor; each tensor needs a first "
                    f"dimension that indexes the samples"
                )
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise ValueError(
                f"Size mismatch between tensors: TensorDataset needs every tensor to have the "
                f"same first dimension (one entry per sample), got shapes {shapes}"
            )
        self.tensors: tuple[Tensor, ...] = tuple(tensors)

    _getitem_reads_rows = True  # the DataLoader may slice self.tensors instead

    def __getitem__(self, index) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``.

    Example:
        >>> import minigrad
        >>> from minigrad.data import Subset, TensorDataset
        >>> part = Subset(TensorDataset(minigrad.arange(10) * 10), [7, 2])
        >>> len(part), part[0]
        (2, (tensor(70),))
    """

    def __init__(self, dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after the other: the samples of the first, then of the second...

    Example:
        >>> import minigrad
        >>> from minigrad.data import ConcatDataset, TensorDataset
        >>> parts = [TensorDataset(minigrad.zeros(3)), TensorDataset(minigrad.ones(2))]
        >>> both = ConcatDataset(parts)
        >>> len(both), both[3], both.cumulative_sizes
        (5, (tensor(1.),), [3, 5])
    """

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes: list[int] = []
        total = 0
        for dataset in self.datasets:
            total += len(dataset)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        part = bisect.bisect_right(self.cumulative_sizes, index)
        if part == len(self.datasets):
            raise IndexError(f"index {index} is out of range for a dataset of {len(self)}")
        start = self.cumulative_sizes[part - 1] if part > 0 else 0
        return self.datasets[part][index - start]


class IterableDataset(Dataset):
    """The base class of iterable-style datasets: a subclass defines ``__iter__``, which
    yields the samples in order (a stream, a generator over files, samples made on the
    fly), instead of ``__getitem__``. A :class:`~minigrad.data.DataLoader` batches them as
    they come (so it takes no ``shuffle`` or sampler); ``len()`` works only if the
    subclass defines ``__len__``.

    Example:
        >>> import minigrad
        >>> from minigrad.data import DataLoader, IterableDataset
        >>> class Counting(IterableDataset):
        ...     def __iter__(self):
        ...         yield from (minigrad.tensor(float(i)) for i in range(5))
        >>> [b.tolist() for b in DataLoader(Counting(), batch_size=2)]
        [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several iterable datasets one after the other (``a + b`` for iterable datasets).

    Example:
        >>> from minigrad.data import ChainDataset, IterableDataset
        >>> class Upto(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(ChainDataset([Upto(2), Upto(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets) -> None:
        self.datasets = datasets

    def __iter__(self):
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from dataset

    def __len__(self) -> int:
        total = 0
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(dataset)
        return total


class StackDataset(Dataset):
    """Datasets of the same length side by side: sample ``i`` is the tuple of their
    ``i``-th samples (``StackDataset(images, labels)``), or a dict with one entry per
    keyword (``StackDataset(image=images, label=labels)``).

    Example:
        >>> import minigrad
        >>> from minigrad.data import StackDataset
        >>> pairs = StackDataset(minigrad.arange(3), minigrad.arange(3) * 10)
        >>> len(pairs), pairs[2]
        (3, (tensor(2), tensor(20)))
        >>> StackDataset(x=minigrad.arange(3), y=minigrad.zeros(3))[1]
        {'x': tensor(1), 'y': tensor(0.)}
    """

    def __init__(self, *args, **kwargs) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) "
                "like input/output, but both types are given."
            )
        datasets = args or tuple(kwargs.values())
        if not datasets:
            raise ValueError("At least one dataset should be passed")
        self._length = len(datasets[0])
        if any(len(d) != self._length for d in datasets):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else dict(kwargs)

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __len__(self) -> int:
        return self._length


def random_split(dataset, lengths: Sequence[int | float], generator=None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given ``lengths``:
    counts that add up to ``len(dataset)``, or fractions that add up to 1 (rounded down,
    the remainder dealt one by one from the first subset on, as PyTorch does).

    The order comes from ``generator`` (a :class:`minigrad.Generator` or a
    ``numpy.random.Generator``), or by default from minigrad's global generator, so
    ``minigrad.manual_seed`` makes the split reproducible.

    Example:
        >>> import minigrad
        >>> from minigrad.data import TensorDataset, random_split
        >>> _ = minigrad.manual_seed(0)
        >>> train, val = random_split(TensorDataset(minigrad.arange(10)), [0.8, 0.2])
        >>> len(train), len(val), sorted(train.indices + val.indices) == list(range(10))
        (8, 2, True)
    """
    rng = _random.numpy_generator(generator, "random_split")
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for i, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            counts.append(math.floor(n * fraction))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! "
            f"({sum(lengths)} against {n})"
        )
    order = rng.permutation(n).tolist()
    subsets, offset = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[offset : offset + length]))
        offset += length
    return subsets


def whole_rows(dataset) -> tuple[tuple[Tensor, ...], np.ndarray | None] | None:
    """Where the DataLoader can cut batches straight from whole tensors: ``(tensors,
    rows)``, with sample ``i`` of ``dataset`` made of row ``rows[i]`` (row ``i`` if
    ``rows`` is None) of each tensor; or None, if samples must be asked for one by one.

    That is the case for a dataset that exposes ``tensors`` (a non-empty tuple of tensors
    with one row per sample) and whose class that defines ``__getitem__`` declares, with
    ``_getitem_reads_rows = True``, that ``dataset[i]`` is row ``i`` of them and nothing
    more; and for a :class:`Subset` of such a dataset (its rows are those of the indices,
    read afresh at every call, so a changed ``indices`` or tensor is seen).
    """
    owner = next((c for c in type(dataset).__mro__ if "__getitem__" in vars(c)), None)
    if owner is Subset:
        inner = whole_rows(dataset.dataset)
        if inner is None:
            return None
        tensors, inner_rows = inner
        n = tensors[0].shape[0] if inner_rows is None else len(inner_rows)
        rows = checked_rows(dataset.indices, n, "the Subset's indices")
        return tensors, rows if inner_rows is None else inner_rows[rows]
    if owner is None or not vars(owner).get("_getitem_reads_rows", False):
        return None  # a subclass's own __getitem__ (a transform, say) must be called
    tensors = getattr(dataset, "tensors", None)
    if not isinstance(tensors, tuple | list) or not tensors:
        return None
    if not all(isinstance(t, Tensor) and t.ndim >= 1 for t in tensors):
        return None
    n = len(dataset)
    if any(t.shape[0] != n for t in tensors):
        return None
    return tuple(tensors), None


def checked_rows(indices, n: int, what: str) -> np.ndarray:
    """``indices`` as a host int64 array of rows of ``n``: ints, negative ones counting
    from the end, as Python's indexing reads them. Checked here because a GPU gather
    would wrap an index out of range around rather than fail."""
    values = indices.tolist() if isinstance(indices, np.ndarray | Tensor) else list(indices)
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | np.integer)]
    if bad:
        raise TypeError(f"{what}: {bad[0]!r} is not an int index")
    rows = np.asarray(values, dtype=np.int64).reshape(-1)
    outside = (rows < -n) | (rows >= n)
    if outside.any():
        raise IndexError(f"{what}: index {rows[outside][0]} is out of range for {n} samples")
    return np.where(rows < 0, rows + n, rows)
