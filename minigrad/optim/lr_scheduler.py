"""Learning-rate schedules: change each parameter group's ``'lr'`` as training goes on.

A scheduler wraps an optimizer. Call ``scheduler.step()`` once per epoch (or per
iteration, if the schedule is counted in iterations), *after* ``optimizer.step()``::

    for epoch in range(epochs):
        train_one_epoch(model, optimizer)   # calls optimizer.step() many times
        scheduler.step()                     # then moves to the next learning rate

``last_epoch`` counts the calls: it is 0 once the scheduler is built (building it performs
"step 0", which leaves the learning rates unchanged) and goes up by one per ``step()``.
When a scheduler is built with ``last_epoch=-1`` it records each group's starting rate as
``group['initial_lr']`` (the ``base_lrs``), which is what schedules decay from.

The values match PyTorch 2.13 step by step, because the arithmetic is the same Python
float arithmetic in the same order. In particular :class:`CosineAnnealingLR` uses
PyTorch's *recursive* form (each rate computed from the previous one), not the closed form.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class for learning-rate schedulers: subclasses implement :meth:`get_lr`.

    Args:
        optimizer: the optimizer whose groups' ``'lr'`` this scheduler sets.
        last_epoch: -1 (default) to start a new schedule. Any other value resumes one and
            needs ``'initial_lr'`` in every group (restore the optimizer's state first).

    Example:
        >>> import minigrad
        >>> from minigrad.optim import SGD
        >>> from minigrad.optim.lr_scheduler import StepLR
        >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for _ in range(4):
        ...     opt.step()
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [1.0, 0.5, 0.5, 0.25]
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming scheduler with last_epoch >= 0 (load the optimizer's "
                        f"state_dict first, or start with last_epoch=-1)"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        if not getattr(optimizer, "_has_scheduler", False):
            # Only optimizer steps from now on count for the order warning in step(): PyTorch
            # starts watching optimizer.step when the first scheduler is attached.
            optimizer._opt_called = False
            optimizer._has_scheduler = True
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the epoch ``last_epoch`` has just moved to (internal: call
        :meth:`get_last_lr` to read the current ones)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rate of each parameter group, as last set by this scheduler.

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> from minigrad.optim.lr_scheduler import StepLR
            >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> StepLR(opt, step_size=10).get_last_lr()
            [0.1]
        """
        return list(self._last_lr)

    def step(self) -> None:
        """Advance the schedule by one epoch and write the new rates into the optimizer.

        Warns (as PyTorch does) when the first call comes before any ``optimizer.step()``:
        that order skips the first learning rate of the schedule.

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> from minigrad.optim.lr_scheduler import StepLR
            >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = StepLR(opt, step_size=1, gamma=0.5)
            >>> opt.step(); sched.step()
            >>> opt.param_groups[0]["lr"]
            0.05
        """
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. You "
                "should call them in the opposite order: `optimizer.step()` before "
                "`lr_scheduler.step()`. Failure to do this will result in skipping the first "
                "value of the learning rate schedule.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self._get_lr_called_within_step = True
        try:
            self.last_epoch += 1
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _warn_if_called_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use "
                "`get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def state_dict(self) -> dict[str, Any]:
        """Everything in the scheduler except the optimizer (plain Python values).

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> from minigrad.optim.lr_scheduler import StepLR
            >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sd = StepLR(opt, step_size=3).state_dict()
            >>> sd["last_epoch"], sd["step_size"], sd["base_lrs"]
            (0, 3, [0.1])
        """
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned.

        To resume training, build the optimizer and the scheduler as before, then load the
        scheduler's state and the optimizer's (building a scheduler writes the optimizer's
        learning rates, so the optimizer's state must be loaded after that).

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> from minigrad.optim.lr_scheduler import StepLR
            >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = StepLR(opt, step_size=3)
            >>> sched.load_state_dict({**sched.state_dict(), "last_epoch": 5})
            >>> sched.last_epoch
            5
        """
        if "optimizer" in state_dict:
            raise ValueError("a scheduler state_dict must not contain the optimizer")
        self.__dict__.update(state_dict)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


class StepLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` every ``step_size`` epochs.

    With ``lr=0.05, step_size=30, gamma=0.1``: 0.05 for epochs 0-29, 0.005 for 30-59,
    0.0005 for 60-89, and so on. The decay multiplies the group's *current* rate, so it
    composes with other changes made to ``'lr'`` in the meantime.

    Example:
        >>> import minigrad
        >>> from minigrad.optim import SGD
        >>> from minigrad.optim.lr_scheduler import StepLR
        >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=0.05)
        >>> sched = StepLR(opt, step_size=30, gamma=0.1)
        >>> for epoch in range(30):
        ...     opt.step()   # the epoch's training
        ...     sched.step()
        >>> round(sched.get_last_lr()[0], 6)
        0.005
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal each group's learning rate from its initial value to ``eta_min`` along half a
    cosine over ``T_max`` epochs (SGDR without restarts).

    The closed form is ``eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``.
    PyTorch (and so minigrad) computes it *recursively*, each rate from the previous one::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max))
                                               / (1 + cos(pi (t-1) / T_max))

    which agrees with the closed form up to rounding but also follows changes made to
    ``'lr'`` from outside. At ``t = T_max`` the rate reaches ``eta_min``; past it the rate
    rises again along the cosine (the step right after the minimum, where the ratio would
    divide by zero, uses an additive form instead).

    Example:
        >>> import minigrad
        >>> from minigrad.optim import SGD
        >>> from minigrad.optim.lr_scheduler import CosineAnnealingLR
        >>> opt = SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = CosineAnnealingLR(opt, T_max=4)
        >>> lrs = []
        >>> for _ in range(4):
        ...     opt.step()
        ...     sched.step()
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs
        [0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        groups = self.optimizer.param_groups
        eta_min, t_max, epoch = self.eta_min, self.T_max, self.last_epoch
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and epoch > 0:  # resumed with last_epoch > 0: closed form
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(epoch * math.pi / t_max)) / 2
                for base_lr in self.base_lrs
            ]
        if (epoch - 1 - t_max) % (2 * t_max) == 0:  # just past a minimum: additive form
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base_lr, group in zip(self.base_lrs, groups)
            ]
        return [
            (1 + math.cos(math.pi * epoch / t_max))
            / (1 + math.cos(math.pi * (epoch - 1) / t_max))
            * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]
