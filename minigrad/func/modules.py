"""Modules as functions of their tensors: ``functional_call`` and ``stack_module_state``.

The transforms differentiate and batch functions of tensors. A module holds its tensors
inside it; ``functional_call(model, params, (x,))`` calls it with other tensors in their
place, which makes ``lambda params, x: functional_call(model, params, (x,))`` the pure
function the transforms need. ``stack_module_state`` stacks the tensors of several models
of one architecture, so that ``vmap`` over that stack runs the whole ensemble.
"""

from __future__ import annotations

from ..functions import stack
from ..nn.batchnorm import _BatchNorm
from ..nn.utils.stateless import call_with

__all__ = ["functional_call", "replace_all_batch_norm_modules_", "stack_module_state"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):  # fmt: skip
    """``module(*args, **kwargs)`` with the tensors of ``parameter_and_buffer_dicts`` (a dict
    of dotted name -> tensor, or a sequence of such dicts) in place of its parameters and
    buffers of those names; the module is unchanged afterwards.

    ``args`` that is not a tuple is the one positional argument. ``tie_weights=True``: a
    tensor given for one name of parameters tied in the module serves all their names.
    ``strict=True``: every parameter and buffer must be given, and nothing else.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.func import functional_call
        >>> layer = nn.Linear(2, 1)
        >>> new = {"weight": minigrad.ones(1, 2), "bias": minigrad.zeros(1)}
        >>> functional_call(layer, new, (minigrad.tensor([[1.0, 2.0]]),))
        tensor([[3.]])
    """
    return call_with(module, parameter_and_buffer_dicts, args, kwargs, tie_weights, strict)


def stack_module_state(models) -> tuple[dict, dict]:
    """The parameters and buffers of ``models`` (of one architecture) stacked along a new
    first dimension: ``(params, buffers)``, dicts of dotted name -> tensor. The stacked
    parameters are new leaves, requiring a gradient where the models' do.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.func import functional_call, stack_module_state, vmap
        >>> models = [nn.Linear(3, 2) for _ in range(4)]
        >>> params, buffers = stack_module_state(models)
        >>> tuple(params["weight"].shape)
        (4, 2, 3)
        >>> run = lambda p, b, x: functional_call(models[0], (p, b), (x,))
        >>> tuple(vmap(run, in_dims=(0, 0, None))(params, buffers, minigrad.ones(5, 3)).shape)
        (4, 5, 2)
    """
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    params = _stacked(models, "named_parameters")
    for name, p in params.items():
        wanted = {dict(m.named_parameters())[name].requires_grad for m in models}
        if len(wanted) > 1:
            raise RuntimeError(
                f"stack_module_state: Expected {name} from each model to have the same "
                ".requires_grad"
            )
        p.requires_grad_(wanted.pop())
    return params, _stacked(models, "named_buffers")


def _stacked(models: list, members: str) -> dict:
    per_model = [dict(getattr(m, members)()) for m in models]
    names = list(per_model[0])
    for i, named in enumerate(per_model[1:], 1):
        if list(named) != names:
            raise ValueError(
                f"stack_module_state: model {i} has {members.split('_')[1]} {list(named)}, "
                f"model 0 {names}: the models must have the same architecture"
            )
    return {name: stack([named[name].detach() for named in per_model]) for name in names}


def replace_all_batch_norm_modules_(root):
    """Make every BatchNorm in ``root`` use the batch's statistics only, with no running
    statistics to update (``running_mean``, ``running_var`` and ``num_batches_tracked``
    become None, ``track_running_stats`` False): an in-place update of a buffer shared by
    all the samples of a ``vmap`` is what PyTorch's batching refuses. Returns ``root``.

    Example:
        >>> from minigrad import nn
        >>> from minigrad.func import replace_all_batch_norm_modules_
        >>> net = replace_all_batch_norm_modules_(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)))
        >>> net[1].running_mean is None, net[1].track_running_stats
        (True, False)
    """
    for module in root.modules():
        if isinstance(module, _BatchNorm):
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
