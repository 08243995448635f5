"""A strict stand-in for CuPy, so that the suite can check the GPU's rules without a GPU.

``pytest --device strict`` puts this module where CuPy goes (``backend.use_gpu_library``)
and runs every test on ``"cuda"``. Its arrays hold NumPy arrays, so every result is
NumPy's, but they follow CuPy's rules where host code can break them:

* an array is not a NumPy array: ``numpy.asarray(a)`` (any implicit conversion) raises
  CuPy's TypeError, and ``.get()`` or ``cupy.asnumpy(a)`` is the explicit copy to the host;
* a NumPy array as an operand (``a + numpy_array``, ``cupy.add(a, numpy_array)``) raises, as
  in CuPy: data must be moved to the device first (``cupy.asarray``); Python and NumPy
  scalars are fine;
* reductions return 0-d arrays, not NumPy scalars;
* ``float(a)``, ``int(a)``, ``bool(a)``, ``a.item()``, ``a.tolist()`` and ``.get()`` wait for
  the GPU on a real device: each is counted in :data:`host_syncs`;
* nothing warns (CuPy never does: inf and NaN are silent);
* ``cupy`` is a module object of its own, not ``numpy``, so code that asks ``xp is np``
  takes the GPU's branch.

It finds host/device mix-ups before a GPU session does; it does not replace one. The fused
CUDA kernels (``minigrad/fast/cuda_kernels.py``) cannot run here: the stand-in runs in
reference mode.
"""

from __future__ import annotations

import operator
import types

import numpy as np

host_syncs = {"count": 0}  # float(), int(), bool(), .item(), .tolist(), .get(), asnumpy()

_IMPLICIT = (
    "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
    "a NumPy array explicitly."
)
# The functions that take host data on purpose (a copy to the device).
_FROM_HOST = {"array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray"}


def _sync() -> None:
    host_syncs["count"] += 1


def _unwrap(value, where: str):
    """The NumPy arrays inside ``value``; a NumPy array itself is refused, as CuPy does."""
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, np.ndarray):
        raise TypeError(
            f"Unsupported type {type(value)} in {where}: a NumPy array must be moved to the "
            "device first (cupy.asarray)"
        )
    if isinstance(value, list | tuple):
        return type(value)(_unwrap(v, where) for v in value)
    return value


def _unwrap_host(value):
    """As _unwrap, but host data is welcome (cupy.asarray and friends)."""
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, list | tuple):
        return type(value)(_unwrap_host(v) for v in value)
    return value


def _wrap(value):
    if isinstance(value, np.ndarray):
        return ndarray(value)
    if isinstance(value, np.generic):  # CuPy's reductions give 0-d arrays
        return ndarray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _call(function, args, kwargs, where: str, host_ok: bool = False):
    unwrap = _unwrap_host if host_ok else (lambda v: _unwrap(v, where))
    from_host = host_ok and bool(args) and not isinstance(args[0], ndarray)
    wrappers = {id(a._a): a for a in args if isinstance(a, ndarray)}
    args = [unwrap(a) for a in args]
    kwargs = {k: unwrap(v) for k, v in kwargs.items()}
    with np.errstate(all="ignore"):
        result = function(*args, **kwargs)
    if from_host:  # a copy to the device: it never shares the host's memory
        result = np.array(result, copy=True)
    if id(result) in wrappers:  # cupy.asarray(a) and friends give back a itself
        return wrappers[id(result)]
    return _wrap(result)


class _Pointer:
    def __init__(self, ptr: int) -> None:
        self.ptr = ptr


class _DeviceId:
    id = 0


class ndarray:  # CuPy's name
    """An array "on the GPU": a NumPy array behind CuPy's rules (see the module docstring)."""

    __array_priority__ = 100  # NumPy defers binary operators to us

    def __init__(self, a: np.ndarray) -> None:
        self._a = a

    # ---- what is refused or counted
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_IMPLICIT)

    def get(self, stream=None, order="C", out=None):
        _sync()
        return np.array(self._a, order=order)

    def item(self, *args):
        _sync()
        return self._a.item(*args)

    def tolist(self):
        _sync()
        return self._a.tolist()

    def __float__(self):
        _sync()
        return float(self._a)

    def __int__(self):
        _sync()
        return int(self._a)

    def __index__(self):
        _sync()
        return operator.index(self._a)

    def __bool__(self):
        _sync()
        return bool(self._a)

    def __complex__(self):
        _sync()
        return complex(self._a)

    # ---- NumPy's protocols: np.add(a, b) and np.sum(a) work on CuPy arrays too
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _call(getattr(ufunc, method), inputs, kwargs, f"numpy.{ufunc.__name__}")

    def __array_function__(self, func, types_, args, kwargs):
        return _call(func, args, kwargs, f"numpy.{func.__name__}")

    # ---- attributes
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: ndarray(self._a.T))
    mT = property(lambda self: ndarray(np.swapaxes(self._a, -1, -2)))
    real = property(lambda self: ndarray(self._a.real))
    imag = property(lambda self: ndarray(self._a.imag))
    data = property(lambda self: _Pointer(self._a.ctypes.data))
    device = property(lambda self: _DeviceId())
    base = property(lambda self: None if self._a.base is None else ndarray(self._a.base))

    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__ and the like would hand NumPy the data
            raise AttributeError(name)
        attribute = getattr(self._a, name)  # a method: reshape, astype, sum, ...
        if not callable(attribute):
            return _wrap(attribute)

        def method(*args, **kwargs):
            return _call(attribute, args, kwargs, f"ndarray.{name}")

        return method

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (ndarray(np.asarray(row)) for row in self._a)

    def __repr__(self):
        return "stand-in GPU " + repr(self._a)

    def __getitem__(self, index):
        with np.errstate(all="ignore"):
            return _wrap(self._a[_unwrap_host(index)])

    def __setitem__(self, index, value):
        with np.errstate(all="ignore"):
            self._a[_unwrap_host(index)] = _unwrap(value, "ndarray.__setitem__")

    def __copy__(self):
        return ndarray(self._a.copy())

    def __deepcopy__(self, memo):
        return ndarray(self._a.copy())

    def __reduce__(self):  # pickling stores the values (as cupy does)
        return (ndarray, (self._a.copy(),))


