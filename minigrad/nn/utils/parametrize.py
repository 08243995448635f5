"""Parametrizations: a module's tensor computed, on every access, from other tensors.

``register_parametrization(layer, "weight", Symmetric())`` keeps what was ``layer.weight``
as ``layer.parametrizations.weight.original`` and makes ``layer.weight`` the result of
``Symmetric()(original)``, recomputed each time it is read, so the optimizer, which
updates ``original``, can never leave the space the parametrization maps into. Assigning
``layer.weight = value`` goes the other way, through the parametrization's
``right_inverse`` if it has one. Several parametrizations on one tensor apply in the order
registered. As in PyTorch the module's class becomes a subclass,
``Parametrized<Class>``, carrying a property per parametrized tensor, and
:func:`remove_parametrizations` restores it. Within ``with cached():`` each parametrized
tensor is computed once (for a recurrent layer that reads its weight at every step).

A ``right_inverse`` may also return several tensors (weight normalization's length and
direction): they become ``original0``, ``original1``, ..., and the parametrization's
``forward`` takes them all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]

_cache_depth = 0
_cache: dict = {}


@contextlib.contextmanager
def cached():
    """Compute each parametrized tensor once inside the block (and drop the values after).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import parametrize
        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> layer = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Double())
        >>> with parametrize.cached():
        ...     layer.weight is layer.weight
        True
    """
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache.clear()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in order, and the tensor(s) they start from
    (``original``, or ``original0``, ``original1``, ... when ``right_inverse`` returns
    several). Calling it computes the parametrized tensor.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import parametrize
        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> layer = parametrize.register_parametrization(nn.Linear(2, 2), "bias", Double())
        >>> plist = layer.parametrizations.bias
        >>> type(plist).__name__, (plist() == 2 * plist.original).all().item()
        ('ParametrizationList', True)
    """

    def __init__(self, modules, original, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype
        new = original
        with no_grad():
            for module in reversed(list(self)):
                inverse = getattr(module, "right_inverse", None)
                if inverse is not None:
                    with contextlib.suppress(NotImplementedError):  # no inverse: keep as is
                        new = inverse(new)
        if not isinstance(new, Tensor | Sequence):
            raise ValueError(
                f"'right_inverse' must return a Tensor or a Sequence of tensors, got "
                f"{type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if new.dtype != dtype:
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                    f"original.dtype: {dtype}\nright_inverse(original).dtype: {new.dtype}"
                )
            if new is not original:
                _set_data(original, new)
            _register(self, "original", original)
        else:
            for i, part in enumerate(new):
                if not isinstance(part, Tensor):
                    raise ValueError(
                        f"'right_inverse' must return a Tensor or a Sequence of tensors, got "
                        f"element {i} of type {type(part).__name__}"
                    )
                part = part.detach()
                if isinstance(original, Parameter):
                    part = Parameter(part, requires_grad=original.requires_grad)
                _register(self, f"original{i}", part)
        if not unsafe:
            result = self()
            if not isinstance(result, Tensor):
                raise ValueError(
                    f"A parametrization must return a tensor. Got {type(result).__name__}."
                )
            if result.shape != shape or result.dtype != dtype:
                raise ValueError(
                    "Registering a parametrization may not change the shape or dtype of the "
                    f"tensor, unless `unsafe` flag is enabled.\nunparametrized shape: {shape}, "
                    f"dtype {dtype}\nparametrized shape: {result.shape}, dtype {result.dtype}"
                )

    def right_inverse(self, value) -> None:
        """Set the original tensor(s) so that this list computes ``value``."""
        with no_grad():
            for module in reversed(list(self)):
                inverse = getattr(module, "right_inverse", None)
                if inverse is None:
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                value = inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor) or value.dtype != self.original.dtype:
                    raise ValueError(
                        f"`right_inverse` should return a tensor of dtype {self.original.dtype}"
                    )
                _set_data(self.original, value)
            else:
                if not isinstance(value, Sequence) or len(value) != self.ntensors:
                    raise ValueError(
                        f"'right_inverse' must return a sequence of {self.ntensors} tensors"
                    )
                for i, part in enumerate(value):
                    _set_data(getattr(self, f"original{i}"), part)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def register_parametrization(module, tensor_name: str, parametrization, *, unsafe: bool = False):
    """Make ``module.<tensor_name>`` the result of ``parametrization`` (a Module) applied
    to the tensor it was (see the module's docstring); returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import parametrize
        >>> class Symmetric(nn.Module):
        ...     def forward(self, x):
        ...         return x.triu() + x.triu(1).T
        >>> layer = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
        >>> w = layer.weight
        >>> bool((w == w.T).all()), type(layer).__name__
        (True, 'ParametrizedLinear')
        >>> sorted(layer.state_dict())
        ['bias', 'parametrizations.weight.original']
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            result = parametrization(current)
            if (
                not isinstance(result, Tensor)
                or result.shape != current.shape
                or (result.dtype != current.dtype)
            ):
                raise ValueError(
                    "Registering a parametrization may not change the shape or dtype of the "
                    "tensor, unless `unsafe` flag is enabled."
                )
        plist.append(parametrization)
        plist.unsafe |= unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(
            f"Module '{type(module).__name__}' does not have a parameter, a buffer, or a "
            f"parametrized element with name '{tensor_name}'"
        )
    original = getattr(module, tensor_name)
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {"_original_class": cls})
        module.parametrizations = ModuleDict()
    setattr(type(module), tensor_name, _parametrized_property(tensor_name))
    module.parametrizations[tensor_name] = plist
    return module


def _parametrized_property(name: str) -> property:
    def get(self):
        plist = self.parametrizations[name]
        if not _cache_depth:
            return plist()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = plist()
        return _cache[key]

    def set(self, value):
        self.parametrizations[name].right_inverse(value)

    return property(get, set, doc=f"The parametrized tensor {name!r}, computed when read.")


def is_parametrized(module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given).

    Example:
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import parametrize
        >>> parametrize.is_parametrized(nn.Linear(2, 2))
        False
    """
    plists = module._modules.get("parametrizations") if "_modules" in module.__dict__ else None
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def remove_parametrizations(module, tensor_name: str, leave_parametrized: bool = True):
    """Remove the parametrizations of ``tensor_name``: it becomes a parameter (or buffer)
    again, holding its current parametrized value (``leave_parametrized=True``) or the
    original; returns the module.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import parametrize
        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> layer = parametrize.register_parametrization(nn.Linear(2, 2), "bias", Double())
        >>> layer = parametrize.remove_parametrizations(layer, "bias")
        >>> type(layer).__name__, sorted(layer.state_dict())
        ('Linear', ['bias', 'weight'])
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(
            f"Module {type(module).__name__} does not have a parametrization on {tensor_name}"
        )
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                _set_data(original, getattr(module, tensor_name))
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                "parametrized in terms of a sequence of tensors."
            )
        value = getattr(module, tensor_name)
        original = value.detach()
        if value.requires_grad:
            original = Parameter(original, requires_grad=True)
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module._original_class
    return module


def type_before_parametrizations(module) -> type:
    """The module's class before any parametrization (its class, if it has none).

    Example:
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import parametrize
        >>> parametrize.type_before_parametrizations(nn.Linear(2, 2)).__name__
        'Linear'
    """
    return module._original_class if is_parametrized(module) else type(module)


def _register(module, name: str, tensor) -> None:
    """``tensor`` as a parameter of ``module`` if it is one, else as a buffer."""
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _set_data(target, value) -> None:
    """Give ``target`` (a parameter or buffer) ``value``'s values, shape included, keeping
    the object (optimizers hold it), as PyTorch's ``set_``."""
    target._data = value.detach()._data.copy()
    target._version.value += 1
