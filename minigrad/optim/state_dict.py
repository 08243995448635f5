"""An optimizer's checkpoint: ``state_dict()`` and ``load_state_dict()``.

``Optimizer`` inherits these methods from :class:`OptimizerState`. The format is
PyTorch's: tensors are replaced by their position in the order the groups list them
(0, 1, 2, ...), so a checkpoint loads into a new optimizer built over new tensors of the
same shapes::

    {'state': {0: {'momentum_buffer': tensor(...)}, 1: {...}},
     'param_groups': [{'lr': 0.1, 'momentum': 0.9, ..., 'params': [0, 1]}]}
"""

from __future__ import annotations

import copy
from collections import defaultdict
from itertools import chain
from typing import Any

from ..backend import Device
from ..tensor import Tensor


class OptimizerState:
    """The checkpoint methods of ``Optimizer`` (a base class of it)."""

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state and hyperparameters, with tensors replaced by indices.

        Parameters are numbered in the order the groups list them. The returned dict holds
        references to the live state tensors (as in PyTorch): save it, or copy it, before
        the next ``step()`` if you want a snapshot.

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> w = minigrad.ones(2, requires_grad=True)
            >>> opt = SGD([w], lr=0.1, momentum=0.9)
            >>> (w * w).sum().backward()
            >>> opt.step()
            >>> sd = opt.state_dict()
            >>> list(sd["state"]), sd["param_groups"][0]["params"]
            ([0], [0])
        """
        index = {id(p): i for i, p in enumerate(self._all_params())}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, values in self.state.items():
            if id(p) in index:
                state[index[id(p)]] = dict(values)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (possibly after a save and load).

        The saved groups must match this optimizer's groups in number and size; parameters
        are matched by position. Hyperparameters come from the saved groups. State tensors
        are copied onto each parameter's device, and floating-point state is cast to the
        parameter's dtype, so a checkpoint written on a GPU can resume on the CPU.

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> w = minigrad.ones(2, requires_grad=True)
            >>> opt = SGD([w], lr=0.1, momentum=0.9)
            >>> (w * w).sum().backward()
            >>> opt.step()
            >>> w2 = minigrad.ones(2, requires_grad=True)
            >>> opt2 = SGD([w2], lr=0.5)
            >>> opt2.load_state_dict(opt.state_dict())
            >>> opt2.param_groups[0]["lr"], opt2.param_groups[0]["momentum"]
            (0.1, 0.9)
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        missing = [key for key in ("state", "param_groups") if key not in state_dict]
        if missing:
            raise ValueError(
                f"loaded state dict is not an optimizer state dict: it has no "
                f"{' or '.join(map(repr, missing))} entry (its keys: {list(state_dict)})"
            )
        groups = self.param_groups
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(groups) != len(saved_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups: "
                f"{len(saved_groups)} saved, {len(groups)} in this optimizer"
            )
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: group {i} has {len(saved['params'])} parameters "
                    f"saved and {len(group['params'])} here"
                )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if key not in id_map:
                raise ValueError(
                    f"loaded state dict has state for parameter {key!r}, which none of its "
                    f"parameter groups lists (they list {sorted(id_map)})"
                )
            param = id_map[key]
            state[param] = {k: _cast_state(param, v, k) for k, v in values.items()}
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            for key, value in self._later_options.items():
                saved.setdefault(key, value)  # a checkpoint older than the option
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups


def _cast_state(param: Tensor, value, key=None):
    """A deep copy of a state value, with tensors moved to ``param``'s device (and cast to
    its dtype when both are floating point; a ``'step'`` counter keeps its dtype)."""
    if isinstance(value, Tensor):
        device: Device = param.device
        dtype = value.dtype
        if key != "step" and param.is_floating_point() and value.is_floating_point():
            dtype = param.dtype
        with device.activate():
            moved = device.move(value._data)
            array = moved.astype(dtype, copy=moved is value._data)
        return Tensor._wrap(array, device)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_cast_state(param, v) for v in value)
    return copy.deepcopy(value)
