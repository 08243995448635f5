"""``minigrad.accelerator``: PyTorch's device-neutral questions about the accelerator.

PyTorch programs written since 2.6 (its official MNIST example among them) pick their
device with::

    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() \\
        else torch.device("cpu")

The only accelerator minigrad knows is an NVIDIA GPU through CuPy, so these functions
answer about that one; they tell the truth, so on a machine without a usable GPU the
program above runs on the CPU.

Example:
    >>> import minigrad
    >>> device = (minigrad.accelerator.current_accelerator()
    ...           if minigrad.accelerator.is_available() else minigrad.device("cpu"))
    >>> device.type in ("cpu", "cuda")
    True
"""

from __future__ import annotations

from . import backend
from .backend import Device


def is_available() -> bool:
    """True when a GPU can be used (CuPy is installed and sees one).

    Example:
        >>> import minigrad
        >>> minigrad.accelerator.is_available() == minigrad.cuda.is_available()
        True
    """
    return backend.cuda_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """The accelerator's device, ``device("cuda")``, or None when there is none.

    PyTorch without ``check_available`` names the accelerator it was built for even when
    no such device is visible. minigrad cannot make a device object for a GPU it cannot
    see, so it answers None then, with or without ``check_available`` (accepted for
    PyTorch's signature).

    Example:
        >>> import minigrad
        >>> found = minigrad.accelerator.current_accelerator(check_available=True)
        >>> found is None or found.type == "cuda"
        True
    """
    return Device("cuda") if is_available() else None


def device_count() -> int:
    """The number of accelerator devices that can be used (0 without one).

    Example:
        >>> import minigrad
        >>> minigrad.accelerator.device_count() >= 0
        True
    """
    return backend.cuda_device_count()


def current_device_index() -> int:
    """The index of the accelerator device in use: minigrad uses device 0 unless a
    tensor is placed elsewhere (``"cuda:1"``). Without an accelerator this raises, as in
    PyTorch.

    Example:
        >>> import minigrad
        >>> if minigrad.accelerator.is_available():
        ...     assert minigrad.accelerator.current_device_index() == 0
    """
    if not is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return 0


def synchronize(device=None) -> None:
    """Wait until the accelerator has finished its queued work (a no-op without one).

    Example:
        >>> import minigrad
        >>> minigrad.accelerator.synchronize()
    """
    backend.cuda_synchronize()
