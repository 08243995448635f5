"""Batches for training: the :class:`DataLoader`.

A :class:`DataLoader` walks through a map-style dataset (``len(dataset)`` and
``dataset[i]``, see ``dataset.py``) in batches, optionally in a shuffled order, and gives
each batch as a list of tensors whose first dimension is the batch.

The fast path
-------------
Asking a dataset for one sample at a time and stacking the samples costs a Python call per
sample and, on a GPU, a host-to-device copy per batch; for small samples such as MNIST
digits that overhead, not the model, would set the speed of training. So when a dataset
holds its data as whole tensors, exposed as ``tensors``, and its ``dataset[i]`` is just
row ``i`` of them (:class:`TensorDataset` and :class:`~minigrad.data.MNIST`, and their
subclasses unless they override ``__getitem__``, say for a transform), the loader takes a
fast path instead:

* at the first iteration it moves each of those tensors to the loader's device, once;
* an unshuffled batch is then a slice of them, and a shuffled batch a gather (``take``)
  with a slice of a permutation, which is drawn on the host and moved to the device once
  per epoch.

Every batch is made on the device by the device itself: no per-sample Python calls and no
per-batch copies from the host. (Batches are fresh arrays, not views, so changing a batch
in place never changes the dataset.) Because the device copy is made once, changes made to
the dataset's tensors afterwards are not seen by a loader on a GPU.

Shuffling
---------
With ``seed=None`` each epoch's order is drawn from minigrad's global generator, so
``minigrad.manual_seed`` makes it reproducible. With ``seed=s`` the order of epoch ``e``
comes from ``numpy.random.default_rng([s, e])``: a different order every epoch, the same
for a given seed and epoch whatever else the program draws, and independent of how many
epochs ran before (so a resumed run can call :meth:`DataLoader.set_epoch`).
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import backend
from .. import random as _random
from ..backend import Device
from ..tensor import Tensor
from .checks import check_arguments
from .collate import collate, convert
from .dataset import IterableDataset, checked_rows, whole_rows
from .sampler import BatchSampler


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a map-style dataset (``len(dataset)`` and ``dataset[i]``). If it has a
            ``tensors`` property (:class:`TensorDataset`, :class:`~minigrad.data.MNIST`),
            batches are cut straight from those tensors on the device (see the module
            docstring). Otherwise each sample must be a tensor, a number, a NumPy array, a
            string, or a tuple, list or dict of those; the samples of a batch are stacked.
        batch_size: the number of samples per batch (a positive int); or None for no
            batching: each sample on its own, converted as PyTorch's ``default_convert``
            does (NumPy arrays become tensors, tuples lists).
        shuffle: visit the samples in a new random order every epoch.
        sampler: instead of ``shuffle``, the sample indices to visit, in order: any
            iterable (a list, a range, a NumPy array), iterated anew every epoch (so an
            object that draws a new order in ``__iter__`` works); ``len(loader)`` needs
            its ``len``. The indices reach ``dataset[i]`` as given.
        batch_sampler: instead of ``batch_size``, ``shuffle``, ``sampler`` and
            ``drop_last``: an iterable whose items are lists of indices, one per batch.
        collate_fn: a function that makes a batch from a list of samples, instead of the
            default stacking (as in PyTorch; the batch is then whatever it returns, and
            ``device`` is not applied to it).
        drop_last: leave out the last batch if it has fewer than ``batch_size`` samples.
        generator: a :class:`minigrad.Generator` or ``numpy.random.Generator`` to draw
            the shuffled orders from.
        seed: with ``shuffle``, an int that fixes each epoch's order (keyword only; see
            the module docstring). Without ``seed`` or ``generator`` the orders come from
            minigrad's global generator (see ``minigrad.manual_seed``).
        device: where batches are made: ``"cpu"`` (the default), ``"cuda"``, or a
            :class:`minigrad.Device` (keyword only).
        num_workers: the number of worker processes in PyTorch (default 0). This and
            the eight options below are PyTorch's worker-process options, checked as
            PyTorch checks them and otherwise without effect: batches are always made
            in the calling process (with whole tensors, on the device itself), which
            gives the same batches.
        pin_memory: worker option (see ``num_workers``), default False.
        timeout: worker option, default 0.
        worker_init_fn: worker option, default None.
        multiprocessing_context: worker option, default None.
        prefetch_factor: worker option, default None.
        persistent_workers: worker option, default False.
        pin_memory_device: worker option, default ``""``.
        in_order: worker option, default True.

    Each batch is a list of tensors, one per field of the samples, as in PyTorch (a bare
    tensor when the samples are bare tensors or numbers; a dict of batches for dict
    samples, a namedtuple for namedtuples; a list for strings; nested fields nest), on
    ``device``, not requiring grad. Python ints become int64, floats float64 and bools
    bool, as in PyTorch's ``default_collate``.
    ``len(loader)`` is the number of batches per epoch.

    Example:
        >>> import minigrad
        >>> from minigrad.data import DataLoader, TensorDataset
        >>> ds = TensorDataset(minigrad.arange(5), minigrad.arange(5) * 10)
        >>> loader = DataLoader(ds, batch_size=2)
        >>> len(loader)
        3
        >>> for x, y in loader:
        ...     print(x.tolist(), y.tolist())
        [0, 1] [0, 10]
        [2, 3] [20, 30]
        [4] [40]
        >>> shuffled = DataLoader(ds, batch_size=2, shuffle=True, seed=0)
        >>> epoch = [i for x, _ in shuffled for i in x.tolist()]  # a new order each epoch
        >>> sorted(epoch)  # but each sample exactly once
        [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler=None,
        batch_sampler=None,
        num_workers: int = 0,
        collate_fn=None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
        device=None,
    ) -> None:
        batch_size, drop_last, seed = check_arguments(
            dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, seed,
            generator, device, collate_fn, num_workers, timeout,
            multiprocessing_context, prefetch_factor, persistent_workers,
        )  # fmt: skip
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)  # as PyTorch: any truthy value shuffles
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.drop_last = bool(drop_last)  # (False with a batch sampler)
        self.generator = generator
        self.seed = seed
        self.num_workers = num_workers
        self.device = backend.CPU if device is None else Device(device)
        self.collate_fn = collate_fn
        self.epoch = 0  # the number of epochs started; it picks the order of a seeded shuffle
        self._sources: tuple | None = None  # fast path: the arrays the device copies are of
        self._arrays: tuple | None = None  # fast path: the dataset's arrays on self.device

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):  # its len(), if it has one
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:  # no batching: one sample at a time
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration epoch number ``epoch`` (for a seeded shuffle, the order
        depends on it: resuming at epoch 7 gives epoch 7's order)."""
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer) or epoch < 0:
            raise ValueError(f"epoch must be a non-negative int, got {epoch!r}")
        self.epoch = int(epoch)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            self.epoch += 1
            return self._streamed_batches()
        if self.batch_size is None and self.batch_sampler is None:  # no batching
            if self.sampler is not None:
                indices = self.sampler
            else:
                order = self._order(len(self.dataset))
                indices = range(len(self.dataset)) if order is None else order.tolist()
            self.epoch += 1
            return self._single_samples(indices)
        # A collate_fn of the user's sees every batch's samples: no fast path then.
        whole = whole_rows(self.dataset) if self.collate_fn is None else None
        if self.sampler is not None or self.batch_sampler is not None:
            self.epoch += 1
            batches = self._sampled_batches()
            if whole is None:
                return self._batches_from_samples(batches)
            tensors, rows = whole
            return self._gathered_batches(self._device_arrays(tensors), rows, batches)
        if whole is None:
            n = len(self.dataset)
        else:
            tensors, rows = whole
            n = tensors[0].shape[0] if rows is None else len(rows)
        order = self._order(n)
        self.epoch += 1
        stop = n - n % self.batch_size if self.drop_last else n
        bounds = [*range(0, stop, self.batch_size), stop]
        if whole is None:
            return self._batches_from_samples(
                range(start, end) if order is None else order[start:end].tolist()
                for start, end in itertools.pairwise(bounds)
            )
        tensors, rows = whole
        if rows is not None:  # a Subset: its rows, in this epoch's order
            order = rows if order is None else rows[order]
        return self._batches_from_tensors(self._device_arrays(tensors), order, bounds)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed}, "
            f"device='{self.device}')"
        )

    def _order(self, n: int) -> np.ndarray | None:
        """This epoch's sample order as a host int64 array, or None for 0, 1, 2, ..."""
        if not self.shuffle:
            return None
        if self.seed is not None:
            rng = np.random.default_rng([self.seed, self.epoch])
        else:
            rng = _random.numpy_generator(self.generator, "DataLoader")
        return rng.permutation(n).astype(np.int64)

    def _sampled_batches(self):
        """The batches of indices that ``batch_sampler``, or ``sampler`` in groups of
        ``batch_size``, gives, taken as they come (a sampler may draw anew each epoch)."""
        batches = self.batch_sampler
        if batches is None:
            batches = BatchSampler(self.sampler, self.batch_size, bool(self.drop_last))
        yield from (list(batch) for batch in batches)

    def _device_arrays(self, tensors: tuple[Tensor, ...]) -> tuple:
        """The dataset's arrays on the loader's device, copied there at most once (again
        only if the dataset's tensors are replaced by others)."""
        sources = tuple(t._data for t in tensors)
        if self._sources is None or any(a is not b for a, b in zip(sources, self._sources)):
            with self.device.activate():
                self._arrays = tuple(self.device.move(a) for a in sources)
            self._sources = sources
        return self._arrays

    def _batches_from_tensors(self, arrays: tuple, order, bounds: list[int]):
        device = self.device
        with device.activate():
            index = None if order is None else device.from_host(order)
        for start, end in itertools.pairwise(bounds):
            with device.activate():
                if index is None:
                    batch = [a[start:end].copy() for a in arrays]
                else:
                    rows = index[start:end]
                    batch = [device.xp.take(a, rows, axis=0) for a in arrays]
            yield [Tensor._wrap(b, device) for b in batch]

    def _gathered_batches(self, arrays: tuple, rows, batches):
        """Batches of the given dataset indices, gathered from the whole tensors."""
        device = self.device
        n = arrays[0].shape[0] if rows is None else len(rows)
        for indices in batches:
            if not indices:
                raise IndexError("DataLoader: the batch sampler gave an empty batch")
            picked = checked_rows(indices, n, "DataLoader: the sampler's indices")
            if rows is not None:
                picked = rows[picked]
            with device.activate():
                index = device.from_host(picked)
                batch = [device.xp.take(a, index, axis=0) for a in arrays]
            yield [Tensor._wrap(b, device) for b in batch]

    def _batches_from_samples(self, batches):
        """Batches made from ``dataset[i]`` for the indices of each batch, as given."""
        for indices in batches:
            samples = [self.dataset[i] for i in indices]
            if self.collate_fn is not None:
                yield self.collate_fn(samples)
            elif not samples:
                raise IndexError("DataLoader: the batch sampler gave an empty batch")
            else:
                yield collate(samples, self.device, first_index=indices[0])

    def _streamed_batches(self):
        """An :class:`IterableDataset`'s samples, in the order it yields them, in groups
        of ``batch_size`` (the last one shorter, unless ``drop_last``)."""
        samples = iter(self.dataset)
        if self.batch_size is None:
            for sample in samples:
                yield self.collate_fn(sample) if self.collate_fn else convert(sample, self.device)
            return
        count = 0
        while batch := list(itertools.islice(samples, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            if self.collate_fn is not None:
                yield self.collate_fn(batch)
            else:
                yield collate(batch, self.device, first_index=count)
            count += len(batch)

    def _single_samples(self, indices):
        """``batch_size=None``: each sample on its own, converted as PyTorch's
        ``default_convert`` does (or passed to ``collate_fn``)."""
        for i in indices:
            sample = self.dataset[i]
            yield self.collate_fn(sample) if self.collate_fn else convert(sample, self.device)


def get_worker_info():
    """Information about the worker process a dataset's code runs in: always None here,
    since minigrad loads every batch in the calling process (PyTorch returns None there
    too, so an ``IterableDataset`` that splits its stream between workers by it reads the
    whole stream).

    Example:
        >>> from minigrad.data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    return None
