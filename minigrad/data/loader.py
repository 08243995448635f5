"""Batches for training: the :class:`DataLoader`.

A :class:`DataLoader` walks through a map-style dataset (``len(dataset)`` and
``dataset[i]``, see ``dataset.py``) in batches, optionally in a shuffled order, and gives
each batch as a tuple of tensors whose first dimension is the batch.

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
from collections.abc import Mapping

import numpy as np

from .. import backend
from .. import dtypes as _dtypes
from .. import random as _random
from ..backend import Device
from ..tensor import Tensor
from .dataset import whole_tensors


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a map-style dataset (``len(dataset)`` and ``dataset[i]``). If it has a
            ``tensors`` property (:class:`TensorDataset`, :class:`~minigrad.data.MNIST`),
            batches are cut straight from those tensors on the device (see the module
            docstring). Otherwise each sample must be a tensor, a number, a NumPy array, a
            string, or a tuple, list or dict of those; the samples of a batch are stacked.
        batch_size: the number of samples per batch (a positive int).
        shuffle: visit the samples in a new random order every epoch.
        sampler: instead of ``shuffle``, the sample indices to visit, in order: any
            iterable with a length (a list, a range, a NumPy array), iterated anew every
            epoch (so an object that draws a new order in ``__iter__`` works).
        batch_sampler: instead of ``batch_size``, ``shuffle``, ``sampler`` and
            ``drop_last``: an iterable with a length whose items are lists of indices, one
            list per batch.
        collate_fn: a function that makes a batch from a list of samples, instead of the
            default stacking (as in PyTorch; the batch is then whatever it returns, and
            ``device`` is not applied to it).
        drop_last: leave out the last batch if it has fewer than ``batch_size`` samples.
        generator: a ``numpy.random.Generator`` to draw the shuffled orders from.
        seed: with ``shuffle``, an int that fixes each epoch's order (keyword only; see
            the module docstring). Without ``seed`` or ``generator`` the orders come from
            minigrad's global generator (see ``minigrad.manual_seed``).
        device: where batches are made: ``"cpu"`` (the default), ``"cuda"``, or a
            :class:`minigrad.Device` (keyword only).
        num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context,
            prefetch_factor, persistent_workers, pin_memory_device, in_order: PyTorch's
            worker-process options, checked as PyTorch checks them and otherwise without
            effect: batches are always made in the calling process (with whole tensors, on
            the device itself), which gives the same batches.

    Each batch is a tuple of tensors, one per field of the samples (a bare tensor when the
    samples are bare tensors or numbers; a dict of batches for dict samples; a list for
    strings; nested tuples and dicts nest), on ``device``, not requiring grad. Python ints
    become int64, floats float64 and bools bool, as in PyTorch's ``default_collate``.
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
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader needs a map-style dataset, an object with __len__ and "
                f"__getitem__ (such as TensorDataset or MNIST), got {type(dataset).__name__}"
            )
        shuffle = False if shuffle is None else shuffle
        for name, value in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"{name} must be True or False, got {value!r}")
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if batch_sampler is not None:
            # PyTorch's rule: the batch sampler decides the batches alone.
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            _check_sized(batch_sampler, "batch_sampler")
            batch_size = None
        else:
            if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
                raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
            if batch_size < 1:
                raise ValueError(f"batch_size must be a positive int, got {batch_size}")
            batch_size = int(batch_size)
        if sampler is not None:
            if shuffle:
                raise ValueError("sampler option is mutually exclusive with shuffle")
            _check_sized(sampler, "sampler")
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
                raise TypeError(f"seed must be None or a non-negative int, got {seed!r}")
            if seed < 0:
                raise ValueError(f"seed must be None or a non-negative int, got {seed}")
            seed = int(seed)
        if generator is not None:
            if not isinstance(generator, np.random.Generator):
                raise TypeError(
                    f"generator must be None or a numpy.random.Generator (minigrad's "
                    f"DataLoader also takes seed=...), got {type(generator).__name__}"
                )
            if seed is not None:
                raise ValueError("give the DataLoader a seed or a generator, not both")
        if device is not None and not isinstance(device, str | Device):
            raise TypeError(
                f"device must be a string such as 'cpu' or 'cuda', or a minigrad.Device; "
                f"got {type(device).__name__}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.seed = seed
        self.num_workers = num_workers
        self.device = backend.CPU if device is None else Device(device)
        self.collate_fn = collate_fn
        self.epoch = 0  # the number of epochs started; it picks the order of a seeded shuffle
        self._sources: tuple | None = None  # fast path: the arrays the device copies are of
        self._arrays: tuple | None = None  # fast path: the dataset's arrays on self.device

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration epoch number ``epoch`` (for a seeded shuffle, the order
        depends on it: resuming at epoch 7 gives epoch 7's order)."""
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer) or epoch < 0:
            raise ValueError(f"epoch must be a non-negative int, got {epoch!r}")
        self.epoch = int(epoch)

    def __iter__(self):
        # A collate_fn of the user's sees every batch's samples: no fast path then.
        tensors = whole_tensors(self.dataset) if self.collate_fn is None else None
        n = tensors[0].shape[0] if tensors is not None else len(self.dataset)
        order, bounds = self._plan(n)
        self.epoch += 1
        if tensors is not None:
            return self._batches_from_tensors(self._device_arrays(tensors), order, bounds)
        return self._batches_from_samples(order, bounds)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed}, "
            f"device='{self.device}')"
        )

    def _plan(self, n: int) -> tuple[np.ndarray | None, list[int]]:
        """This epoch's sample order (a host int64 array, or None for 0, 1, 2, ...) and
        the batches as bounds into it: batch k is ``order[bounds[k]:bounds[k + 1]]``."""
        if self.batch_sampler is not None:
            batches = [_indices(batch, n, "batch_sampler") for batch in self.batch_sampler]
            if any(len(batch) == 0 for batch in batches):
                raise ValueError("DataLoader: the batch_sampler gave an empty batch")
            sizes = [len(batch) for batch in batches]
            order = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
            return order, [0, *np.cumsum(sizes).tolist()]
        if self.sampler is not None:
            order = _indices(self.sampler, n, "sampler")
        elif self.shuffle:
            if self.seed is not None:
                rng = np.random.default_rng([self.seed, self.epoch])
            else:
                rng = self.generator or _random.generator()
            order = rng.permutation(n).astype(np.int64)
        else:
            order = None
        count = n if order is None else len(order)
        stop = count - count % self.batch_size if self.drop_last else count
        return order, [*range(0, stop, self.batch_size), stop]

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
            yield tuple(Tensor._wrap(b, device) for b in batch)

    def _batches_from_samples(self, order, bounds: list[int]):
        for start, end in itertools.pairwise(bounds):
            indices = range(start, end) if order is None else order[start:end].tolist()
            samples = [self.dataset[i] for i in indices]
            if self.collate_fn is not None:
                yield self.collate_fn(samples)
            else:
                yield _collate(samples, self.device, first_index=indices[0])


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
    """PyTorch's checks of its worker-process options (which change nothing here)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int | np.integer):
        raise TypeError(f"num_workers must be an int, got {num_workers!r}")
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing. let "
            "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _check_sized(sampler, name: str) -> None:
    if not (hasattr(sampler, "__iter__") and hasattr(sampler, "__len__")):
        raise TypeError(
            f"DataLoader: {name} must be an iterable with a length (a list, a range, a "
            f"sampler object), got {type(sampler).__name__}"
        )


def _indices(items, n: int, name: str) -> np.ndarray:
    """A sampler's (or one batch's) indices as a host int64 array, each checked to be a
    valid index of a dataset of ``n`` samples (negative ones count from the end)."""
    values = list(items)
    if any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in values):
        bad = next(v for v in values if isinstance(v, bool) or not isinstance(v, int | np.integer))
        raise TypeError(f"DataLoader: the {name} gave {bad!r}; indices must be ints")
    indices = np.asarray(values, dtype=np.int64).reshape(-1)
    out_of_range = (indices < -n) | (indices >= n)
    if out_of_range.any():
        raise IndexError(
            f"DataLoader: the {name} gave index {indices[out_of_range][0]}, but the dataset "
            f"has {n} samples"
        )
    return np.where(indices < 0, indices + n, indices)


def _collate(samples: list, device: Device, first_index: int, what: str = "the samples"):
    """Stack a list of samples into a batch, following their structure as PyTorch's
    ``default_collate`` does: a tuple with one batch per field for tuple (or list)
    samples, a dict with one batch per key for dict samples (both nest), a list for
    strings, and one tensor for tensors, numbers and arrays."""
    first = samples[0]
    if isinstance(first, str | bytes):
        return list(samples)  # nothing to stack: PyTorch keeps them as a list too
    if isinstance(first, Mapping):
        for k, sample in enumerate(samples):
            if not isinstance(sample, Mapping) or sample.keys() != first.keys():
                raise TypeError(
                    f"DataLoader: {what} at batch position 0 (sample {first_index}) is a dict "
                    f"with keys {list(first)}, but the one at position {k} is "
                    f"{_describe(sample)}; every sample must have the same structure"
                )
        return {
            key: _collate([s[key] for s in samples], device, first_index, f"key {key!r} of {what}")
            for key in first
        }
    if isinstance(first, tuple | list):
        width = len(first)
        for k, sample in enumerate(samples):
            if not isinstance(sample, tuple | list) or len(sample) != width:
                raise TypeError(
                    f"DataLoader: {what} at batch position 0 (sample {first_index}) has "
                    f"{width} fields, but the one at position {k} is {_describe(sample)}; "
                    f"every sample must have the same structure"
                )
        return tuple(
            _collate([s[j] for s in samples], device, first_index, f"field {j} of {what}")
            for j in range(width)
        )
    return _stack(samples, device, what)


def _describe(value) -> str:
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, Mapping):
        return f"a {type(value).__name__} with keys {list(value)}"
    return f"a {type(value).__name__}"


def _stack(values: list, device: Device, what: str) -> Tensor:
    """One field of a batch: the values stacked along a new first dimension, on ``device``."""
    first = values[0]
    if isinstance(first, Tensor):
        if not all(isinstance(v, Tensor) for v in values):
            raise TypeError(f"DataLoader: {what} mix tensors and other types")
        for k, v in enumerate(values):
            if v.shape != first.shape:
                raise ValueError(
                    f"DataLoader: cannot stack {what} into a batch: shapes differ "
                    f"({tuple(first.shape)} at position 0 of the batch, {tuple(v.shape)} at "
                    f"position {k}); samples must all have the same shape"
                )
        source = first.device
        if all(v.device is source for v in values):
            with source.activate():
                stacked = source.xp.stack([v._data for v in values])
        else:
            stacked = np.stack([backend.to_host(v._data) for v in values])
    elif all(isinstance(v, bool | np.bool_) for v in values):
        stacked = np.array(values, dtype=np.bool_)
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        stacked = np.array(values, dtype=np.int64)
    elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        stacked = np.array(values, dtype=np.float64)
    elif all(isinstance(v, np.ndarray | np.generic) for v in values):
        shapes = {np.shape(v) for v in values}
        if len(shapes) > 1:
            raise ValueError(
                f"DataLoader: cannot stack {what} into a batch: array shapes differ "
                f"({sorted(shapes)})"
            )
        stacked = np.stack(values)
    else:
        kinds = sorted({type(v).__name__ for v in values})
        raise TypeError(
            f"DataLoader: cannot batch {what}: they are {', '.join(kinds)}; samples must be "
            f"tensors, numbers or NumPy arrays, or tuples of them"
        )
    _dtypes.to_dtype(stacked.dtype)  # a clear TypeError for dtypes minigrad lacks
    with device.activate():
        return Tensor._wrap(device.move(stacked), device)
