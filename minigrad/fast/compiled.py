"""numba, for the CPU's compiled kernels (``direct_conv.py``, ``batchnorm_kernels.py``).

numba is the ``fast`` extra (``pip install minigrad[fast]``), not a dependency. Without
it :data:`AVAILABLE` is false: the fast paths that need it are not registered (the CPU
runs the NumPy ones), and the kernels still run, as plain Python loops (``prange`` is
``range``), so that their tests pass either way, on small arrays.

**Threads.** A parallel loop (``prange``) runs on numba's *threading layer*. minigrad
picks OpenMP's (``omp``), with its idle threads asleep at once (``OMP_WAIT_POLICY=PASSIVE``
while the library loads): the calling thread takes a share of the loop and wakes one
other, where numba's own work queue wakes two, twice per loop, while the caller waits.
On the 2-core machine a loop started in 0.04-0.12 ms against 0.08-0.21, and in alternating
processes the CNN step at batch 128 took 86-106 ms against 85-120, its 32->32 layer
40-49 against 41-61, a ReLU of 128x32x28x28 2.6-3.9 against 3.0-5.6
(``docs/benchmarks.md``). Spinning idle threads, OpenMP's default, would take the cores
from OpenBLAS's (the MLP's step slower). The work queue stays where the user named a
layer (``NUMBA_THREADING_LAYER``), where no OpenMP library is installed, and where one
is loaded already (by PyTorch, say: its threads spin). The layer is picked at the first
parallel loop, not at ``import minigrad``: a process that imports PyTorch after minigrad
and before that loop leaves PyTorch's OpenMP as PyTorch sets it (loaded with this policy,
PyTorch's LSTM step of the suite ran 13.6 ms against 4.6); one that imports PyTorch after
minigrad's first parallel loop shares this library with it, asleep when idle for PyTorch
too.
OpenMP's threads do not survive a fork: in a child forked after a parallel loop, the
kernels run on one core (:data:`PARALLEL`).

Example:
    >>> from minigrad.fast import compiled
    >>> list(compiled.prange(3))  # numba's parallel range, or range without numba
    [0, 1, 2]
"""

from __future__ import annotations

import os
import threading
import types

from .. import threads

try:
    import numba
except ImportError:  # the ``fast`` extra: without it the kernels run as plain Python
    numba = None

AVAILABLE = numba is not None
"""Whether numba is installed (the kernels are compiled), or they run as plain Python."""
prange = numba.prange if AVAILABLE else range


def _openmp_already_loaded() -> bool:
    """Whether an OpenMP library is in this process already (Linux: its memory map),
    loaded by another package (PyTorch), with that package's settings."""
    try:
        with open("/proc/self/maps") as maps:
            return any("libgomp" in line or "libiomp" in line for line in maps)
    except OSError:  # not Linux: nothing known
        return False


def _load_passive_openmp() -> bool:
    """Load numba's OpenMP threading layer with its OpenMP library set to let idle
    threads sleep at once (``OMP_WAIT_POLICY=PASSIVE``, unless the user chose a policy);
    whether it did. The library reads the variable once, as it loads: it is set for that
    moment only, so that child processes keep their own defaults."""
    if _openmp_already_loaded():  # its threads would spin: numba's work queue instead
        return False
    user = os.environ.get("OMP_WAIT_POLICY")
    if user is None:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        from numba.np.ufunc import omppool  # noqa: F401 (loads libgomp, or libiomp)
    except ImportError:  # no OpenMP library on this system: numba's work queue instead
        return False
    finally:
        if user is None:
            del os.environ["OMP_WAIT_POLICY"]
    return True


def _choose_threading_layer() -> None:
    """Pick numba's threading layer, just before the first parallel loop (as late as
    that: a library imported after minigrad but before then, PyTorch say, loads its own
    OpenMP library with its own settings, and minigrad takes the work queue)."""
    if AVAILABLE and "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "omp" if _load_passive_openmp() else "workqueue"


if AVAILABLE and "NUMBA_THREADING_LAYER" not in os.environ:
    # Until the layer is chosen: a parallel loop started outside ``one_at_a_time`` runs on
    # numba's work queue, never on OpenMP's threads with their default (spinning) policy.
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


PARALLEL = True
"""Whether the kernels may run on every core: false in a child process forked after a
parallel loop ran on OpenMP's threads, which a fork does not copy (numba ends such a
child when it starts a parallel loop): there the kernels run on one core, as their
serial twins (:func:`serial_and_parallel`). Read it where a kernel is picked, as
``compiled.PARALLEL`` (a fork changes it after the import)."""


def _after_fork_in_child() -> None:
    global PARALLEL
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel loop ran before the fork: the child starts its own
        return
    if layer == "omp":
        PARALLEL = False


if AVAILABLE and hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _FirstParallelLoop:
    """:data:`one_at_a_time` until the first parallel loop: it takes the lock, picks the
    threading layer, and leaves the plain lock in its place."""

    def __enter__(self) -> None:
        global one_at_a_time
        _lock.acquire()
        if one_at_a_time is self:
            try:
                _choose_threading_layer()
                if _thread_count is not None:  # minigrad.set_num_threads came first
                    numba.set_num_threads(_thread_count)
            except BaseException:  # not left held: the next loop tries again
                _lock.release()
                raise
            one_at_a_time = _lock

    def __exit__(self, *exc) -> None:
        _lock.release()


_lock = threading.Lock()
one_at_a_time = _FirstParallelLoop()
"""Held around every parallel kernel, as ``with compiled.one_at_a_time:`` (read from
the module: the first use replaces it): parallel loops run one at a time, so calls from
several Python threads (a DataLoader's, DataParallel's) take turns, each on every core
(two loops at once would share the cores and both run slower)."""


_thread_count: int | None = None  # from minigrad.set_num_threads, for numba's loops


def _use_threads(n: int) -> None:
    """``minigrad.set_num_threads(n)`` for the parallel loops: at once if their threads
    run already, else when the first loop has chosen the threading layer (numba's own
    call would start the threads now, on a layer not yet chosen)."""
    global _thread_count
    _thread_count = min(n, numba.config.NUMBA_NUM_THREADS)
    if one_at_a_time is _lock:
        numba.set_num_threads(_thread_count)


if AVAILABLE:
    threads.on_change(_use_threads)