def _operator(name: str):
    function = getattr(operator, name)

    def method(self, *others):
        return _call(function, (self, *others), {}, f"ndarray.__{name.strip('_')}__")

    return method


def _reflected(name: str):
    function = getattr(operator, name)

    def method(self, other):
        return _call(function, (other, self), {}, f"ndarray.__r{name.strip('_')}__")

    return method


def _in_place(name: str):
    function = getattr(operator, "i" + name.rstrip("_"))

    def method(self, other):
        with np.errstate(all="ignore"):
            function(self._a, _unwrap(other, f"ndarray.__i{name}__"))
        return self

    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_",
              "or_", "xor", "lshift", "rshift"):  # fmt: skip
    dunder = _name.rstrip("_")
    setattr(ndarray, f"__{dunder}__", _operator(_name))
    setattr(ndarray, f"__r{dunder}__", _reflected(_name))
    setattr(ndarray, f"__i{dunder}__", _in_place(_name))
for _name in ("lt", "le", "eq", "ne", "gt", "ge", "neg", "pos", "abs", "invert"):
    setattr(ndarray, f"__{_name}__", _operator(_name))
ndarray.__divmod__ = lambda self, other: (self // other, self % other)
ndarray.__hash__ = None


class _Namespace(types.ModuleType):
    """NumPy's functions (of ``numpy`` or one of its submodules), on stand-in arrays."""

    def __init__(self, name: str, numpy_module) -> None:
        super().__init__(name)
        self._numpy = numpy_module

    def __getattr__(self, name):
        attribute = getattr(self._numpy, name)
        if isinstance(attribute, types.ModuleType):
            namespace = _Namespace(f"{self.__name__}.{name}", attribute)
            setattr(self, name, namespace)
            return namespace
        if not callable(attribute) or isinstance(attribute, type):
            return attribute  # constants, dtypes (cupy.float32 is numpy.float32)
        if isinstance(attribute, np.ufunc):
            proxy = _Ufunc(attribute)
            setattr(self, name, proxy)
            return proxy
        host_ok = name in _FROM_HOST

        def function(*args, **kwargs):
            return _call(attribute, args, kwargs, f"cupy.{name}", host_ok=host_ok)

        function.__name__ = name
        setattr(self, name, function)
        return function


class _Ufunc:
    """A ufunc on stand-in arrays, with its methods (``cupy.add.at`` as ``numpy.add.at``)."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, args, kwargs, f"cupy.{self.__name__}")

    def __getattr__(self, name):
        attribute = getattr(self._ufunc, name)
        if not callable(attribute):
            return attribute

        def method(*args, **kwargs):
            return _call(attribute, args, kwargs, f"cupy.{self.__name__}.{name}")

        return method


class _Device:
    def __init__(self, index: int | None = None) -> None:
        self.id = 0 if index is None else index

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def synchronize(self) -> None:
        _sync()


class _Stream:
    ptr = 0

    def synchronize(self) -> None:
        _sync()


def _make_module() -> types.ModuleType:
    cupy = _Namespace("cupy", np)
    cupy.__doc__ = __doc__
    cupy.ndarray = ndarray
    cupy.stand_in = True

    def asnumpy(a, stream=None, order="C", out=None):
        return a.get() if isinstance(a, ndarray) else np.asarray(a)

    def get_array_module(*args):
        return cupy if any(isinstance(a, ndarray) for a in args) else np

    def may_share_memory(a, b, max_work=None):
        return np.may_share_memory(_unwrap_host(a), _unwrap_host(b))

    cupy.asnumpy, cupy.get_array_module = asnumpy, get_array_module
    cupy.may_share_memory = cupy.shares_memory = may_share_memory
    cuda = types.ModuleType("cupy.cuda")
    cuda.Device = _Device
    cuda.runtime = types.SimpleNamespace(getDeviceCount=lambda: 1, getDevice=lambda: 0)
    cuda.get_current_stream = lambda: _Stream()
    cuda.Stream = _Stream
    cupy.cuda = cuda
    return cupy


cupy = _make_module()
