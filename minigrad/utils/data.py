"""``minigrad.utils.data``: :mod:`minigrad.data` under ``torch.utils.data``'s name.

Every name here *is* the object of :mod:`minigrad.data` (the datasets, samplers and the
DataLoader are documented there), so ``isinstance`` checks and subclasses work across
both spellings.

Example:
    >>> import minigrad
    >>> from minigrad.utils.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(minigrad.arange(6)), batch_size=4)
    >>> [batch.tolist() for (batch,) in loader]
    [[0, 1, 2, 3], [4, 5]]
"""

from ..data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
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
