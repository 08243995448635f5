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
CUDA kernels (``minigrad/fast/cuda_kernels.py``) are CUDA C, which cannot run here: the
suite's ``--device strict`` runs in reference mode.

Two additions count what a step would launch on a GPU (``benchmarks/profile_step.py
--kernels`` reports them):

* :class:`LaunchCounter` counts, inside a ``with`` block, every call on stand-in arrays
  that would be a kernel launch on a GPU (see its docstring for what counts), the copies
  from the host, and the host syncs;
* ``ElementwiseKernel`` and ``ReductionKernel`` stand in for CuPy's: a kernel runs a NumPy
  body registered under its name in :data:`kernel_bodies` (minigrad's fused kernels have
  theirs below) and counts one launch, so that :func:`installed` with ``fused=True`` runs
  minigrad's GPU fast paths, the code a real GPU runs, on the host.
"""

from __future__ import annotations

import contextlib
import math
import operator
import sys
import types
import weakref
from collections import Counter

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
    if _counters:
        _record("host_sync", "sync")


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


def _call(function, args, kwargs, where: str, host_ok: bool = False, owner=None):
    """``function`` on the NumPy arrays inside ``args``, its result wrapped; ``owner`` is the
    NumPy array whose method ``function`` is (for the launch count)."""
    unwrap = _unwrap_host if host_ok else (lambda v: _unwrap(v, where))
    from_host = host_ok and bool(args) and not isinstance(args[0], ndarray)
    wrappers = {id(a._a): a for a in args if isinstance(a, ndarray)}
    args = [unwrap(a) for a in args]
    kwargs = {k: unwrap(v) for k, v in kwargs.items()}
    with np.errstate(all="ignore"):
        result = function(*args, **kwargs)
    if from_host:  # a copy to the device: it never shares the host's memory
        result = np.array(result, copy=True)
    if _counters:
        _count_call(where, [*args, owner], kwargs, result, from_host)
    if id(result) in wrappers:  # cupy.asarray(a) and friends give back a itself
        return wrappers[id(result)]
    return _wrap(result)


class _Pointer:
    def __init__(self, ptr: int) -> None:
        self.ptr = ptr


class _DeviceId:
    id = 0


# id(NumPy array) -> the first live stand-in that holds it, so that a view's ``.base`` is
# the same object each time, the array it was made from, as with CuPy (the engine tells
# a view of a new array from a view of a shared one by its base's identity).
_STAND_INS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


class ndarray:  # CuPy's name
    """An array "on the GPU": a NumPy array behind CuPy's rules (see the module docstring)."""

    __array_priority__ = 100  # NumPy defers binary operators to us

    def __init__(self, a: np.ndarray) -> None:
        self._a = a
        _STAND_INS.setdefault(id(a), self)

    @property
    def base(self):
        base = self._a.base
        if base is None:
            return None
        held = _STAND_INS.get(id(base))
        return held if held is not None and held._a is base else ndarray(base)

    # ---- what is refused or counted
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_IMPLICIT)

    def get(self, stream=None, order="C", out=None):
        if _counters:
            _record("to_host", "ndarray.get")
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

    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__ and the like would hand NumPy the data
            raise AttributeError(name)
        attribute = getattr(self._a, name)  # a method: reshape, astype, sum, ...
        if not callable(attribute):
            return _wrap(attribute)

        def method(*args, **kwargs):
            return _call(attribute, args, kwargs, f"ndarray.{name}", owner=self._a)

        return method

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (ndarray(np.asarray(row)) for row in self._a)

    def __repr__(self):
        return "stand-in GPU " + repr(self._a)

    def __getitem__(self, index):
        index = _unwrap_host(index)
        with np.errstate(all="ignore"):
            result = self._a[index]
        # A NumPy scalar (a[0] of a 1-d array) is a 0-d view in CuPy: no kernel.
        if _counters and not isinstance(result, np.generic):
            _count_call("ndarray.__getitem__", (self._a, index), {}, result, False)
        return _wrap(result)

    def __setitem__(self, index, value):
        with np.errstate(all="ignore"):
            self._a[_unwrap_host(index)] = _unwrap(value, "ndarray.__setitem__")
        if _counters:
            _record("launch", "ndarray.__setitem__")

    def __copy__(self):
        if _counters:
            _record("launch", "ndarray.__copy__")
        return ndarray(self._a.copy())

    def __deepcopy__(self, memo):
        if _counters:
            _record("launch", "ndarray.__deepcopy__")
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
        if _counters:
            _record("launch", f"ndarray.__i{name.rstrip('_')}__")
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


