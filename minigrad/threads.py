"""How many CPU threads minigrad's array work uses: ``set_num_threads``, ``get_num_threads``.

On the CPU the heavy work is NumPy's matrix products, which run on the BLAS library that
NumPy ships (OpenBLAS, with a thread pool of its own), and the compiled kernels of
``minigrad/fast`` (numba's parallel loops). ``torch.set_num_threads(n)`` caps PyTorch's
pool; ``minigrad.set_num_threads(n)`` caps both of these, through threadpoolctl for the
BLAS library. The compiled kernels take the count when their threading layer starts, at
the first parallel loop (``fast/compiled.py`` registers itself here, so this module needs
no knowledge of it), or at once if it has started; as numba's own setting, it holds for
the calling thread.

Without a call the BLAS library uses its own default (one thread per core, or
``OPENBLAS_NUM_THREADS``).
"""

from __future__ import annotations

from collections.abc import Callable

from threadpoolctl import ThreadpoolController

__all__ = ["get_num_threads", "set_num_threads"]

_controller: ThreadpoolController | None = None
_listeners: list[Callable[[int], None]] = []  # told of every new count (fast/compiled.py)
requested: int | None = None
"""The last count given to :func:`set_num_threads` (None: never called)."""


def _blas():
    """The BLAS thread pools loaded in this process (NumPy's, once NumPy is imported)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.select(user_api="blas")


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads for the CPU's matrix products and compiled kernels.

    Example:
        >>> import minigrad
        >>> before = minigrad.get_num_threads()
        >>> minigrad.set_num_threads(1)
        >>> minigrad.get_num_threads()
        1
        >>> minigrad.set_num_threads(before)
    """
    global requested
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n!r}")
    _blas().limit(limits=n)
    requested = n
    for listener in _listeners:
        listener(n)


def get_num_threads() -> int:
    """The number of threads the CPU's matrix products use (the BLAS pool's size).

    Example:
        >>> import minigrad
        >>> minigrad.get_num_threads() >= 1
        True
    """
    pools = _blas().info()
    if pools:
        return max(pool["num_threads"] for pool in pools)
    return requested if requested is not None else 1  # a NumPy without a BLAS pool


def on_change(listener: Callable[[int], None]) -> None:
    """Call ``listener(n)`` at every :func:`set_num_threads` from now on (and at once,
    if a count was set already)."""
    _listeners.append(listener)
    if requested is not None:
        listener(requested)
