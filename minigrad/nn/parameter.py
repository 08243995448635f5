"""``Parameter``: a tensor that a module learns; ``UninitializedParameter`` and
``UninitializedBuffer``: the placeholders a Lazy module holds until its first call
gives them a shape (``nn/lazy.py``)."""

from __future__ import annotations

import numpy as np

from .. import creation
from ..backend import Device
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and that a :class:`Module` registers as learnable.

    Assigning a Parameter to a module attribute adds it to ``module.parameters()``; a plain
    tensor is not added. ``Parameter(t)`` shares ``t``'s storage.

    Example:
        >>> import minigrad
        >>> p = minigrad.nn.Parameter(minigrad.zeros(2))
        >>> p.requires_grad, p.is_leaf
        (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = Tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}")
        self._data = data._data
        self.device = data.device
        self._grad = None
        self._hooks = self._post_hooks = None
        self.grad_fn = None
        self._version = data._version
        self._base = None
        self._requires_grad = False
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


# ----------------------------------------------------------------------------------------
# Uninitialized tensors, for Lazy modules
# ----------------------------------------------------------------------------------------

_USE_MESSAGE = (
    "Attempted to use an uninitialized parameter or buffer. This error happens when you are "
    "using a Lazy module (LazyLinear, LazyConv2d, ...) before its first call, or explicitly "
    "manipulating minigrad.nn.UninitializedParameter objects: they have no shape and no "
    "values yet. Call the module (or the model) once on a batch of the right shape, or load "
    "a state_dict, before using its parameters."
)
_SHAPE_MESSAGE = (
    "Can't access the shape of an uninitialized parameter or buffer: a Lazy module's "
    "parameters get their shape at its first call. Call forward with a dummy batch (or load "
    "a state_dict holding their values) before accessing their attributes. This error also "
    "happens in load_state_dict when the state of a Lazy module saved before its first call "
    "is loaded into an initialized module."
)


class _NoData:
    """What an uninitialized tensor holds instead of an array. It knows its dtype (so that
    ``requires_grad`` and ``module.double()`` work before the first call) and refuses
    everything else: any operation on the tensor reaches its array, and fails here with an
    error that says what to do."""

    __slots__ = ("dtype",)

    def __init__(self, dtype) -> None:
        self.dtype = np.dtype(dtype)

    def astype(self, dtype, copy: bool = True) -> _NoData:
        return _NoData(dtype)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # protocols probed with hasattr (copy, NumPy): absent
            raise AttributeError(name)
        if name in ("shape", "ndim", "size"):
            raise RuntimeError(_SHAPE_MESSAGE)
        raise ValueError(_USE_MESSAGE)

    def _refuse(self, *args, **kwargs):
        raise ValueError(_USE_MESSAGE)

    # NumPy's entry points (np.asarray, ufuncs such as array + this, np.where...) and
    # Python's operators are looked up on the class, not through __getattr__.
    __array__ = __array_ufunc__ = __array_function__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __rpow__ = _refuse
    __neg__ = __abs__ = __getitem__ = __setitem__ = __iter__ = __len__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __float__ = __int__ = __bool__ = _refuse
    __iadd__ = __isub__ = __imul__ = __itruediv__ = _refuse


class _Uninitialized:
    """What UninitializedParameter and UninitializedBuffer share: no shape until
    :meth:`materialize`, which gives the tensor an array and turns it, in place, into
    its ``cls_to_become`` (so a model, or an optimizer, that holds it keeps holding it)."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def _start_empty(self, requires_grad: bool, device, dtype) -> None:
        template = creation.empty(0, dtype=dtype, device=device)  # the default dtype, device
        self._data = _NoData(template.dtype)
        self.device = template.device
        self._grad = None
        self._hooks = self._post_hooks = None
        self.grad_fn = None
        self._version = template._version
        self._base = None
        self._requires_grad = False
        self.requires_grad_(requires_grad)

    @property
    def shape(self):
        """Not known before :meth:`materialize`: asking raises a RuntimeError."""
        raise RuntimeError(_SHAPE_MESSAGE)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor an (uninitialized) array of ``shape``, on its device and of its
        dtype unless given, and turn it into its ``cls_to_become`` in place.

        Example:
            >>> import minigrad
            >>> p = minigrad.nn.UninitializedParameter()
            >>> p.materialize((2, 3))
            >>> type(p).__name__, p.shape
            ('Parameter', minigrad.Size([2, 3]))
        """
        device = self.device if device is None else Device(device)
        dtype = self._data.dtype if dtype is None else dtype
        self._data = creation.empty(tuple(shape), dtype=dtype, device=device)._data
        self.device = device
        self._version.value += 1
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        twin = type(self)(requires_grad=self.requires_grad, device=self.device)
        twin._data = _NoData(self._data.dtype)
        memo[id(self)] = twin
        return twin


def is_lazy(tensor) -> bool:
    """Whether ``tensor`` is an UninitializedParameter or UninitializedBuffer that has no
    shape yet.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.parameter import is_lazy
        >>> is_lazy(minigrad.nn.LazyLinear(3).weight), is_lazy(minigrad.nn.Linear(2, 3).weight)
        (True, False)
    """
    return isinstance(tensor, _Uninitialized)


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter with no shape yet: what a Lazy module (``nn.LazyLinear``, ...) holds
    until its first call, as PyTorch's ``UninitializedParameter``.

    ``parameters()`` yields it and ``state_dict()`` holds it; its dtype, device and
    ``requires_grad`` are known, but any use of its values (arithmetic, ``.shape``,
    ``.numel()``) raises an error that says to call the module first. The module's first
    call (or loading a state_dict) materializes it: the same object becomes a
    :class:`Parameter`, so an optimizer built before then works after.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.LazyLinear(3)
        >>> layer.weight, layer.weight.dtype, layer.weight.requires_grad
        (<UninitializedParameter>, dtype('float32'), True)
        >>> layer.weight + 1
        Traceback (most recent call last):
        ...
        RuntimeError: Can't access the shape of an uninitialized parameter or buffer: ...
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        self._start_empty(requires_grad, device, dtype)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer with no shape yet (a LazyBatchNorm's running statistics before its first
    call); the first call, or loading a state_dict, makes it a plain tensor in place.

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.LazyBatchNorm1d()
        >>> bn.running_mean
        <UninitializedBuffer>
        >>> _ = bn(minigrad.randn(4, 3))
        >>> bn.running_mean.shape
        minigrad.Size([3])
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device=None, dtype=None) -> None:
        self._start_empty(requires_grad, device, dtype)
