"""Writing files so that a crash or a full disk never leaves a half-written one.

The recipe, used by :func:`minigrad.save` and by the MNIST download: write to a temporary
file in the same directory, flush it and ``fsync`` it, ``os.replace`` it over the target
(an atomic rename on POSIX and Windows), and finally ``fsync`` the directory so that the
rename itself survives a power cut. Readers see the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os


def fsync_directory(directory) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op where it cannot be done)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
