"""The array backend: the only module that knows NumPy from CuPy.

Every tensor lives on a :class:`Device`. A device owns an *array module* ``xp`` (``numpy`` on
the CPU, ``cupy`` on an NVIDIA GPU), and the rest of minigrad computes with ``device.xp``
without ever asking which library it is. This is Chainer's design: a device object instead
of ``if cupy`` checks scattered through the code.

CuPy is optional. When it is missing, or no GPU is visible, asking for a ``"cuda"`` device
raises an error that says what to install or check.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

from . import fastpath

try:  # CuPy is an optional extra: minigrad[cuda12] or minigrad[cuda13].
    import cupy as _cupy
except Exception:  # ImportError, or a CUDA library that fails to load
    _cupy = None

cupy = _cupy  # the CuPy module, or None: what the GPU kernels (fast/cuda_kernels.py) build on


def use_gpu_library(module) -> None:
    """Put ``module`` where CuPy goes, for the GPU devices made from now on. For tests: the
    suite's strict stand-in for a GPU (``tests/strict_gpu.py``, ``pytest --device strict``)
    is a module with CuPy's names whose arrays follow CuPy's rules on the host.

    Example:
        >>> import minigrad
        >>> use_gpu_library(cupy)  # CuPy itself (None here without it): nothing changes
    """
    global _cupy, cupy
    _cupy = cupy = module
    for cache in (Device._interned, Device._by_spelling):
        for key in [k for k in cache if k[0] != "cpu"]:
            del cache[key]


def cuda_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return cuda_device_count() > 0


def cuda_device_count() -> int:
    """The number of GPUs CuPy can use (0 without CuPy)."""
    if _cupy is None:
        return 0
    try:
        return _cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no driver, or no device
        return 0


def cuda_synchronize() -> None:
    """Wait for all queued GPU work to finish (a no-op without CuPy)."""
    if _cupy is not None and cuda_available():
        _cupy.cuda.Device().synchronize()
    run_deferred_checks()


def nccl():
    """CuPy's binding of NCCL, NVIDIA's collectives between GPUs (``cupy.cuda.nccl``), for
    the ``"nccl"`` process group; a RuntimeError that says what to install if it is
    missing."""
    if _cupy is None:
        raise RuntimeError(
            "the 'nccl' backend needs CuPy and NVIDIA GPUs: pip install 'minigrad[cuda13]' "
            "(or [cuda12]); without GPUs use backend='mpi'"
        )
    try:
        from cupy.cuda import nccl as binding
    except ImportError as error:
        raise RuntimeError(
            "CuPy's NCCL binding cannot be loaded: pip install nvidia-nccl-cu13 (or -cu12, "
            "matching CuPy's CUDA), or use backend='mpi', which moves GPU tensors through "
            "the host"
        ) from error
    if not getattr(binding, "available", True):
        raise RuntimeError("CuPy was built without NCCL: pip install nvidia-nccl-cu13 "
                           "(or -cu12), or use backend='mpi'")  # fmt: skip
    return binding


def array_address(array) -> int:
    """The address of an array's first element, for libraries that take raw pointers
    (NCCL): a GPU address for a CuPy array, a host address for a NumPy one."""
    return array.ctypes.data if isinstance(array, np.ndarray) else array.data.ptr


def current_stream_address() -> int:
    """The CUDA stream CuPy queues work on now (0, the default stream, without CuPy)."""
    return 0 if _cupy is None else _cupy.cuda.get_current_stream().ptr


# ----------------------------------------------------------------------------------------
# Fused kernels, and checks that run on the GPU without waiting for it
# ----------------------------------------------------------------------------------------


def plain_kernels():
    """A context in which GPU ops run their plain array code instead of their fused CUDA
    kernels (``minigrad/fast/cuda_kernels.py``): reference mode, as
    :func:`minigrad.fastpath.reference_mode`.

    Example:
        >>> from minigrad import fastpath
        >>> with plain_kernels():
        ...     fastpath.enabled()
        False
    """
    return fastpath.reference_mode()


_deferred_checks: list = []


def defer_check(check) -> None:
    """Run ``check()`` (which may raise) at the next read from a GPU or synchronisation.

    A check of GPU data that made the host wait every step would cost more than the op it
    guards; this lets it run on the GPU and report later, as PyTorch's device-side checks
    do (see ``fast/cuda_kernels.check_class_targets``).
    """
    _deferred_checks.append(check)


def run_deferred_checks() -> None:
    """Run the checks that :func:`defer_check` queued; the first failure raises."""
    while _deferred_checks:
        _deferred_checks.pop(0)()


_NO_CONTEXT = contextlib.nullcontext()  # reusable: what activate() gives on the CPU


class Device:
    """Where a tensor's array lives: ``Device("cpu")``, ``Device("cuda")`` or ``Device("cuda:1")``.

    Devices are interned, so ``Device("cpu") is Device("cpu")`` and the engine can compare
    devices with ``is``. ``str(device)`` gives the spelling PyTorch uses (``"cuda:0"``).

    Example:
        >>> Device("cpu").xp.__name__
        'numpy'
    """

    __slots__ = ("index", "type", "xp")
    _interned: dict[tuple[str, int | None], Device] = {}  # noqa: RUF012 (class-level caches)
    _by_spelling: dict[tuple[str, int | None], Device] = {}  # noqa: RUF012

    def __new__(cls, spec: str | Device = "cpu", index: int | None = None) -> Device:
        if isinstance(spec, Device):
            return spec
        spelling = (spec, index)
        known = cls._by_spelling.get(spelling)
        if known is not None:  # skip parsing (and asking CUDA) for a spelling seen before
            return known
        kind, index = _parse_device(spec, index)
        key = (kind, index)
        device = cls._interned.get(key)
        if device is None:
            device = object.__new__(cls)
            device.type, device.index = kind, index
            device.xp = np if kind == "cpu" else _cupy
            cls._interned[key] = device
        if spelling != ("cuda", None):  # a bare "cuda" means whichever GPU is current
            cls._by_spelling[spelling] = device
        return device

    def __enter__(self) -> Device:
        """``with minigrad.device("cuda"):``: the default device of new tensors within."""
        _default_stack.append(_default[0])
        set_default_device(self)
        return self

    def __exit__(self, *exc) -> None:
        _default[0] = _default_stack.pop()

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Device(other)
            except (RuntimeError, ValueError):
                return False
        return self is other

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):  # pickling gives back the interned device
        return (Device, (str(self),))

    @property
    def is_cuda(self) -> bool:
        """True for a GPU device."""
        return self.type == "cuda"

    @property
    def workspace_bytes(self) -> int:
        """How large a temporary work buffer (a convolution's im2col columns) an op should
        build at once. On the CPU 16 MiB: small next to a CNN's activations (the peak
        memory of a W2 step did not move from 4 MiB), within a shared L3 cache, and large
        enough that a buffer is rarely overwritten while the other core still holds the
        lines its half of the last matrix product read (4 MiB cost a W2 step 47 ms more
        at the median on the 2-core CI machine; see docs/benchmarks.md). On a GPU much
        more: one large kernel launch beats many small ones, and device memory is
        plentiful.
        """
        return 16 << 20 if self.type == "cpu" else 512 << 20

    def activate(self):
        """A context in which new GPU arrays are made on this device (a no-op on the CPU)."""
        if self.type == "cpu":
            return _NO_CONTEXT
        return _cupy.cuda.Device(self.index)

    def array(self, data, dtype=None):
        """A new array on this device holding ``data`` (a host array, list or scalar)."""
        if self.type == "cpu":
            return np.array(data, dtype=dtype)
        with _cupy.cuda.Device(self.index):
            return _cupy.array(data, dtype=dtype)

    def from_host(self, array: np.ndarray):
        """Put a NumPy array on this device: the same object on the CPU, a copy on a GPU."""
        if self.type == "cpu":
            return array
        with _cupy.cuda.Device(self.index):
            return _cupy.asarray(array)

    def move(self, array):
        """Copy an array from wherever it lives onto this device."""
        if self.type == "cpu":
            return to_host(array)
        with _cupy.cuda.Device(self.index):
            return _cupy.asarray(array)  # from the host, or across GPUs


def to_host(array) -> np.ndarray:
    """The array as a NumPy array on the host (the same object if it is one already)."""
    if isinstance(array, np.ndarray):
        return array
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        if _deferred_checks:
            run_deferred_checks()
        return array.get()
    return np.asarray(array)


def device_of(array) -> Device:
    """The device that holds a raw NumPy or CuPy array."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return Device("cuda", array.device.id)
    return Device("cpu")