# ----------------------------------------------------------------------------------------
# Counting what would be kernel launches on a GPU
# ----------------------------------------------------------------------------------------

_counters: list = []  # the LaunchCounters whose ``with`` block is running

# Functions that only allocate: on a GPU they take memory from the pool and launch nothing.
_ALLOCATE_ONLY = {"empty", "empty_like"}


class LaunchCounter:
    """Inside a ``with`` block, count what the stand-in's arrays do that a GPU would do as
    one operation each on its stream, from the host.

    Counted as one **launch** (a kernel, or for ``zeros`` a memset) each:

    * a call that writes device memory: a ufunc or an elementwise function (``a + b``,
      ``cupy.exp``, ``cupy.where``), a reduction (``a.sum()``, ``a.max(axis=1)``), a matrix
      product (``@``, ``einsum``), a copy (``astype``, ``copy``,
      ``ascontiguousarray`` of a strided array, ``reshape`` that cannot be a view,
      ``stack``), a fill (``zeros``, ``ones_like``, ``full``, ``arange``, ``a.fill(v)``), a
      gather (``a[index_array]``, ``take_along_axis``), an in-place write (``a += b``,
      ``a[i] = v``, ``out=``, ``copyto``, ``cupy.add.at``);
    * a call of an ``ElementwiseKernel`` or ``ReductionKernel`` (one fused kernel).

    The rule is read off the result: a call whose result owns new memory, or that writes
    in place, is a launch; a call whose result shares the memory of an input is a view
    (``reshape``, ``.T``, ``a[1:3]``, ``broadcast_to``, ``as_strided``) and launches
    nothing; so does a bare allocation (``empty``, ``empty_like``), a result with no
    elements, and anything that returns no array (``shape``, ``result_type``).

    Counted apart: **to_device**, the copies of host data to the device (``cupy.asarray``
    of a NumPy array or a Python number: a ``cudaMemcpy``, not a kernel); **to_host**,
    ``.get()`` and ``cupy.asnumpy``; **host_sync**, every wait for the GPU (as
    :data:`host_syncs`: ``float()``, ``.item()``, ``.get()``, ``synchronize()``, ...).

    One call counts one launch, as CuPy launches one kernel for most of them. CuPy itself
    sometimes launches more (a matrix product of strided operands copies them first; a
    boolean mask index counts its elements, with a hidden sync, before it gathers) or none
    (``asarray`` with the dtype the array has); cuBLAS may run a product as two kernels.
    The count is the number of array calls the host makes, which is what a launch-bound
    step pays for.

    ``attribute``, a function of no arguments, is called at each event and its result
    (hashable) keys :attr:`sites`, to say what made it (``benchmarks/profile_step.py``
    walks the stack to the minigrad op). Counters nest: each active counter counts.

    Example:
        >>> a = cupy.ones(3)
        >>> with LaunchCounter() as counter:
        ...     b = (a + a).reshape(3, 1)
        >>> counter.launches, counter.calls
        (1, Counter({('launch', 'ndarray.__add__'): 1}))
    """

    def __init__(self, attribute=None) -> None:
        self.attribute = attribute
        self.calls: Counter = Counter()  # (kind, where) -> events
        self.sites: Counter = Counter()  # (kind, attribute()) -> events

    def __enter__(self) -> LaunchCounter:
        _counters.append(self)
        return self

    def __exit__(self, *exc) -> bool:
        _counters.remove(self)
        return False

    def add(self, kind: str, where: str) -> None:
        """Count one event of ``kind`` ("launch", "to_device", "to_host", "host_sync")."""
        self.calls[kind, where] += 1
        if self.attribute is not None:
            self.sites[kind, self.attribute()] += 1

    def total(self, kind: str) -> int:
        return sum(n for (k, _), n in self.calls.items() if k == kind)

    launches = property(lambda self: self.total("launch"))
    to_device = property(lambda self: self.total("to_device"))
    to_host = property(lambda self: self.total("to_host"))
    host_syncs = property(lambda self: self.total("host_sync"))


def _record(kind: str, where: str) -> None:
    for counter in _counters:
        counter.add(kind, where)


