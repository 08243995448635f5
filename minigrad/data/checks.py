"""The DataLoader's argument checks: PyTorch's rules and messages, kept out of its way.

``DataLoader.__init__`` calls :func:`check_arguments` once; the loader itself then reads
as what it does. The worker-process options (``num_workers``, ``timeout``,
``prefetch_factor``, ``persistent_workers``, ``multiprocessing_context``) are checked as
PyTorch checks them and change nothing else: minigrad loads in the calling process.
"""

from __future__ import annotations

import multiprocessing

import numpy as np

from .. import random as _random
from ..backend import Device
from .dataset import IterableDataset


def check_arguments(
    dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, seed, generator,
    device, collate_fn, num_workers, timeout, multiprocessing_context, prefetch_factor,
    persistent_workers,
):  # fmt: skip
    """Raise PyTorch's error for a bad combination of ``DataLoader`` arguments; return
    ``(batch_size, drop_last, seed)`` as the loader keeps them (None, None with a batch
    sampler; plain ints)."""
    if isinstance(dataset, IterableDataset):
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):  # fmt: skip
            if value not in (None, False):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified {name} option, "
                    f"but got {name}={value!r}"
                )
    elif not hasattr(dataset, "__getitem__"):
        raise TypeError(
            f"DataLoader needs a map-style dataset, an object with __getitem__ (and "
            f"__len__ unless a sampler gives the indices), such as TensorDataset or "
            f"MNIST; got {type(dataset).__name__}"
        )
    check_worker_options(num_workers, timeout, multiprocessing_context, prefetch_factor,
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
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if batch_size < 1:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        batch_size = int(batch_size)
        if not isinstance(drop_last, bool | np.bool_):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
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
    return batch_size, drop_last, seed


def check_worker_options(
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
