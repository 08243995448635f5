"""The :class:`Optimizer` base class: parameter groups, per-parameter state, checkpoints.

An optimizer owns two things:

* ``param_groups``: a list of dicts. Each holds ``'params'`` (a list of tensors) and the
  hyperparameters for those tensors (``'lr'``, ``'momentum'``, ...). Hyperparameters a group
  does not give are filled in from the optimizer's ``defaults``, so every group is complete.
  Groups let one model use several settings, for example a smaller learning rate for a
  pretrained backbone than for a new head.
* ``state``: a dict keyed by the parameter tensor itself (tensors hash by identity) holding
  whatever the update rule remembers between steps, such as SGD's momentum buffer.

``state_dict()`` turns both into plain data in PyTorch's format: tensors are replaced by
their position in the order the groups list them (0, 1, 2, ...), so a checkpoint can be
loaded into a new optimizer built over new tensors of the same shapes::

    {'state': {0: {'momentum_buffer': tensor(...)}, 1: {...}},
     'param_groups': [{'lr': 0.1, 'momentum': 0.9, ..., 'params': [0, 1]}]}
"""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from itertools import chain
from typing import Any, ClassVar

from ..autograd import no_grad
from ..backend import Device
from ..tensor import Tensor


class Optimizer:
    """Base class for optimizers: subclasses pass ``defaults`` and implement ``step()``.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts that each
            define a parameter group (a ``'params'`` entry plus any hyperparameters that
            differ from ``defaults``).
        defaults: the default value of every hyperparameter of the update rule.

    A parameter that does not require grad is accepted (as in PyTorch): it simply never
    gets a gradient, so ``step()`` skips it. Stricter than PyTorch: a parameter listed twice
    in one group (PyTorch warns; it would be updated twice per step) is an error, like one
    shared by two groups, and so is a set of parameters even at the top level (its order,
    and so the state_dict's numbering, would change between runs).

    Example:
        >>> import minigrad
        >>> from minigrad.optim import SGD
        >>> w = minigrad.zeros(3, requires_grad=True)
        >>> b = minigrad.zeros(1, requires_grad=True)
        >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.5]
    """

    # Options added to the update rule after its first release, with the value that a
    # checkpoint saved without them loads with (PyTorch's ``__setstate__`` fills the same).
    _later_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a Tensor (wrap it in a list: [tensor])"
            )
        if isinstance(params, dict):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a dict (wrap a single parameter group in a list: [group])"
            )
        if isinstance(params, set | frozenset):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs) -> None:
        """Wrap each subclass's ``step`` so that schedulers can tell it has been called."""
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is None or getattr(step, "_marks_called", False):
            return

        @functools.wraps(step)
        def marked_step(self, *args, **kwargs):
            self._opt_called = True  # read by LRScheduler.step (see lr_scheduler.py)
            return step(self, *args, **kwargs)

        marked_step._marks_called = True
        cls.step = marked_step

    # ------------------------------------------------------------------------------------
    # Parameter groups
    # ------------------------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyperparameters, to ``param_groups``.

        Useful when fine-tuning: layers that were frozen can join the optimizer later with
        their own learning rate. Hyperparameters the group leaves out take the defaults.

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> opt = SGD([minigrad.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
            >>> opt.add_param_group({"params": minigrad.zeros(3, requires_grad=True), "lr": 0.01})
            >>> opt.param_groups[1]["lr"], opt.param_groups[1]["momentum"]
            (0.01, 0.9)
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group must have a 'params' entry")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set | frozenset):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")

        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            group["param_names"] = names

        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but parameter {i} of the group is "
                    f"of type {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor (parameter {i} of the group was made "
                    f"by an operation; use .detach().requires_grad_() to get a leaf)"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError(
                "optimizer contains a parameter group with duplicate parameters; each tensor "
                "may appear only once (it would be updated twice per step)"
            )
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        shared = [i for i, p in enumerate(params) if id(p) in existing]
        if shared:
            raise ValueError(
                f"some parameters appear in more than one parameter group (positions "
                f"{shared} of the new group are already in an earlier group)"
            )
        if self.param_groups and ("param_names" in group) != (
            "param_names" in self.param_groups[0]
        ):
            raise ValueError(
                "all optimizer param groups should be with/without names; cannot add a group "
                + ("with names" if "param_names" in group else "without names")
            )

        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self.param_groups.append(group)

    def _all_params(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    # ------------------------------------------------------------------------------------
    # Gradients and steps
    # ------------------------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter before the next backward pass.

        Backward *adds* into ``.grad``, so gradients must be cleared between steps.
        ``set_to_none=True`` (the default) drops them (``p.grad = None``): cheaper, and
        ``step()`` then skips any parameter that the next backward does not reach.
        ``set_to_none=False`` fills the existing gradient tensors with zeros instead; such a
        parameter still takes a step (with weight decay and momentum it still moves).

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> w = minigrad.ones(2, requires_grad=True)
            >>> opt = SGD([w], lr=0.1)
            >>> (w * w).sum().backward()
            >>> opt.zero_grad()
            >>> w.grad is None
            True
        """
        for p in self._all_params():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                with no_grad():  # a gradient is a plain tensor: zeroing it records nothing
                    p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient (implemented by each optimizer)."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------
    # Checkpoints
    # ------------------------------------------------------------------------------------

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

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


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