def _arrays(value, found: list) -> list:
    """The NumPy arrays in ``value`` (an array, or lists and tuples of them)."""
    if isinstance(value, np.ndarray):
        found.append(value)
    elif isinstance(value, list | tuple):
        for v in value:
            _arrays(v, found)
    return found


def _count_call(where: str, args, kwargs, result, from_host: bool) -> None:
    """Count one call on raw (NumPy) ``args`` by the rule of :class:`LaunchCounter`."""
    if from_host:
        if _arrays(result, []) and np.asarray(result).size:
            _record("to_device", where)
        return
    inputs = _arrays([*args, *kwargs.values()], [])
    if kwargs.get("out") is not None or result is None:  # written in place
        if inputs:
            _record("launch", where)
        return
    if where.rsplit(".", 1)[-1] in _ALLOCATE_ONLY:
        return
    if isinstance(result, np.generic):  # a reduction to a scalar: a 0-d array in CuPy
        _record("launch", where)
        return
    outputs = [o for o in _arrays(result, []) if o.size]
    if any(not any(np.may_share_memory(o, a) for a in inputs) for o in outputs):
        _record("launch", where)


# ----------------------------------------------------------------------------------------
# ElementwiseKernel and ReductionKernel, with NumPy bodies
# ----------------------------------------------------------------------------------------

# name -> a NumPy function of the kernel's parameters (by name) that returns the values of
# its non-raw outputs, in order (for a ReductionKernel: the mapped term, to be summed).
kernel_bodies: dict = {}

_TYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
}  # fmt: skip


def _parameters(text: str) -> list[tuple[bool, str, str]]:
    """CuPy's parameter list ("raw T img, int32 c, T x") as (raw, type, name) triples."""
    params = []
    for item in text.split(","):
        words = item.split()
        if words:
            raw = words[0] == "raw"
            params.append((raw, *words[int(raw) : int(raw) + 2]))
    return params


def _bind(params, values, where: str):
    """The named values of a kernel call (scalars cast to their parameter's type), the
    broadcast shape of its non-raw array arguments, and a function from a parameter type
    to its NumPy dtype."""
    types_ = {}
    for (_, t, _), v in zip(params, values):
        if isinstance(v, np.ndarray) and t not in _TYPES:
            types_.setdefault(t, v.dtype)

    def dtype(t):
        if t in _TYPES:
            return np.dtype(t)
        if t not in types_:
            raise TypeError(f"{where}: no array argument gives the type {t}")
        return types_[t]

    shapes = [v.shape for (raw, _, _), v in zip(params, values) if not raw and hasattr(v, "shape")]
    named = {
        name: v if isinstance(v, np.ndarray) else dtype(t).type(v)
        for (_, t, name), v in zip(params, values)
    }
    return named, np.broadcast_shapes(*shapes), dtype


def _body(name: str, where: str):
    body = kernel_bodies.get(name)
    if body is None:
        raise NotImplementedError(
            f"{where}: the strict stand-in has no NumPy body for the kernel {name!r}; register "
            "one in strict_gpu.kernel_bodies"
        )
    return body


class ElementwiseKernel:
    """CuPy's ``ElementwiseKernel`` on the stand-in: the CUDA C ``operation`` is not run;
    the NumPy body registered as ``kernel_bodies[name]`` computes the outputs, and the
    call counts one launch."""

    def __init__(self, in_params, out_params, operation, name="kernel", *args, **kwargs):
        self.in_params, self.out_params = _parameters(in_params), _parameters(out_params)
        self.operation, self.name = operation, name

    def __call__(self, *args, size=None, block_size=None, stream=None):
        where = f"ElementwiseKernel {self.name}"
        body = _body(self.name, where)
        n_in, n_out = len(self.in_params), len(self.out_params)
        if len(args) not in (n_in, n_in + n_out):
            raise TypeError(f"{where}: wrong number of arguments ({len(args)})")
        values = [_unwrap(a, where) for a in args]
        given = self.in_params + self.out_params[: len(args) - n_in]
        named, shape, dtype = _bind(given, values, where)
        if size is not None and not any(not raw for raw, _, _ in given):
            shape = (size,)
        made = []
        for raw, t, name in self.out_params[len(args) - n_in :]:
            if raw:
                raise TypeError(f"{where}: the raw output {name!r} must be given")
            named[name] = np.empty(shape, dtype=dtype(t))
            made.append(ndarray(named[name]))
        with np.errstate(all="ignore"):
            results = body(**named)
        results = results if isinstance(results, tuple) else (results,)
        for (raw, _, name), value in zip(self.out_params, results):
            if not raw and value is not None:
                named[name][...] = value
        if math.prod(shape):
            _record("launch", where)
        outputs = [*args[n_in:], *made]
        return outputs[0] if n_out == 1 else tuple(outputs)


