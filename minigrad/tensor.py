"""The Tensor: an array on a device, plus what autograd needs to know about it.

A tensor holds

* ``_data``: a NumPy or CuPy array (the backend's business, see ``backend.py``);
* ``device``: the :class:`~minigrad.backend.Device` that array lives on;
* ``requires_grad``, ``grad`` and ``grad_fn``: whether gradients flow to it, the gradient
  that backward left in it (for leaves), and the Function that produced it (for results);
* ``_version``: a counter bumped by every in-place change, so that backward can tell when
  an array it saved was modified after being saved.

The methods are thin: each one hands its work to a function in ``functions.py`` (which
checks arguments and applies PyTorch's dtype rules) and from there to a differentiable
primitive in ``ops/``. This file is the API; the math lives elsewhere.
"""

from __future__ import annotations

import numpy as np

from . import backend
from . import dtypes as _dtypes
from .backend import Device


class VersionCounter:
    """Counts in-place changes to a storage; a tensor and its views share one counter."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


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

    __slots__ = ("__weakref__", "_data", "_requires_grad", "_version", "device", "grad", "grad_fn")
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray * Tensor works

    def __init__(self, data, dtype=None, device=None, requires_grad: bool = False) -> None:
        device = Device(device) if device is not None else None
        array, device = _to_array(data, dtype, device)
        self._data = array
        self.device = device
        self.grad = None
        self.grad_fn = None
        self._version = VersionCounter()
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, device: Device, requires_grad: bool = False) -> Tensor:
        """Wrap an array that already lives on ``device`` (the fast path ops use)."""
        t = cls.__new__(cls)
        t._data = array
        t.device = device
        t.grad = None
        t.grad_fn = None
        t._version = VersionCounter()
        t._requires_grad = requires_grad
        return t

    # ------------------------------------------------------------------------------------
    # Attributes
    # ------------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension, as a tuple."""
        return self._data.shape

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

    def size(self, dim: int | None = None):
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_F.normalize_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64 tensors."""
        return _dtypes.is_floating(self._data.dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__  # tensors are hashed by identity; == is elementwise

    def __repr__(self) -> str:
        array = backend.to_host(self._data)
        if array.size == 0:
            body = f"[], size={array.shape}"
        else:
            body = np.array2string(array, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        default = array.dtype in (_dtypes.float32, _dtypes.int64, _dtypes.bool)
        if not default or array.size == 0:
            extras.append(f"dtype=minigrad.{array.dtype.name}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ------------------------------------------------------------------------------------
    # Leaving the tensor world: host values, devices and dtypes
    # ------------------------------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the data, on the host. Changing it does not change the tensor."""
        array = backend.to_host(self._data)
        return array.copy() if array is self._data else array

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        array = self.numpy()
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

    def __float__(self) -> float:
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

    def to(self, *args, **kwargs) -> Tensor:
        """Move and/or cast: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other)``.

        Returns ``self`` when nothing changes. The result is differentiable: gradients flow
        back to the original device and dtype.
        """
        copy = kwargs.pop("copy", False)
        device, dtype = _parse_to_args(args, kwargs)
        result = self
        if dtype is not None and dtype != self._data.dtype:
            result = _F.cast(result, dtype)
        if device is not None and device is not self.device:
            result = _F.to_device(result, device)
        if copy and result is self:
            result = _F.clone(self)
        return result

    def cpu(self) -> Tensor:
        """The tensor on the CPU (itself if it is already there)."""
        return self.to("cpu")

    def cuda(self, device=None) -> Tensor:
        """The tensor on a GPU (``"cuda"``, or the given index or device)."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def float(self) -> Tensor:
        """``self.to(minigrad.float32)``: a float32 copy (itself if it is float32 already)."""
        return self.to(_dtypes.float32)

    def double(self) -> Tensor:
        """``self.to(minigrad.float64)``."""
        return self.to(_dtypes.float64)

    def half(self) -> Tensor:
        """``self.to(minigrad.float16)``."""
        return self.to(_dtypes.float16)

    def long(self) -> Tensor:
        """``self.to(minigrad.int64)``."""
        return self.to(_dtypes.int64)

    def int(self) -> Tensor:
        """``self.to(minigrad.int32)``."""
        return self.to(_dtypes.int32)

    def bool(self) -> Tensor:
        """``self.to(minigrad.bool)``."""
        return self.to(_dtypes.bool)

    def type_as(self, other: Tensor) -> Tensor:
        """``self.to(other.dtype)``."""
        return self.to(other.dtype)

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

    def detach(self) -> Tensor:
        """The same storage, cut off from the graph (it never requires grad)."""
        t = Tensor._wrap(self._data, self.device)
        t._version = self._version
        return t

    def clone(self) -> Tensor:
        """A copy with its own storage; gradients flow back to the original."""
        return _F.clone(self)

    def contiguous(self) -> Tensor:
        """A tensor with C-contiguous storage (itself if it has it already)."""
        return self if self._data.flags.c_contiguous else _F.clone(self)

    def _accumulate_grad(self, grad, owned: bool = False) -> None:
        """Add a gradient array into ``.grad`` (called by the engine for leaves).

        The first gradient is kept as it is only if the engine says nothing else refers to
        it (``owned``); otherwise it is copied, since it may be shared with another
        gradient or be a view, and later gradients are added to ``.grad`` in place.
        """
        if self.grad is None:
            array = grad if owned else self.device.xp.array(grad, copy=True)
            self.grad = Tensor._wrap(array, self.device)
        else:
            self.grad._data += grad
            self.grad._version.value += 1

    # ------------------------------------------------------------------------------------
    # In-place updates (for optimizers and initialisation; they record no graph)
    # ------------------------------------------------------------------------------------

    def _check_inplace(self, name: str, other=None) -> None:
        array = self._data
        # (An empty array may have zero strides too, but it has no element to write twice.)
        if array.size and any(step == 0 and n > 1 for step, n in zip(array.strides, array.shape)):
            raise RuntimeError(
                f"{name}: unsupported operation: more than one element of the written-to "
                f"tensor refers to a single memory location (it was made by expand()); "
                "clone() it first"
            )
        if not _autograd.is_grad_enabled():
            return
        if self._requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({name}); wrap the update in `with minigrad.no_grad():`"
            )
        if self._requires_grad or (isinstance(other, Tensor) and other._requires_grad):
            raise RuntimeError(
                f"{name}: minigrad records no graph for in-place operations on tensors that "
                f"require grad; use the out-of-place form, or run it under no_grad()"
            )

    def _inplace(self, name: str, ufunc, other, alpha=None) -> Tensor:
        self._check_inplace(name, other)
        value = _F.operand_array(other, self, name)
        if alpha is not None and alpha != 1:
            value = value * alpha
        value = _dtypes.wrap_int(value, self.dtype)  # uint8 += 300 wraps, as in PyTorch
        # PyTorch lets any integer result land in an integer tensor (uint8 += int8), but
        # not a float result in an integer tensor, nor anything but bool in a bool one.
        kind = value.dtype.kind if hasattr(value, "dtype") else "i" if type(value) is int else "?"
        both_int = (
            self.dtype.kind in ("i", "u") and kind in ("i", "u")
            and ufunc is not self.device.xp.true_divide  # an integer quotient is a float
        )  # fmt: skip
        try:
            ufunc(self._data, value, out=self._data, casting="unsafe" if both_int else "same_kind")
        except (TypeError, ValueError):
            raise RuntimeError(
                f"{name}: cannot update a tensor of shape {tuple(self.shape)} and dtype "
                f"{self.dtype} in place with a value of shape {tuple(getattr(value, 'shape', ()))} "
                f"and dtype {getattr(value, 'dtype', type(value).__name__)} (the value must "
                "broadcast to the tensor's shape, and the result must keep its dtype)"
            ) from None
        self._version.value += 1
        return self

    def add_(self, other, alpha=1) -> Tensor:
        """``self += alpha * other``, in place."""
        return self._inplace("add_", self.device.xp.add, other, alpha)

    def sub_(self, other, alpha=1) -> Tensor:
        """``self -= alpha * other``, in place."""
        return self._inplace("sub_", self.device.xp.subtract, other, alpha)

    def mul_(self, other) -> Tensor:
        """``self *= other``, in place."""
        return self._inplace("mul_", self.device.xp.multiply, other)

    def div_(self, other) -> Tensor:
        """``self /= other``, in place."""
        return self._inplace("div_", self.device.xp.true_divide, other)

    def zero_(self) -> Tensor:
        """Fill with zeros, in place."""
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        """Fill with one value, in place."""
        self._check_inplace("fill_")
        if isinstance(value, Tensor):
            value = value.item()  # a one-element tensor, as in PyTorch
        self._data.fill(value)
        self._version.value += 1
        return self

    def copy_(self, src) -> Tensor:
        """Copy ``src`` (a tensor or array, broadcast to this shape) into this tensor."""
        self._check_inplace("copy_", src)
        value = _F.operand_array(src, self, "copy_", allow_other_device=True)
        try:
            self._data[...] = value
        except ValueError:
            raise RuntimeError(
                f"copy_: the source of shape {tuple(value.shape)} cannot be broadcast to the "
                f"destination of shape {tuple(self.shape)}"
            ) from None
        self._version.value += 1
        return self

    def _require_float_fill(self, name: str) -> None:
        if not self.is_floating_point():  # truncated draws would be a different law
            raise RuntimeError(f"{name} needs a floating point tensor, got {self.dtype}")

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill with values drawn uniformly from [a, b), in place."""
        self._require_float_fill("uniform_")
        values = _random.generator().uniform(a, b, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill with values drawn from N(mean, std²), in place."""
        self._require_float_fill("normal_")
        values = _random.generator().normal(mean, std, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def __iadd__(self, other):
        return self._inplace_or_new("add_", other, Tensor.__add__)

    def __isub__(self, other):
        return self._inplace_or_new("sub_", other, Tensor.__sub__)

    def __imul__(self, other):
        return self._inplace_or_new("mul_", other, Tensor.__mul__)

    def __itruediv__(self, other):
        return self._inplace_or_new("div_", other, Tensor.__truediv__)

    def _inplace_or_new(self, name: str, other, out_of_place) -> Tensor:
        """``x += y``: in place when no graph is involved; on a result that is part of a
        graph, a new tensor (rebinding x), since in-place ops record no graph here; on a leaf
        that requires grad, the same error as PyTorch (use ``no_grad()`` to update it)."""
        if _autograd.is_grad_enabled():
            if self._requires_grad and self.grad_fn is None:
                self._check_inplace(name, other)  # raises: a leaf that requires grad
            if self._requires_grad or (isinstance(other, Tensor) and other._requires_grad):
                return out_of_place(self, other)
        return getattr(self, name)(other)

    # ------------------------------------------------------------------------------------
    # Arithmetic and comparison operators
    # ------------------------------------------------------------------------------------

    def __add__(self, other):
        return _F.add(self, other)

    def __radd__(self, other):
        return _F.add(other, self)

    def __sub__(self, other):
        return _F.sub(self, other)

    def __rsub__(self, other):
        return _F.sub(other, self)

    def __mul__(self, other):
        return _F.mul(self, other)

    def __rmul__(self, other):
        return _F.mul(other, self)

    def __truediv__(self, other):
        return _F.div(self, other)

    def __rtruediv__(self, other):
        return _F.div(other, self)

    def __pow__(self, other):
        return _F.pow(self, other)

    def __rpow__(self, other):
        return _F.pow(other, self)

    def __matmul__(self, other):
        return _F.matmul(self, other)

    def __rmatmul__(self, other):
        return _F.matmul(other, self)

    def __neg__(self):
        return _F.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _F.abs(self)

    def __eq__(self, other):  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented  # Python then compares identities: t == None is False
        return _F.eq(self, other)

    def __ne__(self, other):  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented  # ... and t != None is True, as in PyTorch
        return _F.ne(self, other)

    def __lt__(self, other):
        return _F.lt(self, other)

    def __le__(self, other):
        return _F.le(self, other)

    def __gt__(self, other):
        return _F.gt(self, other)

    def __ge__(self, other):
        return _F.ge(self, other)

    def __invert__(self):
        return _F.bitwise_not(self)

    def __and__(self, other):
        return _F.bitwise_and(self, other)

    def __rand__(self, other):
        return _F.bitwise_and(other, self)

    def __or__(self, other):
        return _F.bitwise_or(self, other)

    def __ror__(self, other):
        return _F.bitwise_or(other, self)

    def __xor__(self, other):
        return _F.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _F.bitwise_xor(other, self)

    def __getitem__(self, key):
        return _F.getitem(self, key)

    def __setitem__(self, key, value) -> None:
        """``x[key] = value``, in place (like the other in-place updates, it records no
        graph, so it is refused on tensors that require grad while grad mode is on)."""
        self._check_inplace("__setitem__", value)
        key, _ = _F.index_key(key, self)
        try:
            self._data[key] = _F.operand_array(value, self, "__setitem__")
        except (IndexError, ValueError, TypeError) as error:
            raise type(error)(
                f"cannot assign to index {key!r} of a tensor of shape {tuple(self.shape)}: {error}"
            ) from None
        self._version.value += 1

    # ------------------------------------------------------------------------------------
    # Methods that mirror the functions in minigrad (see functions.py for the docs)
    # ------------------------------------------------------------------------------------

    def add(self, other, alpha=1):
        """``self + alpha * other``; see :func:`minigrad.add`."""
        return _F.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        """``self - alpha * other``; see :func:`minigrad.sub`."""
        return _F.sub(self, other, alpha=alpha)

    def mul(self, other):
        """``self * other``; see :func:`minigrad.mul`."""
        return _F.mul(self, other)

    def div(self, other):
        """``self / other``; see :func:`minigrad.div`."""
        return _F.div(self, other)

    def pow(self, exponent):
        """``self ** exponent``; see :func:`minigrad.pow`."""
        return _F.pow(self, exponent)

    def matmul(self, other):
        """``self @ other``; see :func:`minigrad.matmul`."""
        return _F.matmul(self, other)

    def neg(self):
        """``-self``; see :func:`minigrad.neg`."""
        return _F.neg(self)

    def exp(self):
        """``e ** self``, elementwise; see :func:`minigrad.exp`."""
        return _F.exp(self)

    def log(self):
        """The natural logarithm, elementwise; see :func:`minigrad.log`."""
        return _F.log(self)

    def sqrt(self):
        """The square root, elementwise; see :func:`minigrad.sqrt`."""
        return _F.sqrt(self)

    def tanh(self):
        """The hyperbolic tangent, elementwise; see :func:`minigrad.tanh`."""
        return _F.tanh(self)

    def sigmoid(self):
        """``1 / (1 + exp(-self))``, elementwise; see :func:`minigrad.sigmoid`."""
        return _F.sigmoid(self)

    def relu(self):
        """``max(self, 0)``, elementwise; see :func:`minigrad.relu`."""
        return _F.relu(self)

    def abs(self):
        """The absolute value, elementwise; see :func:`minigrad.abs`."""
        return _F.abs(self)

    def maximum(self, other):
        """The elementwise maximum of ``self`` and ``other``; see :func:`minigrad.maximum`."""
        return _F.maximum(self, other)

    def minimum(self, other):
        """The elementwise minimum of ``self`` and ``other``; see :func:`minigrad.minimum`."""
        return _F.minimum(self, other)

    def clamp(self, min=None, max=None):
        """Limit the values to ``[min, max]``; see :func:`minigrad.clamp`. ``clip`` is the same."""
        return _F.clamp(self, min, max)

    clip = clamp

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other``; see :func:`minigrad.where`."""
        return _F.where(condition, self, other)

    def sum(self, dim=None, keepdim=False, dtype=None):
        """The sum over ``dim`` (all elements when None); see :func:`minigrad.sum`."""
        return _F.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        """The mean over ``dim`` (all elements when None); see :func:`minigrad.mean`."""
        return _F.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The variance over ``dim``, unbiased by default; see :func:`minigrad.var`."""
        return _F.var(self, dim, unbiased, keepdim, correction=correction)

    def max(self, dim=None, keepdim=False):
        """The largest element, or ``(values, indices)`` along ``dim``: :func:`minigrad.max`."""
        return _F.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        """The smallest element, or ``(values, indices)`` along ``dim``: :func:`minigrad.min`."""
        return _F.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        """The index of the largest element (along ``dim``); see :func:`minigrad.argmax`."""
        return _F.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """The index of the smallest element (along ``dim``); see :func:`minigrad.argmin`."""
        return _F.argmin(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        """True where every element (along ``dim``) is non-zero; see :func:`minigrad.all`."""
        return _F.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        """True where some element (along ``dim``) is non-zero; see :func:`minigrad.any`."""
        return _F.any(self, dim, keepdim)

    def softmax(self, dim):
        """``softmax`` along ``dim``; see :func:`minigrad.softmax`."""
        return _F.softmax(self, dim)

    def log_softmax(self, dim):
        """``log_softmax`` along ``dim``; see :func:`minigrad.log_softmax`."""
        return _F.log_softmax(self, dim)

    def reshape(self, *shape):
        """The same elements in a new shape: ``x.reshape(2, -1)`` or ``x.reshape((2, -1))``;
        see :func:`minigrad.reshape`.
        """
        return _F.reshape(self, _F.shape_arg(shape))

    def view(self, *shape):
        """Like :meth:`reshape`, but always a view of the same storage (raises when the strides
        do not allow one, as PyTorch does).
        """
        return _F.view(self, _F.shape_arg(shape))

    def view_as(self, other):
        """``self.view(other.shape)``."""
        return _F.view(self, other.shape)

    def reshape_as(self, other):
        """``self.reshape(other.shape)``."""
        return _F.reshape(self, other.shape)

    def transpose(self, dim0, dim1):
        """Swap dimensions ``dim0`` and ``dim1`` (a view); see :func:`minigrad.transpose`."""
        return _F.transpose(self, dim0, dim1)

    def permute(self, *dims):
        """Reorder the dimensions, ``x.permute(2, 0, 1)`` (a view); see :func:`minigrad.permute`."""
        return _F.permute(self, _F.shape_arg(dims))

    @property
    def T(self):
        """The dimensions in reverse order (the transpose of a matrix)."""
        return _F.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    def t(self):
        """The transpose of a tensor with at most 2 dimensions."""
        if self._data.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.T

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dimensions ``start_dim`` to ``end_dim``; see :func:`minigrad.flatten`."""
        return _F.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        """Remove dimensions of size 1; see :func:`minigrad.squeeze`."""
        return _F.squeeze(self, dim)

    def unsqueeze(self, dim):
        """Insert a dimension of size 1 at ``dim``; see :func:`minigrad.unsqueeze`."""
        return _F.unsqueeze(self, dim)

    def expand(self, *sizes):
        """A broadcast view with a larger shape, ``x.expand(4, -1)``: :func:`minigrad.expand`."""
        return _F.expand(self, _F.shape_arg(sizes))

    def expand_as(self, other):
        """``self.expand(other.shape)``."""
        return _F.expand(self, other.shape)

    def eq(self, other):
        """``self == other``, elementwise, as a bool tensor."""
        return _F.eq(self, other)

    def ne(self, other):
        """``self != other``, elementwise, as a bool tensor."""
        return _F.ne(self, other)

    def lt(self, other):
        """``self < other``, elementwise, as a bool tensor."""
        return _F.lt(self, other)

    def le(self, other):
        """``self <= other``, elementwise, as a bool tensor."""
        return _F.le(self, other)

    def gt(self, other):
        """``self > other``, elementwise, as a bool tensor."""
        return _F.gt(self, other)

    def ge(self, other):
        """``self >= other``, elementwise, as a bool tensor."""
        return _F.ge(self, other)


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
        array, source = _from_python(data), backend.CPU
    if dtype is None:
        dtype = _dtypes.to_dtype(array.dtype)  # rejects object, string and complex arrays
    target = device or source
    with target.activate():
        moved = target.move(array) if target is not source else array
        result = moved.astype(dtype, copy=moved is array)
    return result, target


def _from_python(data) -> np.ndarray:
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, list | tuple) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _nested_tolist(data)
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ValueError(f"cannot make a tensor from ragged or mixed data: {error}") from None
    if array.dtype == np.float64 and not _has_numpy_float64(data):
        array = array.astype(_dtypes.DEFAULT_FLOAT)  # Python floats: the default float type
    elif array.dtype.kind == "U" or array.dtype == object:
        raise TypeError(f"cannot make a tensor from {type(data).__name__} data of that kind")
    return array


def _has_numpy_float64(data) -> bool:
    if isinstance(data, list | tuple):
        return any(isinstance(x, np.float64) for x in _flat(data))
    return isinstance(data, np.float64)


def _flat(data):
    for x in data:
        if isinstance(x, list | tuple):
            yield from _flat(x)
        else:
            yield x


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


# These modules build on Tensor, so they are imported after it is defined.
from . import autograd as _autograd  # noqa: E402
from . import functions as _F  # noqa: E402
from . import random as _random  # noqa: E402
