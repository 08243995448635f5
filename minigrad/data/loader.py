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
import multiprocessing
from collections.abc import Mapping

import numpy as np

from .. import backend
from .. import dtypes as _dtypes
from .. import random as _random
from ..backend import Device
from ..tensor import Tensor
from .dataset import checked_rows, whole_rows
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
        if not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader needs a map-style dataset, an object with __getitem__ (and "
                f"__len__ unless a sampler gives the indices), such as TensorDataset or "
                f"MNIST; got {type(dataset).__name__}"
            )
        _check_worker_options(num_workers, timeout, multiprocessing_context, prefetch_factor,
                              persistent_workers)  # fmt: skip
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            # PyTorch's rule: the batch sampler decides the batches alone.
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = drop_last = None
        elif batch_size is None:
            if drop_last:
                raise ValueError(
                    "batch_size=None option disables auto-batching and is mutually exclusive "
                    "with drop_last"
                )
        else:
            if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
                raise ValueError(
                    f"batch_size should be a positive integer value, but got "
                    f"batch_size={batch_size}"
                )
            if batch_size < 1:
                raise ValueError(
                    f"batch_size should be a positive integer value, but got "
                    f"batch_size={batch_size}"
                )
            batch_size = int(batch_size)
            if not isinstance(drop_last, bool | np.bool_):
                raise ValueError(
                    f"drop_last should be a boolean value, but got drop_last={drop_last}"
                )
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None and not hasattr(value, "__iter__"):
                raise TypeError(
                    f"DataLoader: {name} must be an iterable of indices (a list, a range, a "
                    f"sampler object), got {type(value).__name__}"
                )
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
                raise TypeError(f"seed must be None or a non-negative int, got {seed!r}")
            if seed < 0:
                raise ValueError(f"seed must be None or a non-negative int, got {seed}")
            seed = int(seed)
        if generator is not None:
            _random.numpy_generator(generator, "DataLoader")  # checks its type
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
            yield tuple(Tensor._wrap(b, device) for b in batch)

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
            yield tuple(Tensor._wrap(b, device) for b in batch)

    def _batches_from_samples(self, batches):
        """Batches made from ``dataset[i]`` for the indices of each batch, as given."""
        for indices in batches:
            samples = [self.dataset[i] for i in indices]
            if self.collate_fn is not None:
                yield self.collate_fn(samples)
            elif not samples:
                raise IndexError("DataLoader: the batch sampler gave an empty batch")
            else:
                yield _collate(samples, self.device, first_index=indices[0])

    def _single_samples(self, indices):
        """``batch_size=None``: each sample on its own, converted as PyTorch's
        ``default_convert`` does (or passed to ``collate_fn``)."""
        for i in indices:
            sample = self.dataset[i]
            yield self.collate_fn(sample) if self.collate_fn else _convert(sample, self.device)


def _check_worker_options(
    num_workers, timeout, multiprocessing_context, prefetch_factor, persistent_workers
) -> None:
    """PyTorch's checks of its worker-process options, which change nothing here."""
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing.let "
            "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    if multiprocessing_context is not None:
        if num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading "
                f"(num_workers > 0), but got num_workers={num_workers}"
            )
        methods = multiprocessing.get_all_start_methods()
        if isinstance(multiprocessing_context, str):
            if multiprocessing_context not in methods:
                raise ValueError(
                    "multiprocessing_context option should specify a valid start method in "
                    f"{methods!r}, but got multiprocessing_context={multiprocessing_context!r}"
                )
        elif not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
            raise TypeError(
                "multiprocessing_context option should be a valid context object or a string "
                f"specifying the start method, but got "
                f"multiprocessing_context={multiprocessing_context!r}"
            )


def _convert(sample, device: Device):
    """One sample without batching, as PyTorch's ``default_convert`` leaves it: tensors
    (moved to ``device``), NumPy arrays and scalars made tensors, tuples made lists,
    dicts and other sequences converted item by item, anything else as it is."""
    if isinstance(sample, Tensor):
        return sample.to(device)
    if isinstance(sample, np.ndarray | np.generic) and sample.dtype.kind in "biuf":
        with device.activate():
            return Tensor._wrap(device.from_host(np.asarray(sample)), device)
    if isinstance(sample, Mapping):
        return type(sample)({k: _convert(v, device) for k, v in sample.items()})
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):  # a namedtuple
        return type(sample)(*(_convert(v, device) for v in sample))
    if isinstance(sample, tuple | list):
        return [_convert(v, device) for v in sample]
    return sample


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
        # PyTorch's default_collate: float64 when the first is a float; when it is an int,
        # torch.tensor() of the mix, which gives the default float32.
        stacked = np.array(values, dtype=np.float64 if isinstance(first, float) else np.float32)
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
