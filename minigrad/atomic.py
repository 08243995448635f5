"""Writing files so that a crash or a full disk never leaves a half-written one.

The recipe, used by :func:`minigrad.save` and by the MNIST download: write to a temporary
file in the same directory, flush it and ``fsync`` it, ``os.replace`` it over the target
(an atomic rename on POSIX and Windows), and finally ``fsync`` the directory so that the
rename itself survives a power cut. Readers see the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
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


def new_file_mode() -> int:
    """The permissions ``open()`` would give a new file: 0o666 less the process's umask
    (``mkstemp`` makes its files private, 0o600, whatever the umask says)."""
    mask = os.umask(0)  # the only way to read the umask is to set it: put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def replace_target(path) -> tuple[str, int]:
    """The file a write to ``path`` must replace, and the mode the new file gets.

    Like ``open(path, "w")``: a symlink is written through (its target is replaced, the
    link stays), an existing file keeps its permissions, and a file the process may not
    write raises PermissionError instead of being replaced (``os.replace`` needs only
    the directory to be writable, so it would silently replace a read-only file).
    """
    target = os.path.realpath(path)
    if not os.path.exists(target):
        return target, new_file_mode()
    if not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied (the file is read-only)", path)
    return target, os.stat(target).st_mode & 0o777
