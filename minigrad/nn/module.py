"""``Module``: the base class of layers and models, and the containers ``Sequential`` and
``ModuleList``.

A module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: learnable :class:`Parameter` tensors (``self.weight = Parameter(...)``);
* ``_buffers``: tensors that are state but not learned, such as BatchNorm's running mean
  (``self.register_buffer("running_mean", zeros(n))``);
* ``_modules``: submodules (``self.fc = Linear(...)``).

Everything else (``parameters()``, ``state_dict()``, ``to()``, ``train()``...) walks these
registries, recursing into submodules, with names joined by dots as in PyTorch
(``"0.weight"``, ``"encoder.fc.bias"``).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Iterable, Iterator

import numpy as np

from .. import dtypes as _dtypes
from ..autograd import no_grad
from ..backend import Device
from ..tensor import Tensor, _parse_to_args
from .parameter import Parameter, is_lazy

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``handle.remove()`` takes the hook away."""

    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class Module:
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
        (3, 2)
    """

    _hook_counter = 0

    def __init__(self) -> None:
        # object.__setattr__ because our own __setattr__ needs these dicts to exist.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        # Which hooks take the keyword arguments too, and which run even if forward fails.
        object.__setattr__(self, "_hooks_with_kwargs", set())
        object.__setattr__(self, "_hooks_always_called", set())

    def forward(self, *args, **kwargs):
        """Compute the module's output from its inputs. Every subclass defines it; call the
        module itself, ``module(x)``, which runs the hooks around ``forward``.
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)  # with hooks: see below
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        """``__call__`` when hooks are registered: the pre-hooks, ``forward``, the hooks."""
        called = set()
        output = None
        try:
            for key, hook in list(self._forward_pre_hooks.items()):
                args, kwargs = self._run_pre_hook(key, hook, args, kwargs)
            output = self.forward(*args, **kwargs)
            for key, hook in list(self._forward_hooks.items()):
                called.add(key)
                output = self._run_forward_hook(key, hook, args, kwargs, output)
        except Exception:
            # Hooks registered with always_call=True still run (output None if forward
            # failed); an error they raise is reported as a warning, not in place of this one.
            for key, hook in list(self._forward_hooks.items()):
                if key in self._hooks_always_called and key not in called:
                    try:
                        output = self._run_forward_hook(key, hook, args, kwargs, output)
                    except Exception as error:
                        warnings.warn(
                            "module forward hook with ``always_call=True`` raised an exception "
                            f"that was silenced as another error was raised in forward: {error}",
                            stacklevel=2,
                        )
            raise
        return output

    def _run_pre_hook(self, key, hook, args, kwargs):
        if key in self._hooks_with_kwargs:
            result = hook(self, args, kwargs)
            if result is None:
                return args, kwargs
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(
                    "forward pre-hook must return None or a tuple of "
                    f"(new_args, new_kwargs), but got {result!r}."
                )
            return result
        result = hook(self, args)
        if result is None:
            return args, kwargs
        return (result if isinstance(result, tuple) else (result,)), kwargs

    def _run_forward_hook(self, key, hook, args, kwargs, output):
        if key in self._hooks_with_kwargs:
            result = hook(self, args, kwargs, output)
        else:
            result = hook(self, args, output)
        return output if result is None else result

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

    def register_forward_hook(
        self, hook, *, prepend: bool = False, with_kwargs: bool = False, always_call: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward (``hook(module, args,
        kwargs, output)`` with ``with_kwargs=True``); a non-None return value replaces the
        output. ``prepend=True`` runs it before the hooks already registered;
        ``always_call=True`` runs it even when forward raises (with output None). Returns
        a handle whose ``remove()`` unregisters it.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> layer = nn.ReLU()
            >>> handle = layer.register_forward_hook(lambda module, args, output: output * 2)
            >>> layer(minigrad.tensor([-1.0, 3.0]))
            tensor([0., 6.])
            >>> handle.remove()
        """
        handle = self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)
        if always_call:
            self._hooks_always_called.add(handle._key)
        return handle

    def register_forward_pre_hook(
        self, hook, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a non-None return value
        replaces the positional arguments. With ``with_kwargs=True`` it is called as
        ``hook(module, args, kwargs)`` and may return a new ``(args, kwargs)`` pair.
        ``prepend=True`` runs it before the hooks already registered."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def _add_hook(self, hooks: dict, hook, prepend: bool, with_kwargs: bool) -> RemovableHandle:
        Module._hook_counter += 1
        key = Module._hook_counter
        hooks[key] = hook
        if prepend:
            hooks.move_to_end(key, last=False)
        if with_kwargs:
            self._hooks_with_kwargs.add(key)
        return RemovableHandle(hooks, key)

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
    # state_dict
    # ------------------------------------------------------------------------------------

    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ordered dict from dotted names to the parameters' and persistent buffers'
        values (detached tensors sharing storage, unless ``keep_vars``), with PyTorch's
        key names, e.g. ``"0.weight"``, ``"1.running_mean"``. A Lazy module's parameters
        that have no shape yet appear as themselves (``<UninitializedParameter>``), as in
        PyTorch."""
        destination = OrderedDict() if destination is None else destination
        for name, param in self._parameters.items():
            if param is not None:
                keep = keep_vars or is_lazy(param)
                destination[prefix + name] = param if keep else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent:
                keep = keep_vars or is_lazy(buffer)
                destination[prefix + name] = buffer if keep else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values into the parameters and buffers, in place, keeping their device
        and dtype. Values may be minigrad tensors or NumPy arrays.

        With ``assign=True`` the values are not copied but put in place of the module's
        tensors, keeping their own device and dtype (a NumPy array becomes a CPU tensor);
        a parameter keeps the module's ``requires_grad``, as in PyTorch. An optimizer
        built before then still holds the old parameters: build it after loading.

        With ``strict=True`` (the default), missing or unexpected keys raise an error that
        lists them; a value whose shape differs always raises. Returns the missing and
        unexpected keys. A module's ``_optional_state`` names entries that older
        checkpoints may lack (BatchNorm's ``num_batches_tracked``, as in PyTorch): those
        keep their current value.

        A Lazy module loaded before its first call takes the shapes of the loaded values
        (see ``nn/lazy.py``); values that are themselves uninitialized (the state of a Lazy
        module saved before its first call) load into uninitialized tensors only.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"expected a dict-like state_dict, got {type(state_dict).__name__}")
        errors = []
        for prefix, module in self.named_modules():
            if hasattr(module, "_lazy_load_hook"):  # give uninitialized tensors their shapes
                errors += module._lazy_load_hook(state_dict, f"{prefix}." if prefix else "")
        own = self.state_dict(keep_vars=True)
        optional = {  # entries a module allows older checkpoints to lack: they keep their value
            f"{prefix}.{name}" if prefix else name
            for prefix, module in self.named_modules()
            for name in getattr(module, "_optional_state", ())
        }
        missing = [key for key in own if key not in state_dict and key not in optional]
        unexpected = [key for key in state_dict if key not in own]
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)))
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)))
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor | np.ndarray | np.generic | int | float):
                errors.append(f"value for {key!r} is a {type(value).__name__}, not an array")
                continue
            if is_lazy(value) or is_lazy(target):
                if is_lazy(value) and not is_lazy(target):
                    errors.append(
                        f"the value for {key} is uninitialized (the state of a Lazy module "
                        "saved before its first call), and cannot be loaded into an "
                        "initialized tensor; call the Lazy module once before saving it"
                    )
                continue  # uninitialized into uninitialized: nothing to copy
            shape = tuple(value.shape) if hasattr(value, "shape") else ()
            if shape != tuple(target.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {shape} from "
                    f"checkpoint, the shape in current model is {tuple(target.shape)}."
                )
                continue
            values[key] = value
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        if assign:
            self._assign_state(values, own)
            return IncompatibleKeys(missing, unexpected)
        with no_grad():
            for key, value in values.items():
                target = own[key]
                source = value._data if isinstance(value, Tensor) else np.asarray(value)
                target._data[...] = target.device.move(source).astype(target.dtype, copy=False)
                target._version.value += 1
        return IncompatibleKeys(missing, unexpected)

    def _assign_state(self, values: dict, own: dict) -> None:
        """``load_state_dict(assign=True)``: put each value in place of the tensor it names
        (under every name of a shared submodule)."""
        for prefix, module in self.named_modules(remove_duplicate=False):
            for name in list(module._parameters) + list(module._buffers):
                key = f"{prefix}.{name}" if prefix else name
                if key not in values:
                    continue
                value = values[key]
                tensor = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
                if name in module._parameters:
                    old = own[key]
                    if not isinstance(tensor, Parameter):
                        tensor = Parameter(tensor.detach(), requires_grad=old.requires_grad)
                    else:
                        tensor.requires_grad_(old.requires_grad)
                    module._parameters[name] = tensor
                else:
                    module._buffers[name] = tensor  # as given, as in PyTorch

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