class ReductionKernel:
    """CuPy's ``ReductionKernel`` on the stand-in, for sums (``reduce_expr`` "a + b",
    ``post_map_expr`` "y = a"): ``kernel_bodies[name]`` computes the mapped term from the
    (broadcast) inputs, NumPy sums it over ``axis``, and the call counts one launch."""

    def __init__(self, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
                 name="reduce_kernel", *args, **kwargs):  # fmt: skip
        self.in_params, self.out_params = _parameters(in_params), _parameters(out_params)
        self.name = name
        self.sums = (
            reduce_expr.replace(" ", "") == "a+b"
            and post_map_expr.replace(" ", "") == f"{self.out_params[0][2]}=a"
        )

    def __call__(self, *args, out=None, axis=None, keepdims=False, stream=None):
        where = f"ReductionKernel {self.name}"
        if not self.sums:
            raise NotImplementedError(f"{where}: the stand-in runs sums only")
        body = _body(self.name, where)
        values = [_unwrap(a, where) for a in args]
        named, shape, dtype = _bind(self.in_params, values, where)
        with np.errstate(all="ignore"):
            term = np.broadcast_to(body(**named), shape)
            result = np.asarray(
                term.sum(axis=axis, keepdims=keepdims, dtype=dtype(self.out_params[0][1]))
            )
        if result.size:
            _record("launch", where)
        if out is not None:
            out._a[...] = result
            return out
        return ndarray(result)


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
    cupy.ElementwiseKernel, cupy.ReductionKernel = ElementwiseKernel, ReductionKernel
    cupy.may_share_memory = cupy.shares_memory = may_share_memory
    cuda = types.ModuleType("cupy.cuda")
    cuda.Device = _Device
    cuda.runtime = types.SimpleNamespace(getDeviceCount=lambda: 1, getDevice=lambda: 0)
    cuda.get_current_stream = lambda: _Stream()
    cuda.Stream = _Stream
    cupy.cuda = cuda
    return cupy


cupy = _make_module()


# ----------------------------------------------------------------------------------------
# minigrad's fused kernels (minigrad/fast/cuda_kernels.py) as NumPy bodies
# ----------------------------------------------------------------------------------------
# Each body computes what its kernel's CUDA C computes, from the same parameters (by name;
# the outputs are passed too, and ignored where not needed). tests/test_launch_count.py
# runs training steps both ways on the stand-in, fused and reference, and compares them.


def _sgd_momentum(g, lr, momentum, dampening, weight_decay, nesterov, maximize, first, p,
                  buf):  # fmt: skip
    d = -g if maximize else g
    if weight_decay != 0:
        d = d + weight_decay * p
    b = d if first else momentum * buf + (1 - dampening) * d
    return p - lr * (d + momentum * b if nesterov else b), b


def _sgd_plain(g, lr, weight_decay, maximize, p):
    d = -g if maximize else g
    if weight_decay != 0:
        d = d + weight_decay * p
    return p - lr * d


def _bn_channel_stats(sum_sq, inv_n, gamma, eps, **outputs):
    var = sum_sq * inv_n
    inv_std = 1 / np.sqrt(var + eps)
    return var, inv_std, gamma * inv_std


def _bn_input_grad(g, x, mean, scale, inv_std, sum_g, sum_gc, inv_n, **outputs):
    return scale * (g - (sum_g + (x - mean) * inv_std * inv_std * sum_gc) * inv_n)


def _running_stats(mean, var, momentum, unbias, running_mean, running_var):
    return (
        (1 - momentum) * running_mean + momentum * mean,
        (1 - momentum) * running_var + momentum * (var * unbias),
    )


def _padding(h, w, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx):
    """The padding below and to the right that keeps every tap inside the padded plane."""
    bottom = max(0, (kh - 1) * dy + (out_h - 1) * sy - top - (h - 1))
    right = max(0, (kw - 1) * dx + (out_w - 1) * sx - left - (w - 1))
    return bottom, right


