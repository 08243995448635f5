"""The Tensor: an array on a device, plus what autograd needs to know about it.

A tensor holds

* ``_data``: a NumPy or CuPy array (the backend's business, see ``backend.py``);
* ``device``: the :class:`~minigrad.backend.Device` that array lives on;
* ``requires_grad``, ``grad`` and ``grad_fn``: whether gradients flow to it, the gradient
  that backward left in it (for leaves), and the Function that produced it (for results);
* ``_version``: a counter bumped by every in-place change, so that backward can tell when
  an array it saved was modified after being saved.

The methods are thin: each one hands its work to a function in ``functions/`` (which
checks arguments and applies PyTorch's dtype rules) and from there to a differentiable
primitive in ``ops/``. This file is the API; the math lives elsewhere.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import autograd as _autograd
from . import backend, printing
from . import dtypes as _dtypes
from .backend import Device
from .from_python import flat, from_python
from .size import Size


class VersionCounter:
    """Counts in-place changes to a storage; a tensor and its views share one counter.

    ``graph_writes`` counts the in-place changes that were recorded in the graph: after
    one, only the tensor written keeps its place in the graph (see ``Function.stamp``)."""

    __slots__ = ("graph_writes", "value")

    def __init__(self) -> None:
        self.value = 0
        self.graph_writes = 0


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Make tensors with :func:`minigrad.tensor`, :func:`minigrad.zeros`, :func:`minigrad.randn`
    and the other creation functions; ``Tensor(data)`` is the same as ``tensor(data)``.

    Attributes:
        device: the :class:`~minigrad.Device` that holds the data (``device.xp`` is its
            array module, NumPy or CuPy).
        grad: for a leaf that requires grad, the gradient that ``backward()`` added up
            (a tensor of the same shape), or None before the first backward.
        grad_fn: the :class:`~minigrad.autograd.Function` that produced this tensor, the
            node of the graph that ``backward()`` starts from; None for leaves and for
            results computed without recording (``no_grad()``, or no input requiring
            grad).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([[2., 4.],
                [6., 8.]])
    """

    __slots__ = (
        "__weakref__", "_base", "_data", "_grad", "_hooks", "_post_hooks", "_requires_grad",
        "_version", "device", "grad_fn",
    )  # fmt: skip
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray * Tensor works

    def __init__(self, data, dtype=None, device=None, requires_grad: bool = False) -> None:
        device = Device(device) if device is not None else None
        array, device = _to_array(data, dtype, device)
        self._data = array
        self.device = device
        self._grad = None
        self._hooks = None  # a leaf's register_hook() hooks, by handle id
        self._post_hooks = None  # its register_post_accumulate_grad_hook() hooks
        self.grad_fn = None
        self._version = VersionCounter()
        self._base = None  # for a view: the tensor whose memory it shares
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, device: Device, requires_grad: bool = False) -> Tensor:
        """Wrap an array that already lives on ``device`` (the fast path ops use)."""
        t = cls.__new__(cls)
        t._data = array
        t.device = device
        t._grad = None
        t._hooks = t._post_hooks = None
        t.grad_fn = None
        t._version = VersionCounter()
        t._base = None
        t._requires_grad = requires_grad
        return t

    # ------------------------------------------------------------------------------------
    # Attributes
    # ------------------------------------------------------------------------------------

    @property
    def shape(self) -> Size:
        """The size of each dimension, as a :class:`~minigrad.Size` (a tuple)."""
        return Size._of(self._data.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The element type, for example ``minigrad.float32``."""
        return self._data.dtype

    @property
    def is_cuda(self) -> bool:
        """True when the tensor lives on a GPU."""
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        """True for tensors that no recorded operation produced (inputs and parameters)."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        """Whether backward computes a gradient for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves of floating-point dtype only) and return self."""
        if requires_grad and not _dtypes.is_floating(self._data.dtype):
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients, got "
                f"{self._data.dtype} (convert with .float() first)"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use .detach() to "
                "get a tensor that does not require grad"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self) -> Tensor | None:
        """The gradient ``backward()`` added up for this leaf (None until then); what may
        be assigned: ``_check_grad``; a non-leaf's: ``retain_grad``."""
        if self._grad is None and self.grad_fn is not None:
            _warn_unless_retained(self)
        return self._grad

    @property
    def retains_grad(self) -> bool:
        """Whether this non-leaf tensor keeps its gradient (:meth:`retain_grad`)."""
        ref = self.grad_fn.retained if self.grad_fn is not None else None
        return ref is not None and ref() is self

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same storage as a tensor outside the graph, with its own version counter, so
        that changes made through it are invisible to autograd (as in PyTorch; prefer
        ``detach()``, whose changes autograd does see)."""
        return Tensor._wrap(self._data, self.device)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data
        self.device = value.device

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64 tensors."""
        return self._data.dtype.kind == "f"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    __hash__ = object.__hash__  # tensors are hashed by identity; == is elementwise

    def __repr__(self) -> str:
        # PyTorch's text (printing.py): the numbers, then what they do not show.
        array = backend.to_host(self._data)
        suffixes = []
        if self.device.type != "cpu":
            suffixes.append(f"device='{self.device}'")
        if array.size == 0:
            body = "[]"
            if array.ndim != 1:
                suffixes.append(f"size={tuple(array.shape)}")
            if array.dtype != _dtypes.get_default_dtype():  # nothing else shows it
                suffixes.append(f"dtype=minigrad.{array.dtype.name}")
        else:
            body = printing.array_str(array, indent=len("tensor("))
            if array.dtype not in (_dtypes.get_default_dtype(), _dtypes.int64, _dtypes.bool):
                suffixes.append(f"dtype=minigrad.{array.dtype.name}")
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return printing.with_suffixes("tensor(" + body, suffixes, indent=len("tensor("))

    # ------------------------------------------------------------------------------------
    # Leaving the tensor world: host values, devices and dtypes
    # ------------------------------------------------------------------------------------

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A NumPy copy of the data, on the host. Changing it does not change the tensor.
        Unlike PyTorch's, which shares a CPU tensor's memory and refuses a tensor that
        requires grad unless ``force=True`` (accepted here); see docs/from-pytorch.md."""
        array = backend.to_host(self._data)
        return array.copy() if array is self._data else array

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        array = self.numpy()
        if copy:
            array = array.copy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return backend.to_host(self._data).tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to a Python "
                f"number (shape {tuple(self.shape)}); index or reduce it first"
            )
        return backend.to_host(self._data).item()

    def __format__(self, spec: str) -> str:
        # As PyTorch: a 0-d tensor formats as its number (f"{loss:.3f}"); others only
        # with an empty spec, as their repr.
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __float__(self) -> float:
        if self._requires_grad and _autograd.is_grad_enabled():  # PyTorch 2.13 warns here
            # (in grad mode only, and not in item(), int() or format(); it warns once)
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to "
                "unexpected behavior.\nConsider using tensor.detach() first.",
                UserWarning,
                stacklevel=2,
            )
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars, got shape "
                f"{tuple(self.shape)}"
            )
        return self.item()

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu":
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            count = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(
                f"Boolean value of Tensor with {count} is ambiguous "
                f"(shape {tuple(self.shape)}); use .any() or .all()"
            )
        return bool(self.item())

    # ------------------------------------------------------------------------------------
    # Autograd
    # ------------------------------------------------------------------------------------

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves.

        Gradients are *added* to each leaf's ``.grad``. Pass ``gradient`` (the gradient of
        some scalar with respect to this tensor) unless this tensor has one element. The
        graph's saved arrays are freed unless ``retain_graph=True``.
        """
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def __getstate__(self):
        """What ``copy.deepcopy`` and ``pickle`` keep of a tensor: its slots, but not the
        base of a view (the copy of a view holds only its own elements, as PyTorch's).
        A tensor in the graph is refused, as PyTorch refuses it."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol (and pickling) at the moment; copy tensor.detach() "
                f"instead (this one came from <{self.grad_fn.name()}>)"
            )
        slots = {}
        for cls in type(self).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if name != "__weakref__" and hasattr(self, name):
                    slots[name] = getattr(self, name)
        slots["_base"] = None
        return None, slots

    def detach(self) -> Tensor:
        """The same storage, cut off from the graph (it never requires grad)."""
        t = Tensor._wrap(self._data, self.device)
        t._version = self._version
        return t

    def _accumulate_grad(self, grad, owned: bool = False) -> None:
        """Add a gradient array into ``.grad`` (called by the engine for leaves).

        The first gradient is kept as it is only if the engine says nothing else refers to
        it (``owned``); otherwise it is copied, since it may be shared with another
        gradient or be a view, and later gradients are added to ``.grad`` in place.
        """
        if self._grad is None:
            array = grad if owned else self.device.xp.array(grad, copy=True)
            self._grad = Tensor._wrap(array, self.device)
        else:
            self._grad._data += grad
            self._grad._version.value += 1


def _warn_unless_retained(t: Tensor) -> None:
    """PyTorch's warning on reading the ``.grad`` of a tensor computed from others (not a
    leaf), which backward leaves None unless the tensor called ``retain_grad()``."""
    if not t.retains_grad:
        warnings.warn(
            "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
            "Its .grad attribute won't be populated during autograd.backward(). If you "
            "indeed want the .grad field to be populated for a non-leaf Tensor, use "
            ".retain_grad() on the non-leaf Tensor.",
            UserWarning,
            stacklevel=3,
        )


def _check_grad(t: Tensor, grad) -> None:
    """PyTorch's checks of a gradient assigned to ``t.grad`` (its messages): the tensor's
    shape, dtype and device, or the optimizers would broadcast it."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(grad).__name__}"
        )
    if grad.dtype != t.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{grad.dtype}' to a tensor with "
            f"dtype '{t.dtype}'. Please ensure that the gradient and the tensor have the "
            f"same dtype"
        )
    if grad.device != t.device:
        raise RuntimeError(
            f"attempting to assign a gradient on {grad.device} to a tensor on {t.device}. "
            f"Please ensure that the gradient and the tensor are on the same device"
        )
    if grad.shape != t.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(grad.shape)}' to a tensor of "
            f"size '{list(t.shape)}'. Please ensure that the gradient and the tensor are "
            f"the same size"
        )