class _NumberedList(Module):
    """The list protocol over one registry (``_registry``: "_modules" or "_parameters"),
    whose entries are named "0", "1", ... by position: what ModuleList and ParameterList
    share. A subclass adds ``append`` (how an entry is registered)."""

    _registry = "_modules"

    def __init__(self, items: Iterable | None = None) -> None:
        super().__init__()
        if items is not None:
            self.extend(items)

    def _entries(self) -> dict:
        return getattr(self, self._registry)

    def __len__(self) -> int:
        return len(self._entries())

    def __iter__(self) -> Iterator:
        return iter(self._entries().values())

    def __getitem__(self, index):
        items = list(self._entries().values())
        if isinstance(index, slice):
            return type(self)(items[index])
        return items[_index(index, len(items))]

    def extend(self, items: Iterable):
        """Append each of ``items``; returns the list."""
        for item in items:
            self.append(item)
        return self

    def __iadd__(self, items: Iterable):
        return self.extend(items)


class ModuleList(_NumberedList):
    """A list of submodules, registered so that their parameters are found.

    Example:
        >>> from minigrad import nn
        >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__(modules)  # (PyTorch's keyword name)

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_index(index, len(self))), module)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end (named by its position); returns the ModuleList."""
        self.add_module(str(len(self)), module)
        return self

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        """A new ModuleList with this one's modules, then ``other``'s."""
        return ModuleList([*self, *other])

    def __delitem__(self, index) -> None:
        """Remove the module(s) at ``index``; the rest are renamed by position."""
        keep = list(self._modules.values())
        del keep[index if isinstance(index, slice) else _index(index, len(keep))]
        _renumber(self, keep)

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``; the modules are renamed by position."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        items = list(self._modules.values())
        items.insert(index, module)
        _renumber(self, items)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index`` (the last by default)."""
        module = self[index]
        del self[index]
        return module

    def forward(self, *args, **kwargs):
        """A ModuleList has no forward: iterate over it in the forward of the module that
        holds it.
        """
        raise NotImplementedError("ModuleList has no forward(); iterate over it instead")


class ModuleDict(Module):
    """A dict of submodules, registered under their keys (so ``state_dict`` keys read
    ``"<key>.weight"``). Keeps insertion order.

    Example:
        >>> from minigrad import nn
        >>> heads = nn.ModuleDict({"digit": nn.Linear(8, 10), "parity": nn.Linear(8, 2)})
        >>> list(heads), type(heads["digit"]).__name__, "parity" in heads
        (['digit', 'parity'], 'Linear', True)
    """

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(key)
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def items(self):
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove and return the module under ``key``."""
        module = self[key]
        del self[key]
        return module

    def update(self, modules) -> None:
        """Add the modules of a mapping, or of an iterable of ``(key, module)`` pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for pair in pairs:
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(
                    f"ModuleDict.update expects a mapping or (key, module) pairs, got an "
                    f"element of type {type(pair).__name__}"
                )
            self[pair[0]] = pair[1]

    def forward(self, *args, **kwargs):
        """A ModuleDict has no forward: pick its modules in the holder's forward."""
        raise NotImplementedError("ModuleDict has no forward(); index it instead")


class ParameterList(_NumberedList):
    """A list of parameters, registered as "0", "1", ... so that ``parameters()`` and
    ``state_dict()`` find them. Plain tensors are wrapped in a Parameter, as in PyTorch.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> weights = nn.ParameterList([minigrad.ones(2) for _ in range(3)])
        >>> len(list(weights.parameters())), list(weights.state_dict())
        (3, ['0', '1', '2'])
    """

    _registry = "_parameters"

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__(values)  # (PyTorch's keyword name)

    def __setitem__(self, index: int, value: Tensor) -> None:
        self.register_parameter(str(_index(index, len(self))), _as_parameter(value))

    def append(self, value: Tensor) -> ParameterList:
        """Add ``value`` (a Parameter, or a tensor made into one) at the end."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def forward(self, *args, **kwargs):
        """A ParameterList has no forward: use its parameters in the holder's forward."""
        raise NotImplementedError("ParameterList has no forward(); index it instead")


def _as_parameter(value) -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"ParameterList holds tensors, got {type(value).__name__}")


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


__all__ = [
    "IncompatibleKeys", "Module", "ModuleDict", "ModuleList", "ParameterList", "RemovableHandle",
    "Sequential",
]  # fmt: skip