def _taps(kh, kw, out_h, out_w, sy, sx, dy, dx):
    """(ky, kx, the slices of the padded plane that tap reads), in the kernels' order."""
    for ky in range(kh):
        for kx in range(kw):
            rows = slice(ky * dy, ky * dy + (out_h - 1) * sy + 1, sy)
            cols = slice(kx * dx, kx * dx + (out_w - 1) * sx + 1, sx)
            yield ky, kx, (slice(None), slice(None), rows, cols)


def _im2col(img, c, h, w, n, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx, col):
    c, h, w, n, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx = map(
        int, (c, h, w, n, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx)
    )
    if col.size == 0:
        return col
    bottom, right = _padding(h, w, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx)
    x = img.reshape(n, c, h, w)
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    taps = np.empty((c, kh, kw, n, out_h, out_w), dtype=x.dtype)
    for ky, kx, where in _taps(kh, kw, out_h, out_w, sy, sx, dy, dx):
        taps[:, ky, kx] = padded[where].transpose(1, 0, 2, 3)
    return taps.reshape(col.shape)


def _col2im(col, c, h, w, n, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx, img):
    c, h, w, n, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx = map(
        int, (c, h, w, n, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx)
    )
    bottom, right = _padding(h, w, out_h, out_w, kh, kw, sy, sx, top, left, dy, dx)
    padded = np.zeros((n, c, top + h + bottom, left + w + right), dtype=img.dtype)
    if img.size and out_h * out_w:
        cols = col.reshape(c, kh, kw, n, out_h, out_w)
        for ky, kx, where in _taps(kh, kw, out_h, out_w, sy, sx, dy, dx):
            padded[where] += cols[:, ky, kx].transpose(1, 0, 2, 3)
    return padded[:, :, top : top + h, left : left + w]


def _flag_bad_targets(t, classes, ignore_index, flag):
    bad = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if bad.any():
        flag[0] = t[bad][-1]


kernel_bodies.update({
    "minigrad_sgd_momentum": _sgd_momentum,
    "minigrad_sgd": _sgd_plain,
    "minigrad_bn_channel_stats": _bn_channel_stats,
    "minigrad_bn_normalize": lambda x, mean, scale, beta, y: (x - mean) * scale + beta,
    "minigrad_bn_input_grad": _bn_input_grad,
    "minigrad_bn_running_stats": _running_stats,
    "minigrad_row_sum": lambda x: x,
    "minigrad_row_sum_squared_deviation": lambda x, mean: (x - mean) * (x - mean),
    "minigrad_row_sum_grad_times_centered": lambda g, x, mean: g * (x - mean),
    "minigrad_squared_deviation": lambda x, mean, y: (x - mean) * (x - mean),
    "minigrad_grad_times_centered": lambda g, x, mean, y: g * (x - mean),
    "minigrad_im2col_32": _im2col,
    "minigrad_im2col_64": _im2col,
    "minigrad_col2im_32": _col2im,
    "minigrad_col2im_64": _col2im,
    "minigrad_relu_grad": lambda g, out, dx: np.where(out <= 0, 0, g),
    "minigrad_flag_bad_targets": _flag_bad_targets,
})  # fmt: skip


@contextlib.contextmanager
def installed(fused: bool = False):
    """Inside the block, minigrad's ``"cuda"`` devices run on this stand-in; afterwards,
    on the GPU library they had before (CuPy, or none).

    ``fused=False`` runs every op's reference code (``fastpath.reference_mode()``, as
    ``pytest --device strict``); ``fused=True`` runs the fast paths, the GPU's with the
    fused kernels of ``minigrad/fast/cuda_kernels.py`` on the NumPy bodies above: the
    array calls a real GPU step makes. Either way the CPU's fast paths follow the same
    switch inside the block. ``cuda_kernels`` is imported afresh for the stand-in and
    put back as it was afterwards.
    """
    from minigrad import backend, fastpath

    name = "minigrad.fast.cuda_kernels"
    package = sys.modules["minigrad.fast"]
    before = backend.cupy, sys.modules.pop(name, None), package.__dict__.pop("cuda_kernels", None)
    backend.use_gpu_library(cupy)
    try:
        with fastpath.reference_mode(not fused):
            yield cupy
    finally:
        library, module, attribute = before
        backend.use_gpu_library(library)
        sys.modules.pop(name, None)
        package.__dict__.pop("cuda_kernels", None)
        if module is not None:
            sys.modules[name] = module
        if attribute is not None:
            package.cuda_kernels = attribute
