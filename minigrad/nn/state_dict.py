"""``state_dict`` and ``load_state_dict``: a module's parameters and buffers by name.

``Module`` inherits these methods from :class:`ModuleState`. Keys are PyTorch's
(``"0.weight"``, ``"1.running_mean"``), so a checkpoint's entries line up with a PyTorch
model's; loading copies in place (an optimizer made before keeps working) unless
``assign=True``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .parameter import Parameter, is_lazy

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class ModuleState:
    """The ``state_dict`` methods of ``Module`` (a base class of it)."""

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
