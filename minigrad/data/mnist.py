"""MNIST: 70,000 handwritten digits, read from verified IDX files.

The MNIST database (Yann LeCun, Corinna Cortes, Christopher J. C. Burges) has 60,000
training and 10,000 test images of the digits 0 to 9, each 28 x 28 grey-level pixels. It
is distributed as four gzip-compressed files, and :class:`MNIST` reads them into two
tensors: ``images`` (N, 1, 28, 28) float32 and ``labels`` (N,) int64.

The IDX format
--------------
Each file holds one array in the IDX format, which is simple enough to read by hand:

* a 4-byte big-endian *magic number*. Its first two bytes are zero, the third says the
  element type (``0x08``: unsigned byte) and the fourth the number of dimensions. So an
  image file (3 dimensions) starts with ``0x00000803`` = 2051 and a label file (1
  dimension) with ``0x00000801`` = 2049;
* one 4-byte big-endian integer per dimension: (60000, 28, 28) for the training images,
  (60000,) for the training labels;
* the elements, one byte each, in C order (row by row, image after image).

Where the files come from
-------------------------
:class:`MNIST` looks in these places, in order, and uses the first folder that holds the
two files of the split it needs:

1. ``root=``, if given. Nothing else is tried: a folder named explicitly that lacks the
   files is an error, not a reason to quietly read something else.
2. The folder named by the environment variable ``MINIGRAD_DATA``.
3. The copy shipped inside minigrad (``minigrad/data/files/mnist``, about 11 MB).
4. The cache folder, ``~/.cache/minigrad/mnist`` (``$XDG_CACHE_HOME/minigrad/mnist``
   when ``XDG_CACHE_HOME`` is set).
5. With ``download=True``, a download from the mirrors in :data:`MIRRORS` into the cache
   folder. Each file goes to a temporary file beside its final name, is checked in full,
   flushed to disk, and only then renamed into place (``os.replace`` is atomic), so the
   cache never holds a partial or corrupt file, even after a crash or Ctrl-C.

Why the *decompressed* digest is checked
----------------------------------------
Every load checks each file: that it is an intact gzip stream, that its IDX header has the
right magic number and dimensions and that the data has the length they imply, and finally
that the SHA-256 of the decompressed bytes is the published one. The digest is taken after
decompression because the ``.gz`` bytes are not unique: gzip headers carry a timestamp and
compressors differ, so the mirrors and minigrad's own copy all hold different ``.gz`` files
of the same data. The decompressed bytes are the dataset itself, and their digest is the
same everywhere. gzip's own CRC-32 only catches accidental damage to the compressed stream;
the digest also catches a valid gzip file of the wrong content (another dataset's file, a
recompressed damaged file, an error page from a proxy). The header checks come before the
digest only so that a mix-up (a label file saved under an image file's name) gets a message
that says what the file is, rather than just "wrong digest".

Decompressing and hashing the training images takes a few tenths of a second, so the
parsed arrays are kept in memory: making the same split again in the same process reuses
them (as long as the file on disk has not changed).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import socket
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import backend
from ..atomic import fsync_directory, new_file_mode
from ..tensor import Tensor
from .dataset import Dataset

MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Base URLs tried in order when the files must be downloaded (a file's URL is the base
followed by its name). Replace it, or pass ``mirrors=`` to :class:`MNIST`, to use others."""

TIMEOUT = 30.0
"""Seconds to wait for a server to connect or to send more data before giving up on it."""

ENV_VAR = "MINIGRAD_DATA"
"""The environment variable that names a folder holding the four MNIST files."""

PACKAGE_DIR = Path(__file__).resolve().parent / "files" / "mnist"
"""The copy of the files shipped inside minigrad."""

MAX_DOWNLOAD_BYTES = 64 * 2**20
"""A download larger than this is abandoned: no MNIST file is near it (the largest is 10 MB)."""

IMAGES_MAGIC = 0x0803  # = 2051: unsigned bytes (0x08), 3 dimensions
LABELS_MAGIC = 0x0801  # = 2049: unsigned bytes (0x08), 1 dimension


