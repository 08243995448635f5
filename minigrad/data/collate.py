"""Turning samples into batches when the loader cannot cut them from whole tensors.

:func:`collate` stacks a list of samples into a batch, following their structure as
PyTorch's ``default_collate`` does; :func:`convert` is ``default_convert``, for
``batch_size=None``. The loader comes here for datasets whose ``dataset[i]`` is computed
(a transform, a custom ``__getitem__``); a ``TensorDataset`` or ``MNIST`` never does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import backend
from .. import dtypes as _dtypes
from ..backend import Device
from ..tensor import Tensor


def convert(sample, device: Device):
    """One sample without batching, as PyTorch's ``default_convert`` leaves it: tensors
    (moved to ``device``), NumPy arrays and scalars made tensors, tuples made lists,
    dicts and other sequences converted item by item, anything else as it is."""
    if isinstance(sample, Tensor):
        return sample.to(device)
    if isinstance(sample, np.ndarray | np.generic) and sample.dtype.kind in "biuf":
        with device.activate():
            return Tensor._wrap(device.from_host(np.asarray(sample)), device)
    if isinstance(sample, Mapping):
        return type(sample)({k: convert(v, device) for k, v in sample.items()})
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):  # a namedtuple
        return type(sample)(*(convert(v, device) for v in sample))
    if isinstance(sample, tuple | list):
        return [convert(v, device) for v in sample]
    return sample


def collate(samples: list, device: Device, first_index: int, what: str = "the samples"):
    """Stack a list of samples into a batch, following their structure as PyTorch's
    ``default_collate`` does: a list with one batch per field for tuple or list samples
    (a namedtuple of batches for namedtuples), a dict with one batch per key for dict
    samples (both nest), a list for strings, and one tensor for tensors, numbers and
    arrays."""
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
            key: collate([s[key] for s in samples], device, first_index, f"key {key!r} of {what}")
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
        fields = [
            collate([s[j] for s in samples], device, first_index, f"field {j} of {what}")
            for j in range(width)
        ]
        return type(first)(*fields) if hasattr(first, "_fields") else fields  # namedtuple
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


def default_collate(batch):
    """Stack a list of samples into a batch on the CPU, following their structure, as
    PyTorch's ``torch.utils.data.default_collate``: what a DataLoader does without a
    ``collate_fn`` (and the building block of a custom one).

    Example:
        >>> from minigrad.data import default_collate
        >>> default_collate([(1, 2.0), (3, 4.0)])
        [tensor([1, 3]), tensor([2., 4.], dtype=minigrad.float64)]
    """
    if not isinstance(batch, list | tuple) or not batch:
        raise TypeError(f"default_collate: expected a non-empty list of samples, got {batch!r}")
    return collate(list(batch), backend.CPU, first_index=0)


def default_convert(data):
    """One sample converted as a DataLoader with ``batch_size=None`` leaves it (NumPy
    arrays become tensors, tuples lists), as PyTorch's ``default_convert``.

    Example:
        >>> import numpy as np
        >>> from minigrad.data import default_convert
        >>> default_convert((np.zeros(2), 3))
        [tensor([0., 0.], dtype=minigrad.float64), 3]
    """
    return convert(data, backend.CPU)
