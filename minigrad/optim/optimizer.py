"""The :class:`Optimizer` base class: parameter groups, per-parameter state, checkpoints.

An optimizer owns two things:

* ``param_groups``: a list of dicts. Each holds ``'params'`` (a list of tensors) and the
  hyperparameters for those tensors (``'lr'``, ``'momentum'``, ...). Hyperparameters a group
  does not give are filled in from the optimizer's ``defaults``, so every group is complete.
  Groups let one model use several settings, for example a smaller learning rate for a
  pretrained backbone than for a new head.
* ``state``: a dict keyed by the parameter tensor itself (tensors hash by identity) holding
  whatever the update rule remembers between steps, such as SGD's momentum buffer.

``state_dict()`` and ``load_state_dict()`` turn both into plain data in PyTorch's format
and back: they are in ``state_dict.py``, a base class of ``Optimizer``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any, ClassVar

from .. import fastpath
from ..grad_mode import no_grad
from ..tensor import Tensor
from .state_dict import OptimizerState


class Optimizer(OptimizerState):
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

    def _step_group_at_once(self, group, op, update, options, buffers=None, fill=0.0) -> bool:
        """For a group with ``foreach=True`` (or ``fused=True``): run ``update`` once for
        all its parameters, on flat arrays that they are views of (``fast/flat.py``), its
        state made first as ``init_state(state, p, *buffers, fill=fill)`` does (with
        ``buffers`` given). Returns False, having done nothing, when the group is to be
        updated parameter by parameter: the flags are off, reference mode is on, or the
        step does not fit."""
        params = group["params"]
        if not (group.get("foreach") or group.get("fused")) or not params:
            return False
        at_once = fastpath.active.get((Optimizer, params[0].device.type))
        return at_once is not None and at_once(self, group, op, update, options, buffers, fill)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")  # a blank line between groups, as PyTorch's
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