class DataError(RuntimeError):
    """A dataset's files could not be found, downloaded or verified (the message says why
    and what to do)."""


@dataclass(frozen=True)
class FileSpec:
    """What one MNIST file must contain once decompressed."""

    name: str  # the file name, e.g. "train-images-idx3-ubyte.gz"
    magic: int  # IMAGES_MAGIC or LABELS_MAGIC
    shape: tuple[int, ...]  # the IDX dimensions
    sha256: str  # the SHA-256 of the decompressed file

    @property
    def kind(self) -> str:
        return "images" if self.magic == IMAGES_MAGIC else "labels"

    @property
    def size(self) -> int:
        """The decompressed size in bytes: the header plus one byte per element."""
        return 4 + 4 * len(self.shape) + int(np.prod(self.shape))


FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec(
            "train-images-idx3-ubyte.gz",
            IMAGES_MAGIC,
            (60000, 28, 28),
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        FileSpec(
            "train-labels-idx1-ubyte.gz",
            LABELS_MAGIC,
            (60000,),
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        FileSpec(
            "t10k-images-idx3-ubyte.gz",
            IMAGES_MAGIC,
            (10000, 28, 28),
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        FileSpec(
            "t10k-labels-idx1-ubyte.gz",
            LABELS_MAGIC,
            (10000,),
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    )
}
"""The four files, by name, with the published digests of their decompressed contents."""

SPLITS: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
"""The (images, labels) file names of each split."""

_HOW_TO_GET_THE_FILES = (
    f"To use MNIST without a download, get the four files ({', '.join(FILES)}) by hand, put "
    f"them in one folder, and pass MNIST(root='that/folder') or set the environment variable "
    f"{ENV_VAR}=that/folder."
)


# ----------------------------------------------------------------------------------------
# The dataset
# ----------------------------------------------------------------------------------------


class MNIST(Dataset):
    """The MNIST training set (60,000 digits) or test set (10,000), as two CPU tensors.

    Args:
        root: a folder holding the ``.gz`` files. If given, only this folder is used.
            Otherwise the files are found as the module docstring describes
            (``$MINIGRAD_DATA``, the copy shipped with minigrad, the cache, a download).
        train: the training split if True, the test split if False.
        normalize: if True, the pixels (first scaled to [0, 1]) are standardised with the
            usual MNIST statistics, ``(x - MEAN) / STD``, so that the training images have
            mean about 0 and standard deviation about 1. If False they stay in [0, 1].
        download: whether to download the files into the cache when they are found
            nowhere else.
        mirrors: base URLs to download from, instead of :data:`MIRRORS`.

    Attributes:
        images: float32 tensor of shape (N, 1, 28, 28), on the CPU.
        labels: int64 tensor of shape (N,), the digits 0 to 9.
        root: the folder the files were read from (a ``pathlib.Path``).
        source: where that folder came from: ``"root"``, ``"env"`` (``$MINIGRAD_DATA``),
            ``"package"``, ``"cache"`` or ``"download"``.

    ``dataset[i]`` is ``(image, label)``: a (1, 28, 28) tensor and a 0-d int64 tensor. The
    ``tensors`` property gives ``(images, labels)``, which lets a
    :class:`~minigrad.data.DataLoader` move the whole split to the GPU once and cut batches
    there.

    Raises:
        DataError: the files are missing, cannot be downloaded, or fail a check; the
            message names the file and says what to do.

    Example:
        >>> from minigrad.data import MNIST
        >>> test = MNIST(train=False)
        >>> len(test), test.images.shape, test.labels.dtype
        (10000, minigrad.Size([10000, 1, 28, 28]), dtype('int64'))
        >>> image, label = test[0]
        >>> image.shape, label.item()
        (minigrad.Size([1, 28, 28]), 7)
    """

    MEAN = 0.1307
    """The mean pixel value of the training images, scaled to [0, 1]."""
    STD = 0.3081
    """The standard deviation of the training images' pixels, scaled to [0, 1]."""

    def __init__(
        self,
        root=None,
        train: bool = True,
        normalize: bool = True,
        download: bool = True,
        *,
        mirrors=None,
    ) -> None:
        for name, value in (("train", train), ("normalize", normalize), ("download", download)):
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"MNIST: {name} must be True or False, got {value!r}")
        if root is not None and not isinstance(root, str | os.PathLike):
            raise TypeError(f"MNIST: root must be a path (str or os.PathLike), got {root!r}")
        mirrors = _check_mirrors(MIRRORS if mirrors is None else mirrors)
        self.train = bool(train)
        self.normalize = bool(normalize)
        self.split = "train" if self.train else "test"
        names = SPLITS[self.split]
        self.root, self.source = _locate(root, names, bool(download), mirrors)

        pixels = _load(self.root / names[0], self.source)
        digits = _load(self.root / names[1], self.source)
        # In place, in float32: the arithmetic of torchvision's ToTensor and Normalize.
        images = pixels.astype(np.float32)
        images /= np.float32(255)
        if self.normalize:
            images -= np.float32(self.MEAN)
            images /= np.float32(self.STD)
        self.images = Tensor._wrap(images.reshape(-1, 1, 28, 28), backend.CPU)
        self.labels = Tensor._wrap(digits.astype(np.int64), backend.CPU)

    @property
    def tensors(self) -> tuple[Tensor, Tensor]:
        """``(images, labels)``: the whole split, for the DataLoader's fast path."""
        return self.images, self.labels

    @property
    def targets(self) -> Tensor:
        """The labels (torchvision's name for them)."""
        return self.labels

    def __len__(self) -> int:
        return self.labels.shape[0]

    _getitem_reads_rows = True  # the DataLoader may slice self.tensors instead

    def __getitem__(self, index) -> tuple[Tensor, Tensor]:
        """``(image, label)``: a (1, 28, 28) float32 tensor and a 0-d int64 tensor."""
        return self.images[index], self.labels[index]

    def __repr__(self) -> str:
        return (
            f"MNIST(split={self.split!r}, samples={len(self)}, normalize={self.normalize}, "
            f"root={str(self.root)!r}, source={self.source!r})"
        )


def cache_dir() -> Path:
    """The folder downloads go to: ``$XDG_CACHE_HOME/minigrad/mnist``, or
    ``~/.cache/minigrad/mnist`` when ``XDG_CACHE_HOME`` is unset (or, as the XDG
    specification says to treat it, not an absolute path)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "minigrad" / "mnist"


# ----------------------------------------------------------------------------------------
# Finding the files
# ----------------------------------------------------------------------------------------


def _check_mirrors(mirrors) -> tuple[str, ...]:
    if isinstance(mirrors, str):
        mirrors = (mirrors,)
    mirrors = tuple(mirrors)
    if not all(isinstance(m, str) for m in mirrors):
        raise TypeError(f"MNIST: mirrors must be a sequence of URL strings, got {mirrors!r}")
    return mirrors


def _locate(root, names: tuple[str, ...], download: bool, mirrors) -> tuple[Path, str]:
    """The folder to read ``names`` from, and which kind of place it is."""
    if root is not None:
        folder = Path(root).expanduser()
        missing = [name for name in names if not (folder / name).is_file()]
        if missing:
            where = "does not exist" if not folder.is_dir() else f"lacks {', '.join(missing)}"
            raise DataError(
                f"MNIST(root={str(folder)!r}): the folder {where}. With root= given, no other "
                f"place is searched. Put the files there (the four are {', '.join(FILES)}), "
                f"or leave root unset to use the copy shipped with minigrad."
            )
        return folder, "root"

    candidates = []
    env = os.environ.get(ENV_VAR)
    if env:
        candidates.append((Path(env).expanduser(), "env", f"${ENV_VAR}"))
    candidates.append((Path(PACKAGE_DIR), "package", "the copy shipped with minigrad"))
    candidates.append((cache_dir(), "cache", "the cache"))
    for folder, source, _ in candidates:
        if all((folder / name).is_file() for name in names):
            return folder, source

    if not download:
        searched = "; ".join(f"{label} ({folder})" for folder, _, label in candidates)
        raise DataError(
            f"MNIST: the files {', '.join(names)} were not found in any of: {searched}. "
            f"Pass download=True to download them into {cache_dir()}. " + _HOW_TO_GET_THE_FILES
        )
    folder = cache_dir()
    _download(folder, names, mirrors)
    return folder, "download"


# ----------------------------------------------------------------------------------------
# Reading and verifying a file
# ----------------------------------------------------------------------------------------

# Parsed arrays, by file name: (the file's identity when read, the array). One entry per
# name keeps memory bounded when many copies of the files are read (as the tests do).
_parsed: dict[str, tuple[tuple, np.ndarray]] = {}


def _load(path: Path, source: str) -> np.ndarray:
    """The verified contents of one MNIST file as a read-only uint8 array."""
    spec = FILES[path.name]
    try:
        stat = path.stat()
    except OSError as error:
        raise DataError(f"cannot read the MNIST file {str(path)!r}: {error}") from None
    identity = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    cached = _parsed.get(spec.name)
    if cached is not None and cached[0] == identity:
        return cached[1]
    array = read_idx(path, spec, advice=_advice(source))
    _parsed[spec.name] = (identity, array)
    return array


def _advice(source: str) -> str:
    if source == "package":
        return (
            "The copy shipped with minigrad is damaged: reinstall minigrad, or point "
            f"{ENV_VAR} (or root=) at a folder with good copies."
        )
    if source in ("cache", "download"):
        return "Delete it: it will be downloaded again."
    if source == "env":
        return f"Replace it with a good copy, or unset {ENV_VAR} to use minigrad's own copy."
    return "Replace it with a good copy."


def read_idx(path, spec: FileSpec, *, shown: str | None = None, advice: str = "") -> np.ndarray:
    """Decompress and check one MNIST file; return its data as a read-only uint8 array.

    The checks, in order: the gzip stream is complete and intact (gzip's CRC-32 and
    length); the IDX magic number is ``spec.magic``; the dimensions are ``spec.shape``;
    the data is exactly as long as the dimensions imply; and the SHA-256 of the
    decompressed bytes is ``spec.sha256``. Any failure raises :class:`DataError` naming the
    file (``shown``, by default its path) and the problem, followed by ``advice``.

    Example:
        >>> from minigrad.data.mnist import FILES, PACKAGE_DIR, read_idx
        >>> name = "t10k-labels-idx1-ubyte.gz"
        >>> read_idx(PACKAGE_DIR / name, FILES[name])[:10].tolist()
        [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    """
    shown = str(path) if shown is None else shown

    def fail(problem: str) -> DataError:
        return DataError(f"MNIST file {shown!r}: {problem}. {advice}".rstrip())

    data = _gunzip(path, spec.size, fail)
    if len(data) < 4:
        raise fail(f"it decompresses to {len(data)} bytes, too short for an IDX header")
    (magic,) = struct.unpack(">I", data[:4])
    if magic != spec.magic:
        if magic in (IMAGES_MAGIC, LABELS_MAGIC):
            what = "an image file" if magic == IMAGES_MAGIC else "a label file"
            raise fail(
                f"the IDX magic number is {magic}, that of {what}, but {spec.name} holds "
                f"{spec.kind} (magic {spec.magic}): were the files renamed or mixed up"
            )
        raise fail(
            f"the IDX magic number is {magic:#010x}, not {spec.magic:#010x} ({spec.magic}): "
            "this is not an MNIST IDX file"
        )
    ndim = len(spec.shape)
    header = 4 + 4 * ndim
    if len(data) < header:
        raise fail(f"the IDX header is cut short ({len(data)} of {header} bytes)")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    if shape != spec.shape:
        raise fail(f"the IDX dimensions are {shape}, but {spec.name} must be {spec.shape}")
    payload = len(data) - header
    expected = int(np.prod(shape))
    if payload != expected:
        raise fail(f"the data is {payload} bytes long, but the dimensions {shape} need {expected}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise fail(
            f"the SHA-256 of its decompressed contents is {digest}, but the published "
            f"MNIST file's is {spec.sha256}: the file is corrupt or not the MNIST file"
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)
    return array  # read-only: np.frombuffer over bytes


def _gunzip(path, limit: int, fail) -> bytes:
    """The decompressed bytes of a gzip file, reading at most ``limit`` of them (a file
    that decompresses to more is not the expected file, and need not fill memory)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed below, errors reported separately)
    except OSError as error:
        raise fail(f"cannot open it ({error})") from None
    with raw:
        if raw.read(2) != b"\x1f\x8b":
            raise fail(
                "it is not a gzip file (minigrad reads the .gz files as published; if you "
                "have uncompressed files, compress them with gzip)"
            )
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                # Reading one byte past the limit reaches the end of a file of the right
                # size, which is where gzip checks its CRC-32 and length trailer.
                data = stream.read(limit + 1)
        except EOFError:
            raise fail("the gzip stream is truncated (an incomplete copy or download)") from None
        except (OSError, zlib.error) as error:
            raise fail(f"the gzip stream is corrupt ({error})") from None
    if len(data) > limit:
        raise fail(f"it decompresses to more than the {limit} bytes an MNIST file has")
    return data


# ----------------------------------------------------------------------------------------
# Downloading
# ----------------------------------------------------------------------------------------


def _download(folder: Path, names: tuple[str, ...], mirrors: tuple[str, ...]) -> None:
    """Download the files among ``names`` that ``folder`` lacks, verifying each one."""
    if not mirrors:
        raise DataError(
            "MNIST: the files must be downloaded, but no mirrors are configured. "
            + _HOW_TO_GET_THE_FILES
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(
            f"MNIST: cannot create the download folder {str(folder)!r} ({error}). "
            + _HOW_TO_GET_THE_FILES
        ) from None
    for name in names:
        if (folder / name).is_file():
            continue
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                _fetch(url, folder, FILES[name])
                break
            except _FetchError as error:
                failures.append(f"  {url}: {error}")
        else:
            raise DataError(
                f"MNIST: could not download {name} into {folder}; every mirror failed:\n"
                + "\n".join(failures)
                + "\n"
                + _HOW_TO_GET_THE_FILES
            )


class _FetchError(Exception):
    """One URL failed; the message says why (the next mirror is tried)."""


def _fetch(url: str, folder: Path, spec: FileSpec) -> None:
    """Download ``url`` to ``folder / spec.name``: to a temporary file first, checked in
    full, flushed to disk and renamed into place; on any failure, nothing is left."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{spec.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            _copy_url(url, out)
            out.flush()
            os.fsync(out.fileno())
        try:
            read_idx(tmp, spec, shown=url)
        except DataError as error:
            raise _FetchError(f"the downloaded file failed verification: {error}") from None
        os.chmod(tmp, new_file_mode())  # mkstemp's files are private (0600): as open() would
        os.replace(tmp, folder / spec.name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    fsync_directory(folder)


def _copy_url(url: str, out) -> None:
    """Copy the body at ``url`` into the open file ``out``, or raise :class:`_FetchError`."""
    # A fresh opener (not urlopen's shared one) reads the proxy settings from the
    # environment now, rather than at the process's first download.
    opener = urllib.request.build_opener()
    try:
        with opener.open(url, timeout=TIMEOUT) as response:
            copied = 0
            while chunk := response.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_DOWNLOAD_BYTES:
                    raise _FetchError(f"the server sent more than {MAX_DOWNLOAD_BYTES} bytes")
                out.write(chunk)
    except urllib.error.HTTPError as error:
        error.close()  # an HTTPError holds the response open
        raise _FetchError(f"HTTP error {error.code} ({error.reason})") from None
    except urllib.error.URLError as error:
        raise _FetchError(_network_reason(error.reason)) from None
    except (OSError, http.client.HTTPException) as error:
        raise _FetchError(_network_reason(error)) from None
    except ValueError as error:  # a malformed URL
        raise _FetchError(f"not a valid URL ({error})") from None


def _network_reason(reason) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (the server is down, or nothing listens on that port)"
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT:g} s (timed out)"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve the host name ({reason}; no network connection?)"
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}"
    return str(reason)
