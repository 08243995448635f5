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
import types

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


def serial_and_parallel(kernel, **options):
    """Two compiled versions of ``kernel``, a function that loops with ``prange``: one
    that runs on one core (``prange`` is ``range``), for small arrays, where starting a
    parallel loop costs more than the work, and one on every core. Both are cached on
    disk. Without numba, ``kernel`` itself twice.

    The parallel one is compiled from a copy of the function under another name: numba
    keys its disk cache by a function's name and line, not by its options, so two
    versions of one function would load each other's machine code, and a test of one
    would run the other. (So it went for the max pooling's backward: its parallel
    version, which numba had compiled wrong, was loaded as the serial one too.)

    Inside a parallel loop, write arrays element by element, not by slice (``a[i, :] =
    0``): numba turns a slice assignment there into a parallel loop of its own, which
    it compiled wrong in the pooling's backward (numba 0.68: the row was not written).

    Example (``elementwise.py`` makes its ReLU so:
    ``_relu_serial, _relu_parallel = serial_and_parallel(_relu_kernel)``):
        >>> import numpy as np
        >>> from minigrad.fast.elementwise import _relu_parallel, _relu_serial
        >>> a, out = np.array([-1.0, 0.0, 2.0]), np.empty(3)
        >>> _relu_serial(a, out)
        >>> out
        array([0., 0., 2.])
    """
    if not AVAILABLE:
        return kernel, kernel
    twin = types.FunctionType(kernel.__code__, kernel.__globals__, kernel.__name__,
                              kernel.__defaults__, kernel.__closure__)  # fmt: skip
    twin.__qualname__ = kernel.__qualname__ + "_parallel"  # its own cache entry
    twin.__doc__, twin.__module__ = kernel.__doc__, kernel.__module__
    serial = numba.njit(cache=True, **options)(kernel)
    return serial, numba.njit(parallel=True, cache=True, **options)(twin)


one_at_a_time = threading.Lock()
"""Held around every parallel kernel: the work queue runs one parallel loop at a time,
so calls from several Python threads (a DataLoader's, DataParallel's) take turns, each
on every core."""