def is_array(obj) -> bool:
    """True for a NumPy or CuPy array."""
    return isinstance(obj, np.ndarray) or (_cupy is not None and isinstance(obj, _cupy.ndarray))


def quiet(xp):
    """A context in which NumPy does not warn about overflow, division by zero or invalid
    values. Ops that can make inf or nan on purpose (``log(0)``, ``1/0``) run in it, since
    PyTorch returns those values silently. CuPy never warns, so there it does nothing."""
    return np.errstate(all="ignore") if xp is np else contextlib.nullcontext()


def quiet_host():
    """:func:`quiet` for NumPy, whatever the device: around a whole backward pass, whose
    ops may run on either (CuPy never warns, so this covers both)."""
    return np.errstate(all="ignore")


def quietly(method):
    """Run a ``Function``'s ``forward`` or ``backward`` in :func:`~minigrad.backend.quiet`:
    inf and nan inputs legitimately give inf and nan (``inf - inf`` in the max shift, an
    infinite variance), which PyTorch returns silently and NumPy would warn about. One
    ``errstate`` per call of the op, not one per array operation inside it."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with quiet(self.xp):
            return method(self, *args, **kwargs)

    return run


def quiet_for(array):
    """:func:`quiet`, for code that has an array rather than its array module."""
    return quiet(np if isinstance(array, np.ndarray | np.generic) else None)


def reshape_view(array, shape: tuple[int, ...]):
    """Reshape without copying, or raise ValueError when the strides make that impossible."""
    if isinstance(array, np.ndarray):
        return np.reshape(array, shape, copy=False)
    out = array.reshape(shape)
    # A copy is a fresh allocation, so comparing memory bounds (on the host) is enough;
    # cupy.shares_memory would check element by element and wait for the GPU.
    if out.size and not _cupy.may_share_memory(out, array):
        raise ValueError("a view of this shape would need a copy")
    return out


def overlap(a, b) -> str:
    """How two arrays over the same memory overlap, as PyTorch classifies it before an
    in-place write: "full" (the same elements in the same layout), "partial" (some
    elements shared), "none", or "unknown" when either is not dense (a strided or
    broadcast view), where PyTorch does not look and lets the write happen.

    Example:
        >>> import numpy as np
        >>> x = np.zeros(4)
        >>> overlap(x, x[:]), overlap(x[:2], x[1:3]), overlap(x[:2], x[2:]), overlap(x, x[::2])
        ('full', 'partial', 'none', 'unknown')
    """
    if a is b:  # the same array, even an empty one, as PyTorch's is_same()
        return "full"
    if isinstance(a, np.generic) or isinstance(b, np.generic) or a.size == 0 or b.size == 0:
        return "none"  # (NumPy gives a scalar, a copy, for x[0] of a 1-d array)
    if not (_dense(a) and _dense(b)):
        return "unknown"
    start_a, start_b = array_address(a), array_address(b)
    end_a, end_b = start_a + a.nbytes, start_b + b.nbytes
    if start_a == start_b and end_a == end_b:
        return "full" if _same_layout(a, b) else "partial"
    return "partial" if start_a < end_b and start_b < end_a else "none"


def view_positions(xp, base, view):
    """For each element of ``view``, an array over part of ``base``'s memory, the position
    of the base element it is in the base's C order (its index in ``base.reshape(-1)``
    of a C-ordered copy), as an ``xp`` array; None if the view lies outside the base's
    memory. A write through a view of a tensor in the graph needs them, to route the
    base's gradient (``ops.rearrange.CopySlices``).

    Example:
        >>> import numpy as np
        >>> x = np.zeros((3, 4))
        >>> view_positions(np, x, x[1:, ::2]).tolist()
        [[4, 6], [8, 10]]
        >>> view_positions(np, x, x.T[0]).tolist()
        [0, 4, 8]
    """
    item = base.itemsize
    if view.size == 0:
        return xp.zeros(view.shape, dtype=xp.int64)
    # Number the base's elements in C order, in an int64 buffer laid out element for
    # element as the base's memory; then read the buffer through the view's layout.
    low, high = _byte_bounds(base)
    view_low, view_high = _byte_bounds(view)
    if view_low < low or view_high > high:
        return None
    numbers = xp.full((high - low) // item, -1, dtype=xp.int64)
    laid_out = xp.lib.stride_tricks.as_strided(
        numbers[(array_address(base) - low) // item :], base.shape,
        tuple(s // item * 8 for s in base.strides),
    )  # fmt: skip
    laid_out[...] = xp.arange(base.size).reshape(base.shape)
    positions = xp.lib.stride_tricks.as_strided(
        numbers[(array_address(view) - low) // item :], view.shape,
        tuple(s // item * 8 for s in view.strides),
    )  # fmt: skip
    return positions.copy()


def _byte_bounds(array) -> tuple[int, int]:
    """The lowest address an array's elements use, and one past the highest byte."""
    low = high = array_address(array)
    for n, stride in zip(array.shape, array.strides):
        if n > 1:
            if stride < 0:
                low += (n - 1) * stride
            else:
                high += (n - 1) * stride
    return low, high + array.itemsize


