"""Lazy modules: layers whose input size is read from their first input, as in PyTorch.

``nn.LazyLinear(10)`` is a Linear layer that does not need ``in_features``. Until its
first call its weight and bias are :class:`~minigrad.nn.UninitializedParameter`\\ s: they
are in ``parameters()`` and ``state_dict()``, but have no shape. The first call reads the
size from the input, gives the parameters their shapes (the same objects, so an optimizer
built before still holds them), initialises them as the regular layer would, and turns
the module into that regular layer: ``type(layer)`` becomes ``Linear``, and so does its
repr. Loading a state_dict before the first call gives the parameters the shapes of the
loaded values instead.

Differences from PyTorch 2.13, all where PyTorch gives a broken module: a loaded value
whose shape contradicts the layer's arguments (a (5, 4) weight for ``LazyLinear(3)``) is
refused; the input size a state_dict gives is set at once (PyTorch leaves
``in_channels``/``num_features`` at 0 after loading, even after the first call); and a
module whose state was only partly loaded (``strict=False``) refuses its first call
instead of failing inside it.
"""

from __future__ import annotations

from ..creation import tensor as _tensor
from ..dtypes import int64
from ..grad_mode import no_grad
from ..tensor import Tensor
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .conv import Conv2d
from .linear import Linear, _check_positive
from .module import Module
from .parameter import UninitializedBuffer, UninitializedParameter, is_lazy


class LazyModuleMixin:
    """What every Lazy module shares: the first call infers the shapes, then the module
    becomes ``cls_to_become``. A subclass defines :meth:`initialize_parameters` and
    ``_lazy_shapes`` (what each parameter's shape must be, with the inferred sizes named).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(2))
        >>> model[0].has_uninitialized_params()
        True
        >>> _ = model(minigrad.randn(4, 5))  # the dry run: every layer learns its input size
        >>> model
        Sequential(
          (0): Linear(in_features=5, out_features=8, bias=True)
          (1): ReLU()
          (2): Linear(in_features=8, out_features=2, bias=True)
        )
    """

    cls_to_become: type | None = None

    def __call__(self, *args, **kwargs):
        self._infer_parameters(*args, **kwargs)
        # The class has changed (to cls_to_become), so not super(): call the Module's.
        return Module.__call__(self, *args, **kwargs)

    def _infer_parameters(self, *args, **kwargs) -> None:
        """Before the first forward: give the parameters their shapes, then switch class."""
        loaded = [name for name in self._lazy_tensors() if not is_lazy(self._tensor(name))]
        waiting = [name for name in self._lazy_tensors() if is_lazy(self._tensor(name))]
        if loaded and waiting:
            raise RuntimeError(
                f"{type(self).__name__}: the state_dict loaded before its first call set "
                f"{', '.join(loaded)} but not {', '.join(waiting)}; load every entry of the "
                "layer (or none) before calling it"
            )
        self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {type(self).__name__} has not been fully initialized")
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def initialize_parameters(self, *args, **kwargs) -> None:
        """Give the parameters the shapes the input implies, and initial values. Every
        Lazy module defines it; the first call runs it."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}"
        )

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer has no shape yet."""
        tensors = (*self._parameters.values(), *self._buffers.values())
        return any(is_lazy(t) for t in tensors)

    # ------------------------------------------------------------------------------------
    # Loading a state_dict before the first call (Module.load_state_dict calls this hook)
    # ------------------------------------------------------------------------------------

    def _lazy_shapes(self) -> dict:
        """Per parameter or buffer name, the shape it must have: ints where the arguments
        fix a size, names (str) for the sizes the input decides."""
        raise NotImplementedError

    def _set_inferred(self, sizes: dict) -> None:
        """Set the attributes (``in_features``, ...) from the sizes a state_dict gave."""
        raise NotImplementedError

    def _lazy_tensors(self) -> list[str]:
        return [name for name in self._lazy_shapes() if self._tensor(name) is not None]

    def _tensor(self, name: str):
        return self._parameters[name] if name in self._parameters else self._buffers[name]

    def _lazy_load_hook(self, state_dict, prefix: str) -> list[str]:
        """Materialize the uninitialized tensors that ``state_dict`` has values for, in the
        shapes of those values (checked against the layer's arguments and against each
        other), so that the load can then copy into them. Returns the errors."""
        errors, sizes, shapes = [], {}, {}
        for name, expected in self._lazy_shapes().items():
            key = prefix + name
            tensor = self._tensor(name)
            if tensor is None or not is_lazy(tensor) or key not in state_dict:
                continue
            value = state_dict[key]
            if is_lazy(value) or not hasattr(value, "shape"):
                continue  # nothing to infer (the load itself reports a wrong type)
            shape = tuple(value.shape)
            if _fits(shape, expected, sizes):
                shapes[name] = shape
            else:
                wanted = ", ".join(str(sizes.get(d, d)) for d in expected)
                wanted += "," if len(expected) == 1 else ""
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {shape} from "
                    f"checkpoint, the shape in current model is ({wanted})."
                )
        if not errors:
            for name, shape in shapes.items():
                self._tensor(name).materialize(shape)
            if sizes:
                self._set_inferred(sizes)
        return errors