# ----------------------------------------------------------------------------------------
# Turning Python data into arrays
# ----------------------------------------------------------------------------------------


def _to_array(data, dtype, device: Device | None):
    """An array (and its device) for ``tensor(data, dtype, device)``, with PyTorch's dtypes.

    Python floats become float32, Python ints int64 and bools bool; NumPy and CuPy arrays
    keep their dtype; ``dtype=`` overrides. The result never shares memory with ``data``.
    """
    if dtype is not None:
        dtype = _dtypes.to_dtype(dtype)
    if isinstance(data, Tensor):
        array, source = data._data, data.device
    elif backend.is_array(data):
        array, source = data, backend.device_of(data)
    else:
        if isinstance(data, list | tuple) and any(isinstance(x, Tensor) for x in flat(data)):
            data = _nested_tolist(data)  # tensors inside a list: their values
        array, source = from_python(data, dtype), backend.CPU
    if dtype is None:
        dtype = _dtypes.to_dtype(array.dtype)  # rejects object, string and complex arrays
    target = device or source
    with target.activate():
        moved = target.move(array) if target is not source else array
        result = moved.astype(dtype, copy=moved is array)
    return result, target


def _nested_tolist(data):
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, list | tuple):
        return [_nested_tolist(x) for x in data]
    return data


def _parse_to_args(args, kwargs):
    """Read ``to(device)``, ``to(dtype)``, ``to(device, dtype)`` and ``to(tensor)``."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, str | Device):
            device = arg
        elif arg is not None:
            dtype = arg
    device = Device(device) if device is not None else None
    dtype = _dtypes.to_dtype(dtype) if dtype is not None else None
    return device, dtype


# The engine builds tensors (the outputs of Function.apply, the results of grad()) without
# importing this module, which sits above it: it is handed the class.
_autograd._use_tensor_class(Tensor)
