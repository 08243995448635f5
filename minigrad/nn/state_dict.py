"""``state_dict`` and ``load_state_dict``: a module's parameters and buffers by name.

``Module`` inherits these methods from :class:`ModuleState`. Keys are PyTorch's
(``"0.weight"``, ``"1.running_mean"``), so a checkpoint's entries line up with a PyTorch
model's; loading copies in place (an optimizer made before keeps working) unless
``assign=True``.

PyTorch's four state-dict hooks are here too, each registered on a module and run for it:
``register_state_dict_pre_hook`` and ``register_state_dict_post_hook`` around the module's
part of ``state_dict()`` (the post hook may edit the entries), and
``register_load_state_dict_pre_hook`` (before loading: may rename or convert the entries
of a copy of the checkpoint) and ``register_load_state_dict_post_hook`` (after: may edit
the missing and unexpected keys before ``strict`` judges them).
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .hooks import ModuleHooks, RemovableHandle
from .parameter import Parameter, is_lazy


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` did not match: the keys the module has and the state did not
    give, and those the state gave and the module does not have (printed as PyTorch
    prints it when both are empty)."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class ModuleState:
    """The ``state_dict`` methods of ``Module`` (a base class of it)."""

    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ordered dict from dotted names to the parameters' and persistent buffers'
        values (detached tensors sharing storage, unless ``keep_vars``), with PyTorch's
        key names, e.g. ``"0.weight"``, ``"1.running_mean"``. A Lazy module's parameters
        that have no shape yet appear as themselves (``<UninitializedParameter>``), as in
        PyTorch."""
        destination = OrderedDict() if destination is None else destination
        return self._collect_state(destination, prefix, keep_vars, run_hooks=True)

    def _collect_state(self, destination, prefix: str, keep_vars: bool, run_hooks: bool):
        """``state_dict``'s walk; ``load_state_dict`` takes it without the hooks (which are
        for what is saved, not for finding the tensors to load into)."""
        hooks = self.__dict__.get("_state_dict_hooks") if run_hooks else None
        if hooks:
            for hook in list(hooks["pre"].values()):
                hook(self, prefix, keep_vars)
        for name, param in self._parameters.items():
            if param is not None:
                keep = keep_vars or is_lazy(param)
                destination[prefix + name] = param if keep else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent:
                keep = keep_vars or is_lazy(buffer)
                destination[prefix + name] = buffer if keep else buffer.detach()
        if _has_extra_state(self):
            destination[prefix + EXTRA_STATE] = self.get_extra_state()
        for name, module in self._modules.items():
            if module is not None:
                module._collect_state(destination, prefix + name + ".", keep_vars, run_hooks)
        if hooks:
            for hook in list(hooks["post"].values()):
                if hook(self, destination, prefix, {}) is not None:
                    raise RuntimeError("state_dict post-hook must return None")
        return destination

    def get_extra_state(self):
        """What a module saves beside its tensors, under the key ``"_extra_state"`` of
        its ``state_dict`` (any picklable value): override it, and :meth:`set_extra_state`
        to restore it. The base class has none.

        Example:
            >>> from minigrad import nn
            >>> class Counted(nn.Linear):
            ...     calls = 0
            ...     def get_extra_state(self):
            ...         return {"calls": self.calls}
            ...     def set_extra_state(self, state):
            ...         self.calls = state["calls"]
            >>> list(Counted(2, 1).state_dict())
            ['weight', 'bias', '_extra_state']
        """
        raise RuntimeError(
            f"{type(self).__name__} has no extra state: override get_extra_state() (and "
            "set_extra_state()) to save some"
        )

    def set_extra_state(self, state) -> None:
        """Restore what :meth:`get_extra_state` returned, when ``load_state_dict`` finds
        it under ``"_extra_state"``.

        Example:
            >>> from minigrad import nn
            >>> class Counted(nn.Linear):
            ...     calls = 0
            ...     def get_extra_state(self):
            ...         return self.calls
            ...     def set_extra_state(self, state):
            ...         self.calls = state
            >>> saved = Counted(2, 1)
            >>> saved.calls = 7
            >>> loaded = Counted(2, 1)
            >>> _ = loaded.load_state_dict(saved.state_dict())
            >>> loaded.calls
            7
        """
        raise RuntimeError(
            f"{type(self).__name__} has no extra state to set: override set_extra_state() "
            "with get_extra_state()"
        )

    def _hooks_of(self, kind: str) -> dict:
        """The module's state-dict hooks of ``kind`` (made on first use)."""
        if "_state_dict_hooks" not in self.__dict__:
            kinds = ("pre", "post", "load_pre", "load_post")
            object.__setattr__(self, "_state_dict_hooks", {k: OrderedDict() for k in kinds})
        return self._state_dict_hooks[kind]

    def register_state_dict_pre_hook(self, hook):
        """Call ``hook(module, prefix, keep_vars)`` before this module's part of every
        ``state_dict()``. Returns a handle whose ``remove()`` unregisters it.

        Example:
            >>> from minigrad import nn
            >>> layer = nn.Linear(2, 1)
            >>> seen = []
            >>> handle = layer.register_state_dict_pre_hook(lambda m, p, k: seen.append(p))
            >>> _ = nn.Sequential(layer).state_dict()
            >>> seen
            ['0.']
        """
        return _register(self._hooks_of("pre"), hook)

    def register_state_dict_post_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after this module's
        entries are in ``state_dict``; it may edit them in place and must return None.

        Example:
            >>> from minigrad import nn
            >>> layer = nn.Linear(2, 1)
            >>> def drop_bias(module, state, prefix, meta):
            ...     del state[prefix + "bias"]
            >>> handle = layer.register_state_dict_post_hook(drop_bias)
            >>> list(layer.state_dict())
            ['weight']
        """
        return _register(self._hooks_of("post"), hook)

    def register_load_state_dict_pre_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before loading; ``state_dict`` is the load's own
        copy of the checkpoint, which the hook may edit (rename old keys, convert
        values); a message appended to ``error_msgs`` fails the load.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> layer = nn.Linear(2, 1)
            >>> def rename(module, state, prefix, *rest):
            ...     if prefix + "w" in state:
            ...         state[prefix + "weight"] = state.pop(prefix + "w")
            >>> handle = layer.register_load_state_dict_pre_hook(rename)
            >>> layer.load_state_dict({"w": minigrad.ones(1, 2), "bias": minigrad.zeros(1)})
            <All keys matched successfully>
        """
        return _register(self._hooks_of("load_pre"), hook)

    def register_load_state_dict_post_hook(self, hook):
        """Call ``hook(module, incompatible_keys)`` after loading, with the missing and
        unexpected keys (a named tuple of two lists it may edit: ``strict`` judges what is
        left); it must return None. With such a hook, the matching entries are loaded
        before ``strict`` raises, as in PyTorch.

        Example:
            >>> import minigrad
            >>> from minigrad import nn
            >>> layer = nn.Linear(2, 1)
            >>> handle = layer.register_load_state_dict_post_hook(
            ...     lambda module, keys: keys.missing_keys.clear())
            >>> layer.load_state_dict({"weight": minigrad.ones(1, 2)})  # no bias: allowed
            <All keys matched successfully>
        """
        return _register(self._hooks_of("load_post"), hook)

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
        hooked = [
            (f"{prefix}." if prefix else "", module)
            for prefix, module in self.named_modules()
            if module.__dict__.get("_state_dict_hooks")
        ]
        missing, unexpected = [], []
        if any(module._state_dict_hooks["load_pre"] for _, module in hooked):
            state_dict = OrderedDict(state_dict)  # the hooks edit the load's own copy
            for prefix, module in hooked:
                for hook in list(module._state_dict_hooks["load_pre"].values()):
                    hook(module, state_dict, prefix, {}, strict, missing, unexpected, errors)
        post_hooks = [
            (module, hook)
            for _, module in hooked
            for hook in module._state_dict_hooks["load_post"].values()
        ]
        for prefix, module in self.named_modules():
            if hasattr(module, "_lazy_load_hook"):  # give uninitialized tensors their shapes
                errors += module._lazy_load_hook(state_dict, f"{prefix}." if prefix else "")
        own = self._collect_state(OrderedDict(), "", True, run_hooks=False)
        extra = {  # modules with extra state, by its key: restored after the tensors
            (f"{prefix}." if prefix else "") + EXTRA_STATE: module
            for prefix, module in self.named_modules()
            if _has_extra_state(module)
        }
        optional = {  # entries a module allows older checkpoints to lack: they keep their value
            f"{prefix}.{name}" if prefix else name
            for prefix, module in self.named_modules()
            for name in getattr(module, "_optional_state", ())
        }
        missing += [key for key in own if key not in state_dict and key not in optional]
        unexpected += [key for key in state_dict if key not in own]
        if not post_hooks:  # (with post hooks, strict judges the keys they leave, after)
            errors += _key_errors(strict, missing, unexpected)
        values = {}
        for key, target in own.items():
            if key not in state_dict or key in extra:
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
            raise RuntimeError(self._load_error(errors))
        if assign:
            self._assign_state(values, own)
        else:
            with no_grad():
                for key, value in values.items():
                    target = own[key]
                    source = value._data if isinstance(value, Tensor) else np.asarray(value)
                    target._data[...] = target.device.move(source).astype(target.dtype, copy=False)
                    target._version.value += 1
        for key, module in extra.items():
            if key in state_dict:
                module.set_extra_state(state_dict[key])
        result = IncompatibleKeys(missing, unexpected)
        for module, hook in post_hooks:
            if hook(module, result) is not None:
                raise RuntimeError("load_state_dict post-hook must return None")
        if post_hooks and _key_errors(strict, missing, unexpected):
            raise RuntimeError(self._load_error(_key_errors(strict, missing, unexpected)))
        return result

    def _load_error(self, errors: list) -> str:
        return f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(
            errors
        )

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


def _key_errors(strict: bool, missing: list, unexpected: list) -> list:
    """``strict``'s complaints about the keys, in PyTorch's words."""
    errors = []
    if strict and unexpected:
        errors.append("Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)))
    if strict and missing:
        errors.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)))
    return errors


def _register(hooks: dict, hook):
    ModuleHooks._hook_counter += 1  # (one counter for every kind of hook)
    hooks[ModuleHooks._hook_counter] = hook
    return RemovableHandle(hooks, ModuleHooks._hook_counter)


EXTRA_STATE = "_extra_state"  # the key of a module's extra state, as in PyTorch


def _has_extra_state(module) -> bool:
    """Whether the module's class overrides ``get_extra_state``."""
    return type(module).get_extra_state is not ModuleState.get_extra_state
