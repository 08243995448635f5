"""Checkpoints: ``save(obj, f)`` and ``load(f)`` for tensors inside plain data.

What can be saved: nested ``dict`` / ``list`` / ``tuple`` / ``set`` containers of minigrad
tensors, NumPy arrays and scalars, and plain Python values (``int``, ``float``, ``bool``,
``str``, ``None``). That covers a model's ``state_dict()``, an optimizer's and a
scheduler's, and a training checkpoint such as ``{'model': ..., 'optimizer': ...,
'epoch': 3}``. Dict keys must be ``str`` or ``int`` (optimizer state is keyed by parameter
index) and come back with the same type.

A whole model, ``save(model, f)`` as PyTorch programs do, is saved too: any object whose
class can be imported by its name is stored as that name and its attributes (a module's
parameters, buffers, submodules and settings), and functions and classes as their names.
Loading one needs ``load(f, weights_only=False)``, as in PyTorch 2.6+: it imports the
classes the file names and sets the attributes saved (no ``__init__`` runs). That is still
no pickle (nothing in the file is called), but importing a module runs its code, so pass
``weights_only=False`` only for files you trust; without it, such a file is refused.

The file format, and why it never unpickles
-------------------------------------------
``torch.save`` writes a pickle, and ``pickle.load`` can run arbitrary code: loading a
checkpoint from someone else is then as dangerous as running their script. minigrad's
checkpoints contain only data, so loading one can never execute anything:

* the file is a NumPy ``.npz`` archive (a zip of uncompressed ``.npy`` files, see
  ``numpy.savez``), read back by this module's own reader, which never unpickles;
* each array (a tensor's data, or a NumPy array) is one member, ``a0``, ``a1``, ...;
* the member ``__minigrad__`` is a 0-d string array holding a JSON description of the
  structure: a format marker and version, and a tree of nodes (dicts with typed keys,
  lists, tuples, scalars, and for each tensor its member name, dtype, shape, original
  device, ``requires_grad`` and the SHA-256 of its bytes).

Guarantees
----------
* **Atomic.** Saving to a path writes a temporary file in the target's directory, flushes
  and fsyncs it, and renames it over the target with ``os.replace`` (atomic on POSIX and
  Windows): a crash, a kill or an error midway leaves the previous checkpoint intact and
  never a partial one. A kill can leave the temporary file (``.minigrad-<host>-<pid>-
  ....tmp``); the next save into that directory removes those that no live writer can
  own (their writer, on this host, has exited and they have been idle for five minutes;
  or they have not changed for a day).
* **Verified.** Loading checks the marker, the version, each array's dtype and shape, the
  zip CRC-32s and each SHA-256, so a damaged file raises :class:`CheckpointError` (naming
  the file and the problem) rather than silently giving wrong weights.
* **No code.** Only data is read: no pickle, whatever the file holds (with
  ``weights_only=False``, classes are imported by name to rebuild the objects saved).
* **Bounded work per byte read.** Loading takes time linear in the file's size and never
  allocates more than the file holds: the archive is found without trying candidates,
  each member's declared shape must match its real size before anything is allocated,
  compressed members (which could expand a small file into a huge array) are refused,
  and each array is read once. A hostile file gets a CheckpointError, quickly.

Otherwise saving behaves as ``open(path, "wb")`` would: it writes through a symlink, keeps
an existing file's permissions (a new one gets the umask's), and refuses a read-only file.
``save`` and ``load`` also take binary file objects (``io.BytesIO``, an open file), as
PyTorch's do; a stream holding several checkpoints loads the one at its position.

Tensors are loaded onto the CPU, or onto ``map_location``; their original device is
recorded in the file, and a dict ``map_location`` (``{"cuda:0": "cpu"}``) maps it. A
tensor that appears several times in ``obj`` is stored once and loads as one tensor
(views of one storage are stored separately). Gradients are not saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import json
import math
import os
import struct
import sys
import tokenize
import types
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from . import backend
from . import dtypes as _dtypes
from .atomic import fsync_directory, remove_stale_temporaries, replace_target, temporary_file
from .backend import Device
from .nn.parameter import Parameter
from .tensor import Tensor

FORMAT = "minigrad-checkpoint"
VERSION = 1
HEADER = "__minigrad__"
_ZIP_MAGIC = b"PK\x03\x04"
_ARRAY_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex


class CheckpointError(RuntimeError):
    """A file could not be loaded as a minigrad checkpoint (the message says why)."""


class UnsupportedTypeError(CheckpointError, TypeError):
    """``save`` met a value it cannot store; the message names its type and key path."""


# ----------------------------------------------------------------------------------------
# Saving
# ----------------------------------------------------------------------------------------


def save(obj, f, pickle_module=None, pickle_protocol: int = 2) -> None:
    """Save ``obj`` (tensors and arrays inside dicts, lists, tuples and plain values).

    Args:
        obj: the data to save, for example ``{'model': model.state_dict(), 'epoch': 3}``.
        f: a path (``str`` or ``os.PathLike``), written exactly there (no suffix is added)
            and replaced atomically if it exists; or a binary file object opened for
            writing (``open(name, "wb")``, ``io.BytesIO()``), which gets the archive at
            its current position (atomicity is then the caller's: minigrad cannot rename
            an open file).
        pickle_module: accepted for ``torch.save``'s signature and ignored: the format
            stores data, never pickles.
        pickle_protocol: accepted and ignored, as ``pickle_module``.

    Raises:
        UnsupportedTypeError: for any other type (the message names it and where it is,
            as a key path such as ``obj['optimizer']['state'][0]``), a dict key that is not
            ``str`` or ``int``, or a container that contains itself.

    Example:
        >>> import io, os, tempfile
        >>> import minigrad
        >>> from minigrad.serialization import save, load
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
        >>> save({"w": minigrad.tensor([1.0, 2.0]), "epoch": 3, 0: None}, path)
        >>> load(path)
        {'w': tensor([1., 2.]), 'epoch': 3, 0: None}
        >>> buffer = io.BytesIO()
        >>> save({"w": minigrad.tensor([1.0])}, buffer)
        >>> _ = buffer.seek(0)
        >>> load(buffer)
        {'w': tensor([1.])}
    """
    if not (isinstance(f, str | os.PathLike) or hasattr(f, "write")):
        raise TypeError(
            f"save: f must be a path (str or os.PathLike) or a binary file object opened for "
            f"writing; got {type(f).__name__}"
        )
    writer = _Writer()
    root = writer.encode(obj, "obj")
    header = {"format": FORMAT, "version": VERSION, "root": root}
    arrays = dict(writer.arrays)
    arrays[HEADER] = np.array(json.dumps(header, allow_nan=False))
    if hasattr(f, "write"):
        if isinstance(f, io.TextIOBase):
            raise TypeError(f"save: the {type(f).__name__} is open in text mode; open it with 'wb'")
        np.savez(f, **arrays)
        if hasattr(f, "flush"):
            f.flush()
        return
    _write_atomically(os.fspath(f), arrays)


class _Writer:
    """Turns an object tree into JSON nodes plus a dict of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.tensors: dict[int, tuple[str, str]] = {}  # id(tensor) -> (member, digest)
        self.keep: list[Tensor] = []  # keeps tensors alive so that their ids stay unique
        self.active: set[int] = set()  # containers being encoded, to detect cycles
        self.objects: dict[int, int] = {}  # id(object) -> its number, for shared objects
        self.keep_objects: list = []  # keeps them alive so that their ids stay unique

    def add_array(self, array: np.ndarray) -> tuple[str, str]:
        name = f"a{len(self.arrays)}"
        array = _c_contiguous(array)
        self.arrays[name] = array
        return name, _sha256(array)

    def encode(self, obj, where: str):
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if type(obj) is int:
            return {"type": "int", "value": obj}
        if type(obj) is float:
            return {"type": "float", "value": repr(obj)}  # repr round-trips exactly, nan too
        if type(obj) is str:
            return {"type": "str", "value": obj}
        if isinstance(obj, Tensor):
            return self.encode_tensor(obj)
        if isinstance(obj, np.ndarray):
            return self.encode_ndarray(obj, where, "ndarray")
        if isinstance(obj, np.generic):
            return self.encode_ndarray(np.asarray(obj), where, "npscalar")
        if type(obj) in (dict, OrderedDict, list, tuple):
            if id(obj) in self.active:
                raise UnsupportedTypeError(
                    f"cannot save: {where} contains itself (a reference cycle)"
                )
            self.active.add(id(obj))
            try:
                return self.encode_container(obj, where)
            finally:
                self.active.discard(id(obj))
        if isinstance(obj, list | tuple | dict):
            _unsupported(
                obj, where, "subclasses of dict, list and tuple (named tuples, defaultdict) "
                "are not supported",
            )  # fmt: skip
        if type(obj) in (set, frozenset):
            items = [self.encode(value, f"{where}{{...}}") for value in obj]
            return {"type": type(obj).__name__, "items": items}
        if isinstance(obj, np.dtype) and obj.fields is None and obj.kind != "V":
            return {"type": "dtype", "value": obj.str}
        if isinstance(obj, Device):
            return {"type": "device", "value": str(obj)}
        if _importable(obj):  # a function or class, saved as its name
            return {"type": "global", "module": obj.__module__, "qualname": obj.__qualname__}
        if _rebuildable(obj):
            return self.encode_object(obj, where)
        _unsupported(obj, where)

    def encode_object(self, obj, where: str):
        """A whole object (a model): its class, by name, and its attributes' values."""
        if id(obj) in self.objects:  # shared (a submodule used twice): stored once
            return {"type": "objref", "id": self.objects[id(obj)]}
        if id(obj) in self.active:
            raise UnsupportedTypeError(f"cannot save: {where} contains itself (a reference cycle)")
        self.active.add(id(obj))
        try:
            node = self.encode_container(dict(vars(obj)), where, attributes=True)
        finally:
            self.active.discard(id(obj))
        number = len(self.objects)
        self.objects[id(obj)] = number
        self.keep_objects.append(obj)
        cls = type(obj)
        return {"type": "object", "id": number, "module": cls.__module__,
                "qualname": cls.__qualname__, "state": node}  # fmt: skip

    def encode_container(self, obj, where: str, attributes: bool = False):
        if isinstance(obj, dict):
            keys, values = [], []
            for key, value in obj.items():
                if isinstance(key, bool) or type(key) not in (str, int):
                    raise UnsupportedTypeError(
                        f"cannot save: dict keys must be str or int, but {where} has a key "
                        f"{key!r} of type {type(key).__name__}"
                    )
                keys.append({"type": "str" if type(key) is str else "int", "value": key})
                values.append(
                    self.encode(value, f"{where}.{key}" if attributes else f"{where}[{key!r}]")
                )
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            return {"type": kind, "keys": keys, "values": values}
        items = [self.encode(value, f"{where}[{i}]") for i, value in enumerate(obj)]
        return {"type": type(obj).__name__, "items": items}

    def encode_tensor(self, t: Tensor):
        if id(t) in self.tensors:  # the same tensor again: store it once
            name, digest = self.tensors[id(t)]
            array = self.arrays[name]
        else:
            array = backend.to_host(t._data)
            name, digest = self.add_array(array)
            self.tensors[id(t)] = name, digest
            self.keep.append(t)
        return {
            "type": "tensor",
            "array": name,
            "dtype": array.dtype.name,
            "shape": list(array.shape),
            "device": str(t.device),
            "requires_grad": bool(t.requires_grad),
            "parameter": isinstance(t, Parameter),  # loads back as a Parameter, as in PyTorch
            "sha256": digest,
        }

    def encode_ndarray(self, array: np.ndarray, where: str, kind: str):
        if array.dtype.kind not in _ARRAY_KINDS:
            _unsupported(
                array, where, f"arrays of dtype {array.dtype} cannot be stored without pickle"
            )
        name, digest = self.add_array(array)
        return {
            "type": kind,
            "array": name,
            "dtype": array.dtype.str,  # with the byte order, e.g. '<f4'
            "shape": list(array.shape),
            "sha256": digest,
        }