def _same_layout(a, b) -> bool:
    """Same shape and strides, but for the strides of dimensions of size 1: those step
    over nothing, and NumPy sets them freely (0 in a broadcast view of the same shape,
    where PyTorch's ``expand`` keeps the tensor's own)."""
    return a.shape == b.shape and all(
        n == 1 or sa == sb for n, sa, sb in zip(a.shape, a.strides, b.strides)
    )


def _dense(array) -> bool:
    """Whether the elements of ``array`` fill a block of memory, each once, in any order."""
    dims = sorted((s, n) for s, n in zip(array.strides, array.shape) if n > 1)
    step = array.itemsize
    for stride, n in dims:
        if stride != step:
            return False
        step *= n
    return True


def ensure_array(x):
    """``x`` as an array: NumPy returns scalars, not 0-d arrays, from full reductions and
    from ufuncs on 0-d arrays; a tensor must always hold an array."""
    return np.asarray(x) if isinstance(x, np.generic) else x


def _parse_device(spec, index: int | None) -> tuple[str, int | None]:
    if not isinstance(spec, str):
        raise TypeError(f"a device is a string like 'cpu' or 'cuda:0', got {type(spec).__name__}")
    kind, _, suffix = spec.partition(":")
    if kind not in ("cpu", "cuda"):
        raise RuntimeError(
            f"Expected one of cpu, cuda device type at start of device string: {spec!r}"
        )
    if suffix:
        if not suffix.isdigit() or index is not None:
            raise RuntimeError(f"Invalid device string: {spec!r}")
        index = int(suffix)
    if kind == "cpu":
        if index not in (None, 0):
            raise RuntimeError(f"the CPU device has no index {index}; use 'cpu'")
        return "cpu", None
    if _cupy is None:
        raise RuntimeError(
            f"device {spec!r} needs CuPy, which is not installed: "
            "pip install 'minigrad[cuda13]' (CUDA 13) or 'minigrad[cuda12]' (CUDA 12)"
        )
    count = cuda_device_count()
    if count == 0:
        raise RuntimeError(f"device {spec!r} was requested, but CuPy sees no CUDA GPU")
    if index is None:
        index = _cupy.cuda.runtime.getDevice()
    if not 0 <= index < count:
        raise RuntimeError(f"device {spec!r}: there are only {count} CUDA device(s)")
    return "cuda", index


CPU = Device("cpu")

# The device that factory functions (zeros, randn, tensor, a layer's parameters) use when
# given none: None until set_default_device names one, which means the CPU (and, for
# ``tensor(data)``, the device of ``data``).
_default: list[Device | None] = [None]
_default_stack: list[Device | None] = []


def set_default_device(device) -> None:
    """Make ``device`` (``"cpu"``, ``"cuda"``, a :class:`Device`; None: back to the CPU)
    where new tensors are made when a factory function is given no ``device``, as
    PyTorch's ``torch.set_default_device``. ``with minigrad.device("cuda"):`` does the
    same for a block.

    Example:
        >>> import minigrad
        >>> minigrad.set_default_device("cpu")
        >>> minigrad.zeros(2).device, minigrad.get_default_device()
        (device(type='cpu'), device(type='cpu'))
        >>> minigrad.set_default_device(None)
    """
    _default[0] = None if device is None else Device(device)


def get_default_device() -> Device:
    """The device factory functions use when given none (see :func:`set_default_device`).

    Example:
        >>> import minigrad
        >>> minigrad.get_default_device()
        device(type='cpu')
    """
    return _default[0] or CPU
