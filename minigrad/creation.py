"""Functions that make new tensors: ``tensor``, ``zeros``, ``randn``, ``arange``, ...

They take PyTorch's arguments: sizes as ``zeros(2, 3)`` or ``zeros((2, 3))``, and the
keywords ``dtype``, ``device`` and ``requires_grad``. Floating-point results default to
float32. Random values are drawn on the host (see ``random.py``) and then moved, so one
seed gives the same tensor on every device.
"""

from __future__ import annotations

import builtins

import numpy as np

from . import backend
from . import dtypes as _dtypes
from . import random as _random
from .backend import Device
from .functions import shape_arg
from .tensor import Tensor


def _finish(array, device: Device, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array, device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _device(device) -> Device:
    if device is None:
        return backend._default[0] or backend.CPU  # set_default_device's, or the CPU
    return Device(device)


def _float_dtype(dtype) -> np.dtype:
    return _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)


def _sizes(size, keyword=None, name: str = "") -> tuple[int, ...]:
    """A factory's shape, from its ``*size`` or, as PyTorch also takes, ``size=``."""
    if keyword is not None:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        size = (keyword,)
    shape = shape_arg(size)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {shape}")
    return shape


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays or a tensor).

    Python floats become float32, ints int64, bools bool; NumPy arrays keep their dtype.
    Python numbers that do not fit raise as in PyTorch, rather than converting wrongly: an
    int past int64 (``tensor(2**63)``) raises ValueError, and a value outside an integer
    ``dtype`` (NaN, inf, ``300`` as int8) raises RuntimeError; both name the value.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([[1, 2], [3, 4]]).dtype
        dtype('int64')
        >>> minigrad.tensor([0.5, 1.5], requires_grad=True)
        tensor([0.5000, 1.5000], requires_grad=True)
    """
    if device is None:  # set_default_device's device; without one, where data lives
        device = backend._default[0]
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor that *shares* memory with a NumPy array (changes show in both).

    Example:
        >>> import minigrad
        >>> import numpy as np
        >>> a = np.zeros(3, dtype=np.float32)
        >>> t = minigrad.from_numpy(a)
        >>> a[0] = 5.0
        >>> t  # sees the change: the memory is shared
        tensor([5., 0., 0.])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    _dtypes.to_dtype(array.dtype)  # rejects unsupported dtypes with a clear message
    return Tensor._wrap(array, backend.CPU)


def _filled(size, value, dtype, device, requires_grad) -> Tensor:
    device = _device(device)
    with device.activate():
        array = device.xp.full(_sizes(size), value, dtype=dtype)
    return _finish(array, device, requires_grad)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise).

    Example:
        >>> import minigrad
        >>> minigrad.zeros(2, 3).shape
        minigrad.Size([2, 3])
    """
    shape = _sizes(sizes, size, "zeros")
    return _filled(shape, 0, _float_dtype(dtype), device, requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` says otherwise).

    Example:
        >>> import minigrad
        >>> minigrad.ones(2, 2)
        tensor([[1., 1.],
                [1., 1.]])
        >>> minigrad.ones((3,), dtype=minigrad.int64)
        tensor([1, 1, 1])
    """
    shape = _sizes(sizes, size, "ones")
    return _filled(shape, 1, _float_dtype(dtype), device, requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are not set (here they are zeros; do not rely on that).

    Example:
        >>> import minigrad
        >>> minigrad.empty(2, 3).shape
        minigrad.Size([2, 3])
    """
    shape = _sizes(sizes, size, "empty")
    return _filled(shape, 0, _float_dtype(dtype), device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value unless given.

    Example:
        >>> import minigrad
        >>> minigrad.full((2,), 7)
        tensor([7, 7])
    """
    if isinstance(fill_value, Tensor):  # a 0-d tensor fills as the number it holds
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtypes.result_type(fill_value, fill_value)
    return _filled((size,), fill_value, _dtypes.to_dtype(dtype), device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``, ``step`` apart.

    ``arange(n)`` counts from 0. The dtype is int64 when all arguments are ints, else
    float32.

    Example:
        >>> import minigrad
        >>> minigrad.arange(4)
        tensor([0, 1, 2, 3])
    """
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if dtype is not None and _dtypes.to_dtype(dtype).kind in "iub":
        # An integer range from float bounds: PyTorch truncates the bounds and the step
        # first (arange(-2.5, 2.5, 1.0, dtype=int64) is -2, -1, 0, 1), then counts.
        start, end, step = (builtins.int(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and lower bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    if dtype is None:
        ints = all(isinstance(v, int | np.integer) for v in (start, end, step))
        dtype = _dtypes.int64 if ints else _dtypes.get_default_dtype()
    device = _device(device)
    array = device.from_host(np.arange(start, end, step).astype(_dtypes.to_dtype(dtype)))
    return _finish(array, device, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Example:
        >>> import minigrad
        >>> minigrad.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    device = _device(device)
    array = device.from_host(np.linspace(start, end, steps).astype(_float_dtype(dtype)))
    return _finish(array, device, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:  # fmt: skip
    """``steps`` values from ``base**start`` to ``base**end``, evenly spaced in the exponent.

    Example:
        >>> import minigrad
        >>> minigrad.logspace(0, 2, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    device = _device(device)
    values = np.power(float(base), np.linspace(start, end, steps)).astype(_float_dtype(dtype))
    return _finish(device.from_host(values), device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing its memory where it can (as ``torch.as_tensor``): a
    tensor already of this dtype and device is returned itself, a NumPy array of a
    supported dtype becomes a CPU tensor on its memory (as :func:`from_numpy`); anything
    else is copied as :func:`tensor` copies.

    Example:
        >>> import numpy as np
        >>> import minigrad
        >>> a = np.zeros(3, dtype=np.float32)
        >>> t = minigrad.as_tensor(a)
        >>> a[0] = 5.0
        >>> t.tolist()  # the same memory
        [5.0, 0.0, 0.0]
    """
    wanted = None if dtype is None else _dtypes.to_dtype(dtype)
    if isinstance(data, Tensor):
        target = data.device if device is None else _device(device)
        if (wanted is None or wanted == data.dtype) and target is data.device:
            return data
        return data.to(device=target, dtype=wanted or data.dtype)
    shares = isinstance(data, np.ndarray) and data.dtype in _dtypes.SUPPORTED
    if shares and (wanted is None or wanted == data.dtype) and _device(device).type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An ``n x m`` matrix with ones on the diagonal (``m`` defaults to ``n``).

    Example:
        >>> import minigrad
        >>> minigrad.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
        >>> minigrad.eye(2, 3).shape
        minigrad.Size([2, 3])
    """
    device = _device(device)
    with device.activate():
        array = device.xp.eye(n, m, dtype=_float_dtype(dtype))
    return _finish(array, device, requires_grad)


def _random_tensor(values: np.ndarray, dtype, device, requires_grad) -> Tensor:
    device = _device(device)
    return _finish(device.from_host(values.astype(dtype, copy=False)), device, requires_grad)


def rand(
    *sizes, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """Values drawn uniformly from [0, 1), from ``generator`` (a :class:`minigrad.Generator`)
    or the global generator.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> x = minigrad.rand(2, 3)
        >>> x.shape, bool(((x >= 0) & (x < 1)).all())
        (minigrad.Size([2, 3]), True)
    """
    dtype = _float_dtype(dtype)
    source = _random.numpy_generator(generator, "rand")
    values = source.random(_sizes(sizes, size, "rand"), dtype=_float_draw(dtype))
    return _random_tensor(values, dtype, device, requires_grad)


def randn(
    *sizes, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """Values drawn from the standard normal distribution, from ``generator`` or the global
    generator.

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> minigrad.randn(2, 3).shape
        minigrad.Size([2, 3])
    """
    dtype = _float_dtype(dtype)
    source = _random.numpy_generator(generator, "randn")
    values = source.standard_normal(_sizes(sizes, size, "randn"), dtype=_float_draw(dtype))
    return _random_tensor(values, dtype, device, requires_grad)


def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    dtype=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """Values drawn from normal distributions: ``mean + std * z`` with ``z`` standard
    normal, as ``torch.normal``.

    ``mean`` and ``std`` are numbers (then ``size`` gives the shape) or tensors, which
    broadcast against each other and give the shape, dtype and device. ``std`` must not
    be negative. The draw comes from ``generator`` (a :class:`minigrad.Generator`) or the
    global generator. The result carries no graph: PyTorch gives ``mean`` and ``std`` an
    all-zero gradient through it, which is no gradient at all (for a sample whose
    gradient flows, write ``mean + std * minigrad.randn(...)``).

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> minigrad.normal(2.0, 0.5, size=(3,)).shape
        minigrad.Size([3])
        >>> minigrad.normal(minigrad.zeros(2, 2), 1.0).shape
        minigrad.Size([2, 2])
    """
    rng = _random.numpy_generator(generator, "normal")
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(mean, std) with numbers needs size= (the shape to draw)")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _float_dtype(dtype)
        z = rng.standard_normal(_sizes((size,)), dtype=_float_draw(dtype))
        return _random_tensor(float(mean) + float(std) * z, dtype, device, requires_grad)
    if size is not None:
        raise TypeError("normal: size= is only for numbers; a tensor mean or std gives the shape")
    if len({t.device for t in tensors}) > 1:
        raise RuntimeError(f"normal: mean and std are on different devices, {mean.device} "
                           f"and {std.device}")  # fmt: skip
    first = tensors[0]
    means = mean._data if isinstance(mean, Tensor) else mean
    stds = std._data if isinstance(std, Tensor) else std
    if bool((backend.to_host(first.device.xp.asarray(stds)) < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    try:
        shape = np.broadcast_shapes(np.shape(means), np.shape(stds))
    except ValueError:
        raise RuntimeError(
            f"normal: the shapes of mean {np.shape(means)} and std {np.shape(stds)} do not "
            f"broadcast"
        ) from None
    dtype = first.dtype if _dtypes.is_floating(first.dtype) else _dtypes.get_default_dtype()
    z = first.device.from_host(rng.standard_normal(shape, dtype=_float_draw(dtype)))
    values = (means + stds * z).astype(dtype, copy=False)
    return _finish(values, first.device, requires_grad)


def _float_draw(dtype: np.dtype) -> np.dtype:
    """NumPy draws float32 or float64 directly; other float types are drawn as float32."""
    if not _dtypes.is_floating(dtype):
        raise TypeError(f"random values need a floating-point dtype, got {dtype}")
    return dtype if dtype in (_dtypes.float32, _dtypes.float64) else _dtypes.float32


def randint(
    *args,
    low=None,
    high=None,
    size=None,
    generator=None,
    dtype=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``, from ``generator`` or the global generator. The dtype is
    int64 unless given.

    Example:
        >>> import minigrad
        >>> int(minigrad.randint(3, 5, (4,)).min()) >= 3
        True
    """
    named = tuple(v for v in (low, high, size) if v is not None)
    if low is not None and high is None:
        raise TypeError("randint: low= needs high= too")
    args = (*args, *named)
    if len(args) == 2:
        low, high, size = 0, *args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint expects (high, size) or (low, high, size)")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    dtype = _dtypes.int64 if dtype is None else _dtypes.to_dtype(dtype)
    if dtype.kind in "iu":  # draws that do not fit the dtype would wrap around silently
        info = np.iinfo(dtype)
        if low < info.min or high - 1 > info.max:
            raise RuntimeError(
                f"randint: [{low}, {high}) does not fit {dtype} (range {info.min}..{info.max})"
            )
    source = _random.numpy_generator(generator, "randint")
    values = source.integers(low, high, _sizes((size,)))
    return _random_tensor(values, dtype, device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of ``0 .. n - 1`` (int64 unless ``dtype`` says otherwise), from
    the global generator or ``generator``: the shuffled order of a dataset's indices.

    Example:
        >>> import minigrad
        >>> sorted(minigrad.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise RuntimeError(f"randperm: n must be a non-negative int, got {n!r}")
    dtype = _dtypes.int64 if dtype is None else _dtypes.to_dtype(dtype)
    source = _random.numpy_generator(generator, "randperm")
    return _random_tensor(source.permutation(n), dtype, device, requires_grad)


def _like(input: Tensor, dtype, device):
    if not isinstance(input, Tensor):
        raise TypeError(f"expected a Tensor, got {type(input).__name__}")
    dtype = input.dtype if dtype is None else _dtypes.to_dtype(dtype)
    return tuple(input.shape), dtype, input.device if device is None else device


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Zeros with the shape (and, unless given, dtype and device) of ``input``.

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2, 3, dtype=minigrad.float64)
        >>> minigrad.zeros_like(x)
        tensor([[0., 0., 0.],
                [0., 0., 0.]], dtype=minigrad.float64)
    """
    shape, dtype, device = _like(input, dtype, device)
    return zeros(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Ones with the shape (and, unless given, dtype and device) of ``input``.

    Example:
        >>> import minigrad
        >>> minigrad.ones_like(minigrad.tensor([1, 2, 3]))
        tensor([1, 1, 1])
    """
    shape, dtype, device = _like(input, dtype, device)
    return ones(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An uninitialised tensor with the shape, dtype and device of ``input``.

    Example:
        >>> import minigrad
        >>> minigrad.empty_like(minigrad.ones(2, 2)).shape
        minigrad.Size([2, 2])
    """
    shape, dtype, device = _like(input, dtype, device)
    return empty(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad=False):
    """``fill_value`` everywhere, with the shape, dtype and device of ``input``.

    Example:
        >>> import minigrad
        >>> minigrad.full_like(minigrad.zeros(3), 0.5)
        tensor([0.5000, 0.5000, 0.5000])
    """
    shape, dtype, device = _like(input, dtype, device)
    return full(shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def rand_like(
    input: Tensor, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """Uniform [0, 1) values with the shape, dtype and device of ``input``.

    Example:
        >>> import minigrad
        >>> minigrad.rand_like(minigrad.zeros(2, 5)).shape
        minigrad.Size([2, 5])
    """
    shape, dtype, device = _like(input, dtype, device)
    return rand(shape, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(
    input: Tensor, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """Standard normal values with the shape, dtype and device of ``input``.

    Example:
        >>> import minigrad
        >>> minigrad.randn_like(minigrad.zeros(4, dtype=minigrad.float64)).dtype
        dtype('float64')
    """
    shape, dtype, device = _like(input, dtype, device)
    return randn(
        shape, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad
    )


def randint_like(
    input: Tensor, low, high=None, *, generator=None, dtype=None, device=None
) -> Tensor:
    """Random integers in [low, high) with the shape, dtype and device of ``input``.

    Example:
        >>> import minigrad
        >>> x = minigrad.randint_like(minigrad.zeros(3, 4), 10)
        >>> x.shape, x.dtype, int(x.max()) < 10
        (minigrad.Size([3, 4]), dtype('float32'), True)
    """
    if high is None:
        low, high = 0, low
    shape, dtype, device = _like(input, dtype, device)
    return randint(low, high, shape, generator=generator, dtype=dtype, device=device)
