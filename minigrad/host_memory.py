"""The host's allocator: keep the memory of freed arrays for the next ones.

A training step makes the same arrays, of the same sizes, step after step: activations,
gradients, work arrays. NumPy takes their memory from the C library's ``malloc``, and
glibc's defaults hand much of it back to the system when it is freed: blocks over the
*mmap threshold* get a mapping of their own, unmapped on ``free``, and the top of the heap
is trimmed once more than the *trim threshold* of it is free (both thresholds start at
128 KiB and follow the largest block freed). The next step's arrays are then new memory,
and the system maps and zero-fills each 4 KiB page on its first touch (a "minor fault").
On the 2-core CI machine a W2 training step (the MNIST CNN at batch 128) faulted 5,868
times, 23 MiB, every step, and took 157 ms; with the two thresholds fixed as below it
faulted none and took 138 ms (a W1 step at batch 500: 40.0 against 36.1 ms; PyTorch's
CPU steps fault as much as minigrad's did, ``docs/benchmarks.md``).

:func:`keep_freed_memory` fixes them: blocks up to 32 MiB (glibc's largest mmap
threshold) come from the heap, and up to 128 MiB of free memory stays at its top. The
process's peak memory is the same; what it keeps after the peak is its own to reuse,
not returned to the system until it exits (at most 128 MiB above what is live, plus
the heap's holes). ``import minigrad`` calls it on Linux with glibc, unless the user
chose malloc's settings already (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``,
``MALLOC_TOP_PAD_``, ``MALLOC_MMAP_MAX_``, or ``glibc.malloc`` tunables in
``GLIBC_TUNABLES``) or set ``MINIGRAD_KEEP_FREED_MEMORY=0``. It changes how memory is
reused, never a value: results are the same bits either way.

Example:
    >>> import minigrad.host_memory as host_memory
    >>> host_memory.keep_freed_memory(environ={"MINIGRAD_KEEP_FREED_MEMORY": "0"})
    False
"""

from __future__ import annotations

import ctypes
import os
import platform

MMAP_THRESHOLD = 32 << 20
"""Blocks up to this size come from the heap (glibc accepts at most 32 MiB)."""

TRIM_THRESHOLD = 128 << 20
"""Free memory kept at the top of the heap before any is handed back to the system."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)

_USER_SETTINGS = (
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)


def keep_freed_memory(environ=None) -> bool:
    """Fix glibc's mmap and trim thresholds (see the module docstring); whether it did.

    It does nothing, and returns False, off glibc, where ``environ`` (the process's
    environment by default) sets ``MINIGRAD_KEEP_FREED_MEMORY=0``, or where it holds the
    user's own malloc settings.
    """
    environ = os.environ if environ is None else environ
    if environ.get("MINIGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    if any(name in environ for name in _USER_SETTINGS):
        return False
    if "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols: glibc's malloc
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mallopt returns 1 on success. The mmap threshold first: setting either one stops
    # glibc from moving both with the blocks freed.
    done = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and done
