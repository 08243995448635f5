"""``Module``, the base class of layers and models, and ``Sequential``.

A module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: learnable :class:`Parameter` tensors (``self.weight = Parameter(...)``);
* ``_buffers``: tensors that are state but not learned, such as BatchNorm's running mean
  (``self.register_buffer("running_mean", zeros(n))``);
* ``_modules``: submodules (``self.fc = Linear(...)``).

Everything else (``parameters()``, ``to()``, ``train()``...) walks these registries,
recursing into submodules, with names joined by dots as in PyTorch (``"0.weight"``,
``"encoder.fc.bias"``). Two jobs live beside this file, as base classes of ``Module``:
forward hooks (``hooks.py``) and ``state_dict``/``load_state_dict`` (``state_dict.py``).
The other containers are in ``container.py``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator

import numpy as np

from .. import dtypes as _dtypes
from ..backend import Device
from ..grad_mode import no_grad
from ..tensor import Tensor, _parse_to_args
from .hooks import ModuleHooks, RemovableHandle
from .parameter import Parameter, is_lazy
from .state_dict import IncompatibleKeys, ModuleState


class Module(ModuleHooks, ModuleState):
    """Base class for all layers and models. Subclasses define ``forward``.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(4, 8)
        ...         self.out = nn.Linear(8, 2)
        ...
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> model = TwoLayer()
        >>> [name for name, _ in model.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> model(minigrad.randn(3, 4)).shape
        minigrad.Size([3, 2])
    """

    def __init__(self) -> None:
        # object.__setattr__ because our own __setattr__ needs these dicts to exist.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())
        # Which hooks take the keyword arguments too, and which run even if forward fails.
        object.__setattr__(self, "_hooks_with_kwargs", set())
        object.__setattr__(self, "_hooks_always_called", set())

    def forward(self, *args, **kwargs):
        """Compute the module's output from its inputs. Every subclass defines it; call the
        module itself, ``module(x)``, which runs the hooks around ``forward``.
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        if (
            self._forward_pre_hooks or self._forward_hooks
            or self._backward_hooks or self._backward_pre_hooks
        ):  # fmt: skip
            return self._call_with_hooks(args, kwargs)  # with hooks: see hooks.py
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------------------------
    # Registration by attribute assignment
    # ------------------------------------------------------------------------------------

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call "
                "(call super().__init__() first in your module's __init__)"
            )
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._place(params, name, value)
        elif isinstance(value, Module):
            self._place(modules, name, value)
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as parameter {name!r} "
                    "(a Parameter or None is required)"
                )
            params[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as buffer {name!r} "
                    "(a Tensor or None is required)"
                )
            buffers[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} as child module {name!r}")
            modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def _place(self, registry: dict, name: str, value) -> None:
        """Put ``value`` under ``name`` in ``registry``. A name already there keeps its
        place (replacing ``model.fc1`` must not move it after ``fc2``: the order is that of
        ``parameters()`` and ``state_dict()``); a new one is first removed from elsewhere."""
        if name not in registry:
            self._forget(name)
        registry[name] = value

    def _forget(self, name: str) -> None:
        """Remove ``name`` from every registry and the plain attributes."""
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters or name in self._buffers or name in self._modules:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a placeholder that stays out of ``parameters()``)."""
        _check_name(self, name, "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot register a {type(param).__name__} as a parameter")
        self._place(self._parameters, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is saved and moved with the module but not learned.

        ``persistent=False`` keeps it out of ``state_dict()``.
        """
        _check_name(self, name, "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot register a {type(tensor).__name__} as buffer {name!r}")
        self._place(self._buffers, name, tensor)
        self._non_persistent.discard(name)
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a submodule under ``name``."""
        _check_name(self, name, "_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._place(self._modules, name, module)

    register_module = add_module

    # ------------------------------------------------------------------------------------
    # Walking the module tree
    # ------------------------------------------------------------------------------------

    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate=True):
        """Yield (name, module) for this module and every submodule, each once (under
        every name it has, with ``remove_duplicate=False``)."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                path = f"{prefix}.{name}" if prefix else name
                yield from module.named_modules(memo, path, remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        """Yield this module and every submodule below it, each once."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield (name, module) for each direct submodule."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Yield each direct submodule."""
        for _, module in self.named_children():
            yield module

    def apply(self, fn) -> Module:
        """Call ``fn(module)`` on every submodule, children first, then on this module;
        returns this module. The usual way to initialise a model's weights:
        ``model.apply(init_weights)``.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> def init_weights(m):
            ...     if isinstance(m, nn.Linear):
            ...         nn.init.zeros_(m.bias)
            >>> model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
            >>> model.apply(init_weights)[2].bias
            Parameter containing:
            tensor([0.], requires_grad=True)
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path such as ``"encoder.0"`` (``""`` is this module).

        Example:
            >>> from minigrad import nn
            >>> model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))
            >>> model.get_submodule("0.1")
            ReLU()
        """
        module = self
        for name in target.split(".") if target else ():
            child = module._modules.get(name) if isinstance(module, Module) else None
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule {name!r} "
                                     f"(looking up {target!r})")  # fmt: skip
            module = child
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (its parent must exist; with
        ``strict``, so must the name it replaces).

        Example:
            >>> from minigrad import nn
            >>> model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))
            >>> model.set_submodule("0.1", nn.Tanh())
            >>> model.get_submodule("0.1")
            Tanh()
        """
        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and name not in parent._modules:
            raise AttributeError(f"{type(parent).__name__} has no attribute `{name}`")
        setattr(parent, name, module)

    def get_parameter(self, target: str):
        """The parameter at a dotted path such as ``"0.weight"``.

        Example:
            >>> from minigrad import nn
            >>> nn.Sequential(nn.Linear(2, 3)).get_parameter("0.bias").shape
            minigrad.Size([3])
        """
        return self._get_member(target, "_parameters", "parameter")

    def get_buffer(self, target: str):
        """The buffer at a dotted path such as ``"1.running_mean"``.

        Example:
            >>> from minigrad import nn
            >>> nn.Sequential(nn.BatchNorm1d(3)).get_buffer("0.running_var").tolist()
            [1.0, 1.0, 1.0]
        """
        return self._get_member(target, "_buffers", "buffer")

    def _get_member(self, target: str, registry: str, what: str):
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        members = getattr(module, registry)
        if name not in members or members[name] is None:
            raise AttributeError(f"{type(module).__name__} has no {what} `{name}`")
        return members[name]

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse else [(prefix, self)]
        )  # fmt: skip
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """Yield (dotted name, parameter) pairs; a shared parameter appears once (under
        each of its names, with ``remove_duplicate=False``)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every parameter, of submodules too unless ``recurse=False``, each once:
        what an optimizer is given.
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """Yield (dotted name, buffer) pairs."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every buffer (state that is not learned, such as BatchNorm's running mean)."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ------------------------------------------------------------------------------------
    # Modes, gradients, devices and dtypes
    # ------------------------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (batch statistics in BatchNorm, dropout active) here and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (``False`` freezes them); returns the module."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to None, or to zeros)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                with no_grad():
                    param.grad.zero_()

    def to(self, *args, **kwargs) -> Module:
        """Move parameters, their gradients and buffers to a device and/or cast the
        floating-point ones to a dtype, in place (the same Parameter objects, so an
        optimizer made before still holds them). Returns the module."""
        device, dtype = _parse_to_args(args, kwargs)
        if dtype is not None and not _dtypes.is_floating(dtype):
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dtype}")
        for tensor in self._all_tensors():
            _convert_in_place(tensor, device, dtype)
            if tensor.grad is not None:
                _convert_in_place(tensor.grad, device, dtype)
        return self

    def _all_tensors(self):
        for module in self.modules():
            for registry in (module._parameters, module._buffers):
                for tensor in registry.values():
                    if tensor is not None:
                        yield tensor

    def cpu(self) -> Module:
        """Move the parameters and buffers to the CPU, in place: ``self.to("cpu")``."""
        return self.to("cpu")

    def cuda(self, device=None) -> Module:
        """Move the parameters and buffers to a GPU, in place: ``self.to("cuda")`` or ``device``."""
        return self.to("cuda" if device is None else device)

    def float(self) -> Module:
        """Cast the floating-point parameters and buffers to float32, in place."""
        return self.to(_dtypes.float32)

    def double(self) -> Module:
        """Cast the floating-point parameters and buffers to float64, in place."""
        return self.to(_dtypes.float64)

    def half(self) -> Module:
        """Cast the floating-point parameters and buffers to float16, in place."""
        return self.to(_dtypes.float16)

    # ------------------------------------------------------------------------------------
    # repr
    # ------------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (its arguments)."""
        return ""

    def __repr__(self) -> str:
        lines = [line for line in self.extra_repr().split("\n") if line]
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules:
            return f"{type(self).__name__}({', '.join(lines)})"
        return type(self).__name__ + "(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )


def _check_name(module: Module, name: str, kind: str) -> None:
    """A name that ``register_parameter``/``register_buffer``/``add_module`` may take: new,
    or already one of that ``kind`` ("_parameters", "_buffers" or "_modules"), which it
    replaces. Taking over another kind's name (a buffer called "weight" on a Linear)
    would silently drop what was there, so it raises, as in PyTorch."""
    if "_parameters" not in module.__dict__:
        raise AttributeError("call super().__init__() before registering anything")
    if not isinstance(name, str) or not name or "." in name:
        raise KeyError(
            f"a module attribute name must be a non-empty string without '.', got {name!r}"
        )
    if hasattr(type(module), name):
        raise KeyError(f"attribute {name!r} already exists on {type(module).__name__}")
    if name not in getattr(module, kind) and (
        name in module.__dict__ or any(name in getattr(module, other) for other in
                                       ("_parameters", "_buffers", "_modules"))
    ):  # fmt: skip
        raise KeyError(f"attribute {name!r} already exists on {type(module).__name__}")


def _convert_in_place(tensor: Tensor, device: Device | None, dtype) -> None:
    """Replace a tensor's array with one on ``device`` and/or of ``dtype`` (floats only).
    An uninitialized tensor has no array yet: it just takes the device and dtype, which its
    first call will use."""
    array = tensor._data
    if is_lazy(tensor):
        if dtype is not None and _dtypes.is_floating(array.dtype):
            tensor._data = array.astype(dtype)
        tensor.device = tensor.device if device is None else device
        return
    if dtype is not None and _dtypes.is_floating(array.dtype) and array.dtype != dtype:
        array = array.astype(dtype)
    if device is not None and device is not tensor.device:
        array = device.move(array)
        tensor.device = device
    tensor._data = array


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Submodules are named "0", "1", ... (or by the keys of an OrderedDict), which gives
    PyTorch's state_dict keys such as ``"0.weight"``. Supports ``len``, iteration,
    indexing (a slice gives a Sequential) and ``append``.

    Example:
        >>> from minigrad import nn
        >>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
        >>> len(model), type(model[0]).__name__
        (2, 'Linear')
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):
        """Apply the modules in order, each to the previous one's output."""
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[_index(index, len(items))][1]

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position); returns the Sequential."""
        self.add_module(str(len(self)), module)
        return self

    def __setitem__(self, index: int, module: Module) -> None:
        """Replace the module at ``index`` (it keeps its name)."""
        name = list(self._modules)[_index(index, len(self))]
        self.add_module(name, module)

    def __delitem__(self, index) -> None:
        """Remove the module(s) at ``index`` (an int or a slice); the rest are renamed
        "0", "1", ... by position, as in PyTorch."""
        keep = list(self._modules.values())
        del keep[index if isinstance(index, slice) else _index(index, len(keep))]
        _renumber(self, keep)

    def insert(self, index: int, module: Module) -> Sequential:
        """Put ``module`` before position ``index`` (``len(self)`` appends); the modules are
        renamed by position. Returns the Sequential."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        items = list(self._modules.values())
        if not -len(items) <= index <= len(items):
            raise IndexError(f"index {index} is out of range for insert into {len(items)}")
        items.insert(index, module)
        _renumber(self, items)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append each module of ``modules``; returns the Sequential."""
        for module in modules:
            self.append(module)
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index`` (the last by default)."""
        module = self[index]
        del self[index]
        return module

    def __add__(self, other: Sequential) -> Sequential:
        """A new Sequential with this one's modules, then ``other``'s."""
        if not isinstance(other, Sequential):
            raise TypeError(
                f"can only add a Sequential to a Sequential, not {type(other).__name__}"
            )
        return Sequential(*self, *other)


def _renumber(container: Module, modules: list) -> None:
    """Re-register ``modules`` under the names "0", "1", ... (after a delete or insert)."""
    container._modules.clear()
    for i, module in enumerate(modules):
        container._modules[str(i)] = module


def _index(index: int, length: int) -> int:
    if not isinstance(index, int | np.integer):
        raise TypeError(f"indices must be integers or slices, not {type(index).__name__}")
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for a container of length {length}")
    return int(index) % length


__all__ = ["IncompatibleKeys", "Module", "RemovableHandle", "Sequential"]
