"""numba, for the CPU's compiled kernels (``direct_conv.py``, ``batchnorm_kernels.py``).

numba is the ``fast`` extra (``pip install minigrad[fast]``), not a dependency. Without
it :data:`AVAILABLE` is false: the fast paths that need it are not registered (the CPU
runs the NumPy ones), and the kernels still run, as plain Python loops (``prange`` is
``range``), so that their tests pass either way, on small arrays.

Example:
    >>> from minigrad.fast import compiled
    >>> list(compiled.prange(3))  # numba's parallel range, or range without numba
    [0, 1, 2]
"""

from __future__ import annotations

import os
import threading

try:
    import numba
except ImportError:  # the ``fast`` extra: without it the kernels run as plain Python
    numba = None

AVAILABLE = numba is not None
"""Whether numba is installed (the kernels are compiled), or they run as plain Python."""
prange = numba.prange if AVAILABLE else range

if AVAILABLE and "NUMBA_THREADING_LAYER" not in os.environ:
    # numba's own work queue, rather than the OpenMP layer it picks by default: with
    # OpenMP, each parallel loop cost about 25 ms more on the 2-core CI machine, however
    # small (its threads and OpenBLAS's spin against each other), against 0.2 ms.
    numba.config.THREADING_LAYER = "workqueue"

one_at_a_time = threading.Lock()
"""Held around every parallel kernel: the work queue runs one parallel loop at a time,
so calls from several Python threads (a DataLoader's, DataParallel's) take turns, each
on every core."""
