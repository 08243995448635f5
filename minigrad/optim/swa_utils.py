"""Averaged weights: Stochastic Weight Averaging (SWA) and exponential moving averages (EMA).

Late in training, SGD's weights wander around a wide minimum. Their average sits nearer its
centre and often generalises better than any single one (Izmailov et al., 2018, "Averaging
Weights Leads to Wider Optima and Better Generalization"). :class:`AveragedModel` keeps that
average beside the model being trained::

    swa_model = AveragedModel(model)              # a deep copy, averaged from now on
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)  # anneal to a constant rate
    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        if epoch >= swa_start:
            swa_model.update_parameters(model)     # fold this epoch's weights in
            swa_scheduler.step()
    update_bn(train_loader, swa_model)             # BatchNorm statistics for the average

The average after ``n`` updates is the plain mean of the ``n`` weights seen: each update moves
it ``1 / (n + 1)`` of the way to the new weights. An exponential moving average instead moves
a fixed fraction ``1 - decay`` each time (``get_ema_multi_avg_fn(0.999)``), forgetting old
weights geometrically.

Why :func:`update_bn`: a BatchNorm layer's running mean and variance describe the
activations of the weights that produced them. The averaged weights are a new network, and
its activations have other statistics than any of the networks averaged; averaging the
running statistics is no substitute. ``update_bn`` resets them and runs the training data
through the averaged model once, with ``momentum=None`` so that each layer's estimate is the
plain average over every batch. (Or pass ``use_buffers=True`` to average the buffers along
with the parameters, which is cheaper and cruder.)

The arithmetic matches PyTorch 2.13 on the CPU step by step: the default average is
``avg + (new - avg) / (n + 1)``, the EMA of :func:`get_ema_multi_avg_fn` a ``lerp``.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any

from .. import creation
from .. import dtypes as _dtypes
from ..grad_mode import no_grad
from ..nn.batchnorm import _BatchNorm
from ..nn.module import Module
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]


def _check_decay(decay: float) -> None:
    if not 0.0 <= decay <= 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential moving average, for ``AveragedModel(multi_avg_fn=...)``: each update
    sets ``ema = decay * ema + (1 - decay) * new`` on a list of tensors in place.

    Args:
        decay: the fraction of the average kept at each update, in [0, 1].

    Example:
        >>> import minigrad
        >>> from minigrad.optim.swa_utils import get_ema_multi_avg_fn
        >>> ema, new = [minigrad.tensor([0.0])], [minigrad.tensor([10.0])]
        >>> get_ema_multi_avg_fn(0.9)(ema, new, 1)
        >>> ema[0]
        tensor([1.])
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _num_averaged) -> None:
        with no_grad():
            if ema_param_list[0].dtype.kind in "fc":  # PyTorch's lerp, one branch or the other
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.lerp_(p_model, 1 - decay)
            else:  # integer buffers (a BatchNorm's batch count): the product, truncated
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """The equal-weight average, for ``AveragedModel(multi_avg_fn=...)``: the ``n``-th
    update moves each tensor ``1 / (n + 1)`` of the way to the new value, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.optim.swa_utils import get_swa_multi_avg_fn
        >>> avg, new = [minigrad.tensor([2.0])], [minigrad.tensor([8.0])]
        >>> get_swa_multi_avg_fn()(avg, new, 2)  # two values averaged so far
        >>> avg[0]
        tensor([4.])
    """

    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        with no_grad():
            count = int(num_averaged) + 1
            if averaged_param_list[0].dtype.kind in "fc":
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    p_avg.lerp_(p_model, 1 / count)
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    p_avg.copy_(p_avg + (p_model - p_avg) / count)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential moving average, for ``AveragedModel(avg_fn=...)``: a function of one
    averaged tensor, one new tensor and the count, returning ``decay * ema + (1 - decay) * new``.

    Example:
        >>> import minigrad
        >>> from minigrad.optim.swa_utils import get_ema_avg_fn
        >>> get_ema_avg_fn(0.5)(minigrad.tensor([0.0]), minigrad.tensor([4.0]), 1)
        tensor([2.])
    """
    _check_decay(decay)

    def ema_update(ema_param, current_param, _num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """The equal-weight average, for ``AveragedModel(avg_fn=...)``: returns
    ``avg + (new - avg) / (n + 1)`` for one tensor, ``n`` values having been averaged.

    Example:
        >>> import minigrad
        >>> from minigrad.optim.swa_utils import get_swa_avg_fn
        >>> get_swa_avg_fn()(minigrad.tensor([2.0]), minigrad.tensor([8.0]), 2)
        tensor([4.])
    """

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of a model whose parameters are a running average of the model's.

    Calling it runs the copy (``forward`` passes everything through). Each
    :meth:`update_parameters` folds the model's current parameters into the average; the
    first one copies them. ``n_averaged`` (a buffer, saved in the ``state_dict`` with the
    copy's tensors under ``module.``) counts the updates.

    Args:
        model: the module to average. It is deep-copied; the copy is ``self.module``.
        device: where the copy lives (default: where the model is).
        avg_fn: ``avg_fn(averaged, new, n_averaged) -> tensor``, applied to each parameter
            in turn (see :func:`get_ema_avg_fn`).
        multi_avg_fn: ``multi_avg_fn(averaged_list, new_list, n_averaged)``, updating the
            lists in place (see :func:`get_ema_multi_avg_fn`). Give at most one of the two;
            with neither, the equal-weight average (SWA).
        use_buffers: also average the buffers (BatchNorm's running statistics) instead of
            copying the model's. Without it, call :func:`update_bn` after training.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.optim.swa_utils import AveragedModel
        >>> model = nn.Linear(1, 1, bias=False)
        >>> swa = AveragedModel(model)
        >>> for w in (1.0, 2.0, 6.0):
        ...     with minigrad.no_grad():
        ...         _ = model.weight.fill_(w)
        ...     swa.update_parameters(model)
        >>> swa.module.weight.item(), swa.n_averaged.item()
        (3.0, 3)
        >>> swa(minigrad.tensor([[2.0]]))
        tensor([[6.]], grad_fn=<MmBackward0>)
    """

    def __init__(
        self,
        model: Module,
        device=None,
        avg_fn: Callable | None = None,
        multi_avg_fn: Callable | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel averages a Module, got {type(model).__name__}")
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", creation.tensor(0, dtype=_dtypes.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_pairs(self, model: Module) -> list:
        """(this copy's tensor, the model's) for everything that is averaged."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.module.parameters(), model.parameters()
        mine, theirs = list(mine), list(theirs)
        if len(mine) != len(theirs):
            what = "parameters and buffers" if self.use_buffers else "parameters"
            raise ValueError(
                f"update_parameters: the model has {len(theirs)} {what}, the averaged copy "
                f"{len(mine)}; pass the model this AveragedModel was made from"
            )
        pairs = []
        for i, (p_avg, p_model) in enumerate(zip(mine, theirs)):
            if p_avg.shape != p_model.shape:
                raise ValueError(
                    f"update_parameters: tensor {i} has shape {tuple(p_model.shape)} in the model "
                    f"but {tuple(p_avg.shape)} in the averaged copy"
                )
            pairs.append((p_avg.detach(), p_model.detach().to(p_avg.device)))
        return pairs

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) into
        the average: copy them the first time, average them after."""
        pairs = self._averaged_pairs(model)
        count = int(self.n_averaged.item())
        with no_grad():
            if count == 0:
                for p_avg, p_model in pairs:
                    p_avg.copy_(p_model)
            elif self.avg_fn is not None:
                for p_avg, p_model in pairs:
                    p_avg.copy_(self.avg_fn(p_avg, p_model, self.n_averaged.to(p_avg.device)))
            else:
                # PyTorch hands multi_avg_fn one list per (device, dtype).
                groups: dict[tuple, tuple[list, list]] = {}
                for p_avg, p_model in pairs:
                    group = groups.setdefault((str(p_avg.device), p_avg.dtype), ([], []))
                    group[0].append(p_avg)
                    group[1].append(p_model)
                average = self.multi_avg_fn
                for (device, _), (averaged, current) in groups.items():
                    if average is not None:
                        average(averaged, current, self.n_averaged.to(device))
                    else:  # PyTorch's CPU path: the plain formula, one tensor at a time
                        swa = get_swa_avg_fn()
                        for p_avg, p_model in zip(averaged, current):
                            p_avg.copy_(swa(p_avg, p_model, self.n_averaged.to(device)))
            if not self.use_buffers:  # the buffers follow the model's
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    b_avg.copy_(b_model.detach().to(b_avg.device))
            self.n_averaged += 1


def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recompute every BatchNorm layer's running statistics with one pass over ``loader``.

    Each layer's running mean and variance are reset and then estimated afresh as the
    plain average over all batches (``momentum=None`` for the pass; the layers' momenta
    are restored after it, and so is the model's training mode). Needed after weight
    averaging, whose network has activation statistics of its own (see the module's
    docstring). A model without BatchNorm layers is left alone.

    Args:
        loader: batches, each a tensor or a list/tuple whose first element is the input.
        model: the model, typically an :class:`AveragedModel`.
        device: where to move each batch first (default: leave it).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.optim.swa_utils import update_bn
        >>> bn = nn.BatchNorm1d(1).eval()
        >>> x = minigrad.tensor([[0.0], [2.0], [4.0], [6.0]])
        >>> batches = [(x[:2], 0), (x[2:], 1)]  # (input, label) pairs
        >>> update_bn(batches, bn)
        >>> bn.running_mean, bn.training
        (tensor([3.]), False)
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, list | tuple):
                    batch = batch[0]
                if device is not None:
                    batch = batch.to(device)
                model(batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's learning rate to a constant ``swa_lr`` over ``anneal_epochs``
    epochs, then hold it: the schedule of the SWA phase.

    Each step moves the rate from where it is (so it follows whatever schedule ran before)
    toward ``swa_lr``, along a half cosine (``"cos"``) or a straight line (``"linear"``).

    Args:
        optimizer: the optimizer whose groups' ``'lr'`` this sets.
        swa_lr: the final rate, one for all groups or a list with one per group.
        anneal_epochs: the number of steps the annealing takes (0: jump at the first step).
        anneal_strategy: ``"cos"`` or ``"linear"``.
        last_epoch: -1 to start a new schedule.

    Example:
        >>> import minigrad
        >>> from minigrad.optim import SGD
        >>> from minigrad.optim.swa_utils import SWALR
        >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = SWALR(opt, swa_lr=0.5, anneal_epochs=2, anneal_strategy="linear")
        >>> lrs = []
        >>> for _ in range(3):
        ...     opt.step()
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.75, 0.5, 0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        if (
            isinstance(anneal_epochs, bool)
            or not isinstance(anneal_epochs, int)
            or anneal_epochs < 0
        ):
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self._anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _anneal(self, t: float) -> float:
        """How far along the way to ``swa_lr`` the fraction ``t`` of the annealing is."""
        if self._anneal_strategy == "linear":
            return t
        return (1 - math.cos(math.pi * t)) / 2

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # The rate before this step is lr = start * (1 - a) + swa_lr * a for the previous
        # step's a: recover the start from it, then move it to this step's a.
        prev_alpha = self._anneal(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self._anneal(max(0, min(1, step / max(1, self.anneal_epochs))))
        rates = []
        for group in self.optimizer.param_groups:
            if prev_alpha == 1:
                start = group["swa_lr"]
            else:
                start = (group["lr"] - prev_alpha * group["swa_lr"]) / (1 - prev_alpha)
            rates.append(group["swa_lr"] * alpha + start * (1 - alpha))
        return rates
