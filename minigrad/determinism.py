"""``use_deterministic_algorithms``: PyTorch's switch for reproducible results.

In PyTorch, some GPU kernels add in an order that varies from run to run (atomic
additions), and ``use_deterministic_algorithms(True)`` swaps them for deterministic ones
or makes them raise. minigrad's CPU path has no such kernel: the same seed gives the same
numbers on the same machine and libraries, with the flag or without. On a GPU, the
gradient of indexing with repeated indices is summed by CuPy's ``add.at``, whose atomic
additions may round differently from run to run; the flag does not change that. So the
flag is recorded, and read back, for the programs that set it, and changes nothing.

Example:
    >>> import minigrad
    >>> minigrad.use_deterministic_algorithms(True)
    >>> minigrad.are_deterministic_algorithms_enabled()
    True
    >>> minigrad.use_deterministic_algorithms(False)
"""

from __future__ import annotations

_enabled = False
_warn_only = False


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether deterministic algorithms are asked for (see the module docstring:
    minigrad's CPU results are deterministic either way).

    Example:
        >>> import minigrad
        >>> minigrad.use_deterministic_algorithms(True, warn_only=True)
        >>> minigrad.is_deterministic_algorithms_warn_only_enabled()
        True
        >>> minigrad.use_deterministic_algorithms(False)
    """
    global _enabled, _warn_only
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(
                f"use_deterministic_algorithms(): argument '{name}' must be bool, not "
                f"{type(value).__name__}"
            )
    _enabled, _warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in force.

    Example:
        >>> import minigrad
        >>> minigrad.are_deterministic_algorithms_enabled()
        False
    """
    return _enabled


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether ``use_deterministic_algorithms`` was last called with ``warn_only=True``.

    Example:
        >>> import minigrad
        >>> minigrad.is_deterministic_algorithms_warn_only_enabled()
        False
    """
    return _warn_only
