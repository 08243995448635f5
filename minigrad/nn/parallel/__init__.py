"""``minigrad.nn.parallel``: :class:`DistributedDataParallel`, data parallelism over the
processes of :mod:`minigrad.distributed` (``distributed.py``: the module;
``reducer.py``: the bucketed averaging of gradients during backward), and PyTorch's
single-process ``DataParallel`` with its functional form ``data_parallel``
(``data_parallel.py``).

Example:
    >>> from minigrad import nn
    >>> nn.parallel.DistributedDataParallel.__name__
    'DistributedDataParallel'
"""

from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