def _fits(shape: tuple, expected: tuple, sizes: dict) -> bool:
    """Whether ``shape`` matches ``expected`` (ints, and names bound in ``sizes`` by the
    entries before, or bound now to positive sizes)."""
    if len(shape) != len(expected):
        return False
    bound = dict(sizes)
    for size, want in zip(shape, expected):
        if isinstance(want, str):
            want = bound.setdefault(want, size)
        if size != want or size <= 0:
            return False
    sizes.update(bound)
    return True


def _check_tensor(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor input, got {type(input).__name__}")


class LazyLinear(LazyModuleMixin, Linear):
    """A :class:`~minigrad.nn.Linear` layer whose ``in_features`` is the size of the last
    dim of its first input. It becomes a ``Linear`` at that call.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.LazyLinear(10)
        >>> layer
        LazyLinear(in_features=0, out_features=10, bias=True)
        >>> list(layer.state_dict().items())
        [('weight', <UninitializedParameter>), ('bias', <UninitializedParameter>)]
        >>> layer(minigrad.randn(32, 784)).shape
        minigrad.Size([32, 10])
        >>> layer, layer.weight.shape
        (Linear(in_features=784, out_features=10, bias=True), minigrad.Size([10, 784]))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        Module.__init__(self)
        _check_positive(out_features=out_features)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        bias = UninitializedParameter(device=device, dtype=dtype) if bias else None
        self.register_parameter("bias", bias)

    def reset_parameters(self) -> None:
        """Draw initial values as Linear does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        """Read ``in_features`` from ``input.shape[-1]``, shape and initialise."""
        if not self.has_uninitialized_params():
            return
        _check_tensor(input, "LazyLinear")
        if input.ndim == 0:
            raise RuntimeError(
                "LazyLinear expects an input of at least 1 dimension (..., in_features), "
                "got a 0-D tensor"
            )
        with no_grad():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()

    def _lazy_shapes(self) -> dict:
        return {"weight": (self.out_features, "in_features"), "bias": (self.out_features,)}

    def _set_inferred(self, sizes: dict) -> None:
        self.in_features = sizes["in_features"]


class LazyConv2d(LazyModuleMixin, Conv2d):
    """A :class:`~minigrad.nn.Conv2d` layer whose ``in_channels`` is the channel count of
    its first input ((N, C, H, W), or (C, H, W) unbatched). It becomes a ``Conv2d`` at that
    call. The arguments are Conv2d's, without ``in_channels``.

    Example:
        >>> import minigrad
        >>> conv = minigrad.nn.LazyConv2d(8, kernel_size=3, padding=1)
        >>> conv
        LazyConv2d(0, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
        >>> conv(minigrad.randn(2, 3, 28, 28)).shape
        minigrad.Size([2, 8, 28, 28])
        >>> conv
        Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    cls_to_become = Conv2d

    def __init__(
        self,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ) -> None:
        Module.__init__(self)
        self._set_options(0, out_channels, kernel_size, stride, padding, dilation, groups,
                          padding_mode, lazy=True)  # fmt: skip
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        bias = UninitializedParameter(device=device, dtype=dtype) if bias else None
        self.register_parameter("bias", bias)

    def reset_parameters(self) -> None:
        """Draw initial values as Conv2d does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        """Read ``in_channels`` from the input, shape and initialise."""
        if not self.has_uninitialized_params():
            return
        _check_tensor(input, "LazyConv2d")
        if input.ndim not in (3, 4):
            raise RuntimeError(
                f"Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but got input "
                f"of size: {list(input.shape)}"
            )
        in_channels = input.shape[1] if input.ndim == 4 else input.shape[0]
        if in_channels % self.groups:
            raise ValueError("in_channels must be divisible by groups")
        with no_grad():
            self.in_channels = in_channels
            shape = (self.out_channels, in_channels // self.groups, *self.kernel_size)
            self.weight.materialize(shape)
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()

    def _lazy_shapes(self) -> dict:
        weight = (self.out_channels, "in_channels_per_group", *self.kernel_size)
        return {"weight": weight, "bias": (self.out_channels,)}

    def _set_inferred(self, sizes: dict) -> None:
        if "in_channels_per_group" in sizes:
            self.in_channels = sizes["in_channels_per_group"] * self.groups


class _LazyBatchNorm(LazyModuleMixin):
    """LazyBatchNorm1d and 2d: ``num_features`` is the channel count (dim 1) of the first
    input. The arguments are BatchNorm's, without ``num_features``."""

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        Module.__init__(self)
        self.num_features = 0
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.use_bias = affine and bias
        make = UninitializedParameter
        self.register_parameter("weight", make(device=device, dtype=dtype) if affine else None)
        self.register_parameter("bias", make(device=device, dtype=dtype) if self.use_bias else None)
        for name in ("running_mean", "running_var"):
            buffer = UninitializedBuffer(device=device, dtype=dtype)
            self.register_buffer(name, buffer if track_running_stats else None)
        counter = _tensor(0, dtype=int64, device=device) if track_running_stats else None
        self.register_buffer("num_batches_tracked", counter)

    def reset_parameters(self) -> None:
        """Reset the statistics and the affine parameters, once the shapes are known."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        """Read ``num_features`` from ``input.shape[1]``, shape and initialise."""
        if not self.has_uninitialized_params():
            return
        _check_tensor(input, type(self).__name__)
        if input.ndim not in self._valid_ranks:
            raise ValueError(
                f"{type(self).__name__} expects a "
                f"{' or '.join(f'{r}D' for r in self._valid_ranks)} input "
                f"({self._shape_names}), got {input.ndim}D input of shape {tuple(input.shape)}"
            )
        with no_grad():
            self.num_features = input.shape[1]
            for name in ("weight", "bias", "running_mean", "running_var"):
                if self._tensor(name) is not None:
                    self._tensor(name).materialize((self.num_features,))
            self.reset_parameters()

    def _lazy_shapes(self) -> dict:
        names = ("weight", "bias", "running_mean", "running_var")
        return {name: ("num_features",) for name in names}

    def _set_inferred(self, sizes: dict) -> None:
        self.num_features = sizes["num_features"]


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """A :class:`~minigrad.nn.BatchNorm1d` whose ``num_features`` is the channel count of
    its first (N, C) or (N, C, L) input. It becomes a ``BatchNorm1d`` at that call.

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.LazyBatchNorm1d()
        >>> list(bn.state_dict().items())  # doctest: +NORMALIZE_WHITESPACE
        [('weight', <UninitializedParameter>), ('bias', <UninitializedParameter>),
         ('running_mean', <UninitializedBuffer>), ('running_var', <UninitializedBuffer>),
         ('num_batches_tracked', tensor(0))]
        >>> _ = bn(minigrad.randn(8, 5))
        >>> bn
        BatchNorm1d(5, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """A :class:`~minigrad.nn.BatchNorm2d` whose ``num_features`` is the channel count of
    its first (N, C, H, W) input. It becomes a ``BatchNorm2d`` at that call.

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.LazyBatchNorm2d(momentum=0.2)
        >>> _ = bn(minigrad.randn(4, 3, 8, 8))
        >>> type(bn).__name__, bn.num_features, bn.weight.shape, bn.running_var.shape
        ('BatchNorm2d', 3, minigrad.Size([3]), minigrad.Size([3]))
    """

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyBatchNorm, BatchNorm3d):
    """A :class:`~minigrad.nn.BatchNorm3d` whose ``num_features`` is the channel count of
    its first (N, C, D, H, W) input. It becomes a ``BatchNorm3d`` at that call.

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.LazyBatchNorm3d()
        >>> _ = bn(minigrad.randn(2, 3, 2, 2, 2))
        >>> type(bn).__name__, bn.num_features
        ('BatchNorm3d', 3)
    """

    cls_to_become = BatchNorm3d
