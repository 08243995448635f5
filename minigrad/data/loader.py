"""Batches for training: :class:`TensorDataset` and :class:`DataLoader`.

A *dataset* here is map-style, as in PyTorch: it has ``len(dataset)`` and ``dataset[i]``,
which returns one sample, usually a tuple such as ``(image, label)``. A
:class:`DataLoader` walks through a dataset in batches, optionally in a shuffled order,
and gives each batch as a tuple of tensors whose first dimension is the batch.

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

from collections.abc import Mapping

import numpy as np

from .. import backend
from .. import dtypes as _dtypes
from .. import random as _random
from ..backend import Device
from ..tensor import Tensor


class TensorDataset:
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
        drop_last: leave out the last batch if it has fewer than ``batch_size`` samples.
        seed: with ``shuffle``, an int that fixes each epoch's order; ``None`` draws the
            orders from minigrad's global generator (see ``minigrad.manual_seed``).
        device: where batches are made: ``"cpu"`` (the default), ``"cuda"``, or a
            :class:`minigrad.Device`.
        collate_fn: a function that makes a batch from a list of samples, instead of the
            default stacking (as in PyTorch; the batch is then whatever it returns, and
            ``device`` is not applied to it).

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
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        device=None,
        collate_fn=None,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader needs a map-style dataset, an object with __len__ and "
                f"__getitem__ (such as TensorDataset or MNIST), got {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size}")
        for name, value in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"{name} must be True or False, got {value!r}")
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
                raise TypeError(f"seed must be None or a non-negative int, got {seed!r}")
            if seed < 0:
                raise ValueError(f"seed must be None or a non-negative int, got {seed}")
            seed = int(seed)
        if device is not None and not isinstance(device, str | Device):
            raise TypeError(
                f"device must be a string such as 'cpu' or 'cuda', or a minigrad.Device; "
                f"got {type(device).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        self.device = backend.CPU if device is None else Device(device)
        self.collate_fn = collate_fn
        self.epoch = 0  # the number of epochs started; it picks the order of a seeded shuffle
        self._sources: tuple | None = None  # fast path: the arrays the device copies are of
        self._arrays: tuple | None = None  # fast path: the dataset's arrays on self.device

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration epoch number ``epoch`` (for a seeded shuffle, the order
        depends on it: resuming at epoch 7 gives epoch 7's order)."""
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer) or epoch < 0:
            raise ValueError(f"epoch must be a non-negative int, got {epoch!r}")
        self.epoch = int(epoch)

    def __iter__(self):
        # A collate_fn of the user's sees every batch's samples: no fast path then.
        tensors = _whole_tensors(self.dataset) if self.collate_fn is None else None
        n = tensors[0].shape[0] if tensors is not None else len(self.dataset)
        order = self._order(n)
        self.epoch += 1
        stop = n - n % self.batch_size if self.drop_last else n
        if tensors is not None:
            return self._batches_from_tensors(self._device_arrays(tensors), order, stop)
        return self._batches_from_samples(order, n, stop)

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
            rng = _random.generator()
        return rng.permutation(n).astype(np.int64)

    def _device_arrays(self, tensors: tuple[Tensor, ...]) -> tuple:
        """The dataset's arrays on the loader's device, copied there at most once (again
        only if the dataset's tensors are replaced by others)."""
        sources = tuple(t._data for t in tensors)
        if self._sources is None or any(a is not b for a, b in zip(sources, self._sources)):
            with self.device.activate():
                self._arrays = tuple(self.device.move(a) for a in sources)
            self._sources = sources
        return self._arrays

    def _batches_from_tensors(self, arrays: tuple, order, stop: int):
        device = self.device
        with device.activate():
            index = None if order is None else device.from_host(order)
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, stop)
            with device.activate():
                if index is None:
                    batch = [a[start:end].copy() for a in arrays]
                else:
                    rows = index[start:end]
                    batch = [device.xp.take(a, rows, axis=0) for a in arrays]
            yield tuple(Tensor._wrap(b, device) for b in batch)

    def _batches_from_samples(self, order, n: int, stop: int):
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, stop)
            indices = range(start, end) if order is None else order[start:end].tolist()
            samples = [self.dataset[i] for i in indices]
            if self.collate_fn is not None:
                yield self.collate_fn(samples)
            else:
                yield _collate(samples, self.device, first_index=indices[0])


def _whole_tensors(dataset) -> tuple[Tensor, ...] | None:
    """The dataset's ``tensors`` if it has them in the form the fast path needs (a
    non-empty tuple of tensors with one row per sample) and its ``__getitem__`` is known
    to read row ``i`` of them and nothing more, else None."""
    if not _getitem_reads_rows(dataset):
        return None  # a subclass's own __getitem__ (a transform, say) must be called
    tensors = getattr(dataset, "tensors", None)
    if not isinstance(tensors, tuple | list) or not tensors:
        return None
    if not all(isinstance(t, Tensor) and t.ndim >= 1 for t in tensors):
        return None
    n = len(dataset)
    if any(t.shape[0] != n for t in tensors):
        return None
    return tuple(tensors)


def _getitem_reads_rows(dataset) -> bool:
    """True when the class that defines ``type(dataset).__getitem__`` declares (with a
    ``_getitem_reads_rows = True`` of its own) that it returns row ``i`` of ``tensors``."""
    for cls in type(dataset).__mro__:
        if "__getitem__" in vars(cls):
            return vars(cls).get("_getitem_reads_rows", False)
    return False


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