def _unsupported(obj, where: str, detail: str = "") -> None:
    raise UnsupportedTypeError(
        f"cannot save an object of type {type(obj).__module__}.{type(obj).__qualname__} at "
        f"{where}: only minigrad tensors, NumPy arrays and scalars, dict (str or int keys), "
        f"list, tuple, set, int, float, bool, str and None can be saved, and so can "
        f"functions and classes that can be imported by name, and objects (a whole model) "
        f"of such classes whose attributes hold these values" + (f" ({detail})" if detail else "")
    )


def _importable(obj) -> bool:
    """Whether ``obj`` is a function or class that its module's name and its qualified
    name find again (not a lambda or a class defined inside a function)."""
    if not isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType):
        return False
    return _find(getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")) is obj


def _find(module, qualname: str):
    """The object ``module.qualname`` names, or None (without importing anything new)."""
    if not isinstance(module, str) or not qualname or "<" in qualname:
        return None
    found = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found


def _rebuildable(obj) -> bool:
    """Whether ``obj`` can be saved as its class and attributes: an instance with a
    ``__dict__``, of an importable class that keeps no state elsewhere (no ``__slots__``)
    and does not define its own pickling (which this format would not follow)."""
    cls = type(obj)
    if not hasattr(obj, "__dict__") or cls.__module__ == "builtins" or not _importable(cls):
        return False
    if any(c.__module__ == "builtins" for c in cls.__mro__[:-1]):
        return False  # a subclass of a built-in type keeps its value outside __dict__
    for c in cls.__mro__[:-1]:  # slots hold state outside __dict__ (ABC's empty ones don't)
        slots = vars(c).get("__slots__", ())
        slots = (slots,) if isinstance(slots, str) else slots
        if set(slots) - {"__dict__", "__weakref__"}:
            return False
    return all(getattr(cls, name) is getattr(object, name)
               for name in ("__reduce__", "__reduce_ex__", "__getstate__"))  # fmt: skip


def _c_contiguous(array: np.ndarray) -> np.ndarray:
    """The array itself if it is C-contiguous, else a C-contiguous copy (keeping 0-d arrays
    0-d, which ``np.ascontiguousarray`` does not)."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def _sha256(array: np.ndarray) -> str:
    """The SHA-256 of the array's bytes in C order."""
    return hashlib.sha256(_c_contiguous(array).reshape(-1).view(np.uint8)).hexdigest()


def _write_atomically(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Write the archive to a temporary file beside ``path``, fsync it, then rename it."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            2, f"cannot save: the directory {directory!r} does not exist", os.fspath(path)
        )
    target, mode = replace_target(path)  # through a symlink; never over a read-only file
    directory = os.path.dirname(target)
    remove_stale_temporaries(directory)  # what saves killed before their rename left
    fd, tmp = temporary_file(directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    fsync_directory(directory)


# ----------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------


# Keyword arguments torch.load hands to pickle's Unpickler; meaningless without pickle.
_PICKLE_LOAD_ARGS = frozenset({"encoding", "errors", "fix_imports", "buffers"})


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
    **pickle_load_args,
):  # fmt: skip
    """Load what :func:`save` wrote, checking the format and every array's SHA-256.

    Args:
        f: a path (``str`` or ``os.PathLike``), or a binary file object opened for reading
            (positioned at the start of the checkpoint; one that cannot seek is read into
            memory first).
        map_location: where tensors go: ``None`` or ``"cpu"`` (the CPU, whatever device
            they were saved from), ``"cuda"``, ``"cuda:1"`` or a :class:`minigrad.Device`;
            or a dict from the device a tensor was saved on to the one it loads on
            (``{"cuda:0": "cpu"}``), where a device missing from the dict loads as saved,
            as in PyTorch; or a function ``(tensor, location) -> tensor or None``, given
            each tensor on the CPU (where PyTorch gives a storage) and the name of the
            device it was saved on. NumPy arrays always load as NumPy arrays.
        pickle_module: accepted for ``torch.load``'s signature and ignored: nothing is
            unpickled.
        weights_only: ``False`` to rebuild the whole objects (models) a file holds, by
            importing the classes it names, as PyTorch's ``weights_only=False``; only for
            files from a source you trust. Otherwise (``None``, the default, or ``True``)
            only data loads, and a file holding an object raises CheckpointError, as
            PyTorch 2.6+ refuses one by default.
        **pickle_load_args: pickle's Unpickler options (``encoding``, ``errors``,
            ``fix_imports``, ``buffers``), accepted and ignored; any other name is a
            ``TypeError``, as in PyTorch.
        mmap: must be None or False: the arrays are read into memory (and hashed).

    Raises:
        FileNotFoundError: the path does not exist.
        CheckpointError: the file is not a minigrad checkpoint (a text file, a plain
            ``.npz``, an archive with compressed members), is truncated or corrupt (a
            SHA-256 or CRC mismatch, a member whose declared shape its bytes do not
            fill), or was written by a newer format version. The message names the file
            and the problem.

    Example:
        >>> import os, tempfile
        >>> import minigrad
        >>> from minigrad.serialization import save, load
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
        >>> save({"state": {0: {"momentum_buffer": minigrad.zeros(2)}}, "lr": 0.1}, path)
        >>> ckpt = load(path, map_location="cpu")
        >>> ckpt["state"][0]["momentum_buffer"], ckpt["lr"]
        (tensor([0., 0.]), 0.1)
    """
    unknown = set(pickle_load_args) - _PICKLE_LOAD_ARGS
    if unknown:
        raise TypeError(f"load() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if mmap:
        raise NotImplementedError(
            "load(mmap=True) is not supported: a minigrad checkpoint is an .npz archive, "
            "whose arrays are read into memory (and checked against their SHA-256)"
        )
    placement = _map_location(map_location)
    if isinstance(f, str | os.PathLike):
        path = os.fspath(f)
        if not os.path.exists(path):
            raise FileNotFoundError(2, "no such checkpoint file", path)
        # The file is opened here and handed to numpy.load, so that it is closed even when
        # numpy.load fails on a damaged archive (given a path, it can leak the handle).
        with open(path, "rb") as stream:
            return _load_stream(stream, repr(path), placement, weights_only is False)
    if not hasattr(f, "read"):
        raise TypeError(
            f"load: f must be a path (str or os.PathLike) or a binary file object opened "
            f"for reading; got {type(f).__name__}"
        )
    name = getattr(f, "name", None)
    label = repr(name) if isinstance(name, str) else f"the {type(f).__name__} object"
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"load: {label} is open in text mode; open it with 'rb'")
    seekable = getattr(f, "seekable", None)
    if seekable is None or not seekable():  # zip archives are read by seeking
        f = io.BytesIO(f.read())
    return _load_stream(f, label, placement, weights_only is False)


def _load_stream(stream, label: str, placement, objects: bool = False):
    start = stream.tell()
    magic = stream.read(4)
    if magic != _ZIP_MAGIC:
        what = "an empty file" if not magic else "not an .npz (zip) archive"
        raise CheckpointError(f"{label} is not a minigrad checkpoint: {what}")
    try:
        with _open_archive(stream, start, label) as archive:
            # numpy.savez names each member after its array, plus ".npy"
            members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
            if HEADER not in members:
                raise CheckpointError(
                    f"{label} is not a minigrad checkpoint: it is an .npz archive "
                    f"without a {HEADER!r} entry (a plain NumPy file? use numpy.load)"
                )
            size = _stream_size(stream)
            for info in members.values():
                _check_member(info, size, label)
            header = _read_header(_read_member(archive, members, HEADER, label), label)
            reader = _Reader(archive, members, label, placement, objects)
            return reader.decode(header["root"], "obj")
    except CheckpointError:
        raise
    except _NotDamage as wrapped:  # not the file's fault: the original error, unchanged
        raise wrapped.error from None
    except _DAMAGE as error:
        raise CheckpointError(
            f"{label} is truncated or corrupt: {type(error).__name__}: {error}"
        ) from error


class _NotDamage(Exception):
    """Carries an error that is not the file's fault (from ``map_location``, or a device
    that is not there) past the handler that turns damage into a CheckpointError."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _stream_size(stream) -> int:
    position = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(position)
    return size


def _open_archive(stream, start: int, label: str) -> zipfile.ZipFile:
    """The zip archive that begins at ``start``, opened.

    zipfile finds an archive from the end of the stream, which is right for a file that
    holds one checkpoint (the common case: one read of the last bytes, then the central
    directory). When the archive it finds begins elsewhere, the stream holds more than one
    (several checkpoints saved into one stream): the first is then found by walking its
    records from ``start`` (:func:`_archive_end`), once, and opened on its own bytes, as
    PyTorch reads only the first. Every step reads a bounded number of bytes ahead of
    where it is, so the work is linear in the stream's size, whatever its bytes hold.
    """
    stream.seek(start)
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        archive = None  # perhaps a checkpoint followed by something that is not an archive
    if archive is not None:
        if min((i.header_offset for i in archive.infolist()), default=start) == start:
            return archive
        archive.close()
    end = _archive_end(stream, start)
    if end is None:
        raise CheckpointError(
            f"{label} is truncated or corrupt: no zip archive ends after the one that "
            f"starts at byte {start}"
        )
    stream.seek(start)
    return zipfile.ZipFile(io.BytesIO(stream.read(end - start)))


# The zip records (APPNOTE.TXT section 4.3) and the fixed part of each: its size, and
# where the lengths of the variable parts that follow it are.
_LOCAL, _CENTRAL = b"PK\x03\x04", b"PK\x01\x02"
_ZIP64_END, _ZIP64_LOCATOR, _END = b"PK\x06\x06", b"PK\x06\x07", b"PK\x05\x06"


def _archive_end(stream, start: int) -> int | None:
    """Where the zip archive that begins at ``start`` ends, found by stepping from record
    to record (local headers and their data, the central directory, the end records), or
    None when the bytes there are not such an archive.

    Each step reads one record's fixed part and jumps over what its lengths say follow,
    so the number of steps is at most the number of records: no search through the data,
    which can hold any bytes (a tensor may contain every signature there is).
    """
    position = start
    while True:
        stream.seek(position)
        record = stream.read(46)
        signature = record[:4]
        if signature == _LOCAL and len(record) >= 30:
            flags, size, name, extra = struct.unpack("<2xH10xI4xHH", record[4:30])
            if flags & 0x08:  # sizes follow the data (a stream that could not seek)
                return None
            if size == 0xFFFFFFFF:  # the real size is in the zip64 extra field
                stream.seek(position + 30 + name)
                size = _zip64_compressed_size(stream.read(extra))
                if size is None:
                    return None
            position += 30 + name + extra + size
        elif signature == _CENTRAL and len(record) == 46:
            name, extra, comment = struct.unpack("<HHH", record[28:34])
            position += 46 + name + extra + comment
        elif signature == _ZIP64_END and len(record) >= 12:
            position += 12 + struct.unpack("<Q", record[4:12])[0]
        elif signature == _ZIP64_LOCATOR and len(record) >= 20:
            position += 20
        elif signature == _END and len(record) >= 22:
            return position + 22 + struct.unpack("<H", record[20:22])[0]
        else:
            return None


def _zip64_compressed_size(extra: bytes) -> int | None:
    """The compressed size in a local header's zip64 extra field (id 1), which holds the
    uncompressed size and then the compressed one (both, in a local header)."""
    offset = 0
    while offset + 4 <= len(extra):
        kind, length = struct.unpack("<HH", extra[offset : offset + 4])
        if kind == 1 and length >= 16:
            return struct.unpack("<Q", extra[offset + 12 : offset + 20])[0]
        offset += 4 + length
    return None


_METHODS = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


def _check_member(info: zipfile.ZipInfo, size: int, label: str) -> None:
    """Refuse a member that would make loading do more work, or take more memory, than
    the file's own size: a compressed one (a few kilobytes of deflate can expand to
    gigabytes, and minigrad never writes one), or one claiming more bytes than the file
    has."""
    if info.compress_type != zipfile.ZIP_STORED:
        method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
        raise CheckpointError(
            f"{label} is not a checkpoint minigrad wrote: the member {info.filename!r} is "
            f"compressed ({method}); minigrad stores members uncompressed, and refuses "
            f"compressed ones so that a small file cannot expand into a huge array"
        )
    if info.file_size != info.compress_size or info.compress_size > size:
        raise CheckpointError(
            f"{label} is truncated or corrupt: the member {info.filename!r} claims "
            f"{info.file_size} bytes, but the file has {size}"
        )


def _read_member(archive: zipfile.ZipFile, members, name: str, label: str) -> np.ndarray:
    """The array stored as the ``.npy`` member ``name``, read without pickle.

    The shape and dtype its header declares must account for exactly the member's bytes
    after the header, which are checked against the file's size: so nothing is allocated
    before it is known that the file holds the bytes to fill it (a declared shape of
    10**12 floats in a 64-byte member is reported, not attempted).
    """
    info = members[name]
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"the member {name!r} has .npy format version {version}")
        if dtype.hasobject or dtype.kind not in _ARRAY_KINDS + "U" or dtype.itemsize == 0:
            raise CheckpointError(
                f"{label} is not a minigrad checkpoint: the member {name!r} holds dtype "
                f"{dtype}, which minigrad never writes (object arrays would need pickle)"
            )
        count = math.prod(shape)
        declared, stored = count * dtype.itemsize, info.file_size - f.tell()
        if declared != stored:
            raise CheckpointError(
                f"{label} is truncated or corrupt: the member {name!r} declares shape "
                f"{shape} of {dtype} ({declared} bytes), but holds {stored} bytes"
            )
        array = np.empty(count, dtype=dtype)
        buffer = memoryview(array.view(np.uint8).reshape(-1))
        done = 0
        while done < declared:  # reads in pieces into the array: no second copy
            piece = f.read(min(declared - done, 1 << 24))
            if not piece:
                raise EOFError(f"the member {name!r} ends after {done} of {declared} bytes")
            buffer[done : done + len(piece)] = piece
            done += len(piece)
        f.read(1)  # at the end: zipfile checks the CRC-32 now
    if fortran_order:
        return array.reshape(shape[::-1]).transpose()
    return array.reshape(shape)


# What NumPy's .npy reader and zipfile raise on damaged bytes: besides the usual, an
# unknown compression method (NotImplementedError), an "encrypted" member or a deeply
# nested header (RuntimeError, RecursionError), a broken header literal (SyntaxError,
# tokenize.TokenError), and bad deflate data or a short zip record (zlib.error,
# struct.error), and a record's offset too large to seek to (OverflowError).
_DAMAGE = (
    zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, TypeError,
    NotImplementedError, RuntimeError, SyntaxError, tokenize.TokenError, zlib.error,
    struct.error, OverflowError,
)  # fmt: skip


def _map_location(map_location):
    """A Device for every tensor, a dict from saved device names to devices, or a function."""
    if map_location is None:
        return backend.CPU
    if isinstance(map_location, Device | str):
        return Device(map_location)
    if callable(map_location):
        return map_location
    if isinstance(map_location, dict):  # matched against the saved names, as PyTorch does
        if not all(isinstance(x, Device | str) for item in map_location.items() for x in item):
            raise TypeError(
                "map_location as a dict maps device names to devices, such as "
                f"{{'cuda:0': 'cpu'}}; got {map_location!r}"
            )
        return {str(k): v for k, v in map_location.items()}
    raise TypeError(
        f"map_location must be None, a device string such as 'cpu' or 'cuda', a "
        f"minigrad.Device, a dict such as {{'cuda:0': 'cpu'}} or a function; got "
        f"{type(map_location).__name__}"
    )


def _read_header(array: np.ndarray, label: str) -> dict:
    if array.dtype.kind != "U" or array.ndim != 0:
        raise CheckpointError(f"{label} is not a minigrad checkpoint: malformed header entry")
    try:
        header = json.loads(str(array[()]))
    except ValueError as error:
        raise CheckpointError(f"{label} has a corrupt header: {error}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(
            f"{label} is not a minigrad checkpoint: the header has no {FORMAT!r} marker"
        )
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise CheckpointError(f"{label} has a corrupt header: no format version")
    if version > VERSION:
        raise CheckpointError(
            f"{label} was written in checkpoint format version {version}; this minigrad "
            f"reads versions up to {VERSION} (upgrade minigrad)"
        )
    if "root" not in header:
        raise CheckpointError(f"{label} has a corrupt header: no 'root' entry")
    return header


class _Reader:
    """Rebuilds the object tree from the header's nodes and the archive's arrays."""

    def __init__(self, archive, members: dict, label: str, placement, objects: bool) -> None:
        self.objects_allowed = objects  # weights_only=False: rebuild whole objects
        self.objects: dict[int, object] = {}  # number -> the object rebuilt
        self.archive = archive
        self.members = members
        self.label = label
        self.placement = placement  # a Device, or a dict from saved device names
        self.tensors: dict[str, Tensor] = {}
        self.read: set[str] = set()  # members read so far: each is read (and hashed) once

    def corrupt(self, where: str, problem: str) -> CheckpointError:
        return CheckpointError(f"{self.label} is corrupt at {where}: {problem}")

    def decode(self, node, where: str):
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = node["value"]
            expected = {"bool": bool, "int": int, "str": str}[kind]
            if type(value) is not expected:
                raise self.corrupt(where, f"a {kind} node holds {value!r}")
            return value
        if kind == "float":
            return float(node["value"])
        if kind in ("dict", "odict"):
            keys, values = node["keys"], node["values"]
            if len(keys) != len(values):
                raise self.corrupt(where, f"a dict node has {len(keys)} keys, {len(values)} values")
            result = {} if kind == "dict" else OrderedDict()
            for key_node, value_node in zip(keys, values):
                key = self.decode(key_node, where)
                if type(key) not in (str, int):
                    raise self.corrupt(where, f"a dict key of type {type(key).__name__}")
                result[key] = self.decode(value_node, f"{where}[{key!r}]")
            return result
        if kind in ("list", "tuple"):
            items = [self.decode(item, f"{where}[{i}]") for i, item in enumerate(node["items"])]
            return items if kind == "list" else tuple(items)
        if kind == "tensor":
            return self.decode_tensor(node, where)
        if kind in ("ndarray", "npscalar"):
            array = self.read_array(node, where, np.dtype(node["dtype"]))
            return array if kind == "ndarray" else array[()]
        if kind in ("set", "frozenset"):
            items = [self.decode(item, f"{where}{{...}}") for item in node["items"]]
            return set(items) if kind == "set" else frozenset(items)
        if kind == "dtype":
            return np.dtype(node["value"])
        if kind == "device":
            return Device(node["value"])
        if kind in ("global", "object", "objref"):
            return self.decode_object(node, kind, where)
        raise self.corrupt(where, f"unknown node type {kind!r}")

    def decode_object(self, node, kind: str, where: str):
        """A class or function by name, or a whole object (its class and attributes): only
        with ``weights_only=False``, since rebuilding one imports the modules it names."""
        if kind == "objref":
            if node.get("id") not in self.objects:
                raise self.corrupt(where, f"a reference to object {node.get('id')!r} before it")
            return self.objects[node["id"]]
        module, qualname = node.get("module"), node.get("qualname")
        if not (isinstance(module, str) and isinstance(qualname, str)):
            raise self.corrupt(where, "an object node without its class's name")
        if not self.objects_allowed:
            raise CheckpointError(
                f"{self.label} holds a whole object at {where} (a {module}.{qualname}), which "
                "load() rebuilds only with weights_only=False, as PyTorch's: pass that if you "
                "trust where the file comes from (rebuilding imports the modules it names), "
                "or save and load model.state_dict() instead"
            )
        if "<" in qualname or not module:
            raise self.corrupt(where, f"the name {module}.{qualname} cannot be imported")
        try:
            found = importlib.import_module(module)
            for part in qualname.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError) as error:
            raise CheckpointError(
                f"{self.label}: cannot rebuild {where}: {module}.{qualname} is not found "
                f"({type(error).__name__}: {error}); import the code that defines it first"
            ) from error
        if kind == "global":
            return found
        if not isinstance(found, type):
            raise self.corrupt(where, f"{module}.{qualname} is not a class")
        state = self.decode(node["state"], where)
        if not isinstance(state, dict):
            raise self.corrupt(where, "an object's attributes are not a dict")
        try:
            obj = found.__new__(found)  # its attributes are set as saved: no __init__ runs
            vars(obj).update(state)
        except TypeError as error:
            raise self.corrupt(where, f"{module}.{qualname} cannot be rebuilt: {error}") from None
        self.objects[node.get("id")] = obj
        return obj

    def read_array(self, node, where: str, dtype: np.dtype) -> np.ndarray:
        name = node["array"]
        if name not in self.members or name == HEADER:
            raise self.corrupt(where, f"the array {name!r} is missing from the archive")
        if name in self.read:  # minigrad stores each array once: reading one again would
            # let a small header make loading re-read a large member without end
            raise self.corrupt(where, f"the array {name!r} is used twice")
        self.read.add(name)
        array = _read_member(self.archive, self.members, name, self.label)
        if array.dtype != dtype or list(array.shape) != node["shape"]:
            raise self.corrupt(
                where,
                f"the array {name!r} has dtype {array.dtype} and shape {array.shape}; the "
                f"header says {dtype} and {tuple(node['shape'])}",
            )
        if _sha256(array) != node["sha256"]:
            raise self.corrupt(
                where, f"the SHA-256 of the array {name!r} does not match (corrupt bytes)"
            )
        return array

    def decode_tensor(self, node, where: str) -> Tensor:
        name = node["array"]
        if name in self.tensors:  # the same tensor saved twice: give back one object
            return self.tensors[name]
        try:
            dtype = _dtypes.to_dtype(node["dtype"])
        except TypeError:
            raise self.corrupt(where, f"unsupported tensor dtype {node['dtype']!r}") from None
        array = self.read_array(node, where, dtype)
        try:
            tensor = self.place(array, str(node.get("device", "cpu")), where)
        except Exception as error:  # the caller's map_location, or a missing device
            raise _NotDamage(error) from error
        if node.get("parameter"):  # (files written before this key load as tensors)
            tensor = Parameter(tensor, requires_grad=bool(node.get("requires_grad")))
        elif node.get("requires_grad"):
            tensor.requires_grad_(True)
        self.tensors[name] = tensor
        return tensor

    def place(self, array: np.ndarray, saved: str, where: str) -> Tensor:
        """The tensor for ``array``, on the device ``map_location`` gives it (``saved`` is
        the device it was saved from)."""
        device = self.placement
        if callable(device):  # PyTorch's map_location(storage, location); None: the default
            tensor = device(Tensor._wrap(array, backend.CPU), saved)
            if tensor is None:
                return Tensor._wrap(array, backend.CPU)
            if not isinstance(tensor, Tensor):
                raise TypeError(
                    f"map_location returned a {type(tensor).__name__} for {where}; it must "
                    "return a tensor (the one it was given, moved as wanted) or None"
                )
            return tensor
        if isinstance(device, dict):  # unmapped devices load where they were saved
            device = Device(device.get(saved, saved))
        with device.activate():
            return Tensor._wrap(device.from_host(array), device)
