"""Writing files so that a crash or a full disk never leaves a half-written one.

The recipe, used by :func:`minigrad.save` and by the MNIST download: write to a temporary
file in the same directory, flush it and ``fsync`` it, ``os.replace`` it over the target
(an atomic rename on POSIX and Windows), and finally ``fsync`` the directory so that the
rename itself survives a power cut. Readers see the old file or the new one, never a mix.

A write killed before its rename (SIGKILL, a power cut) leaves its temporary file behind;
:func:`remove_stale_temporaries`, run by the next save to the same directory, removes the
ones that no live writer can own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import tempfile
import time


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


# Temporary files are named ``.minigrad-<host>-<pid>-<random>.tmp``: hidden, short (a name
# built from a long target could pass the 255-byte limit), and saying who writes them, so
# that a later save can tell a killed writer's leftovers from a live writer's file.
TEMPORARY_PREFIX = ".minigrad-"
TEMPORARY_SUFFIX = ".tmp"
# A leftover is removed only when nothing can still be writing it: its writer, on this
# host, is gone and the file has not changed for STALE_AFTER_EXIT seconds; or, whoever
# wrote it, it has not changed for STALE_AFTER seconds (another host's PIDs cannot be
# checked, and a PID namespace can hide a live process). A live writer keeps touching its
# file until the rename, except while fsync runs.
STALE_AFTER_EXIT = 300.0
STALE_AFTER = 24 * 3600.0


def _host() -> str:
    """This host's name, reduced to characters safe in a file name (at most 32)."""
    name = "".join(c if c.isalnum() or c in "._" else "_" for c in socket.gethostname())
    return name[:32] or "host"


def temporary_file(directory: str) -> tuple[int, str]:
    """A new temporary file in ``directory``, named as above: ``(fd, path)``."""
    return tempfile.mkstemp(
        dir=directory, prefix=f"{TEMPORARY_PREFIX}{_host()}-{os.getpid()}-",
        suffix=TEMPORARY_SUFFIX,
    )  # fmt: skip


def _pid_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError, OSError):
        return False  # it exists (another user's), or the question cannot be asked
    return False


def remove_stale_temporaries(directory: str, now: float | None = None) -> list[str]:
    """Remove the temporary files that killed writes left in ``directory``; return them.

    Only files named by :func:`temporary_file` are considered, and only those that nothing
    can still be writing (see ``STALE_AFTER_EXIT`` and ``STALE_AFTER``): a save that runs
    at the same time as another one, in this process or another, never loses its file.
    Errors (a file another user owns, one removed meanwhile) are ignored: cleaning up is
    a courtesy, never a reason for a save to fail.
    """
    now = time.time() if now is None else now
    host = _host()
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(TEMPORARY_PREFIX) and name.endswith(TEMPORARY_SUFFIX)):
            continue
        writer_host, _, pid = name[len(TEMPORARY_PREFIX) :].rpartition("-")[0].rpartition("-")
        path = os.path.join(directory, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        idle = now - info.st_mtime
        gone = writer_host == host and pid.isdigit() and _pid_is_gone(int(pid))
        if idle >= STALE_AFTER or (gone and idle >= STALE_AFTER_EXIT):
            with contextlib.suppress(OSError):
                os.remove(path)
                removed.append(path)
    return removed
