"""``minigrad.nn.parallel``: :class:`DistributedDataParallel`, data parallelism over the
processes of :mod:`minigrad.distributed` (``distributed.py``: the module;
``reducer.py``: the bucketed averaging of gradients during backward).

Example:
    >>> from minigrad import nn
    >>> nn.parallel.DistributedDataParallel.__name__
    'DistributedDataParallel'
"""

from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
