"""Datasets and batching, as ``torch.utils.data``: :class:`MNIST`, datasets and the
:class:`DataLoader`.

* ``mnist.py``: the MNIST digits, read from gzip-compressed IDX files that are found
  locally (minigrad ships a copy) or downloaded, and verified against published digests;
* ``dataset.py``: :class:`Dataset`, :class:`TensorDataset`, :class:`Subset`,
  :class:`ConcatDataset` and :func:`random_split`;
* ``sampler.py``: the samplers, which choose the indices a loader visits (and
  ``distributed.py``: :class:`DistributedSampler`, each process's share);
* ``loader.py``: the :class:`DataLoader`, which cuts batches straight from whole tensors
  on the device when a dataset has them.

PyTorch programs import the same objects as ``torch.utils.data``: ``minigrad.utils.data``
is this module under PyTorch's name.

Example:
    >>> import minigrad
    >>> from minigrad.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(minigrad.zeros(10, 3), minigrad.arange(10))
    >>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=4)]
    [(4, 3), (4, 3), (2, 3)]
"""

from .collate import default_collate, default_convert
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .loader import DataLoader, get_worker_info
from .mnist import MNIST, DataError
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "MNIST",
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataError",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
