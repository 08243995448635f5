"""``GradScaler``: loss scaling, so that float16 gradients neither underflow nor go unseen
when they overflow.

A float16 number below about 6e-8 rounds to zero, and gradients are often that small. So
the loss is multiplied by a large *scale* S before ``backward()``; every gradient comes out
S times larger (the chain rule is linear), and is divided by S again before the optimizer
uses it. If a scaled gradient overflowed to inf or NaN, the step is skipped and S halved;
after ``growth_interval`` steps without overflow S is doubled, so it stays near the
largest value that does not overflow. The loop, as in PyTorch::

    scaler = minigrad.amp.GradScaler()
    for x, y in batches:
        optimizer.zero_grad()
        with minigrad.autocast(device_type="cuda", dtype=minigrad.float16):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()   # gradients of S * loss
        scaler.unscale_(optimizer)      # optional: true gradients, e.g. for clipping
        scaler.step(optimizer)          # unscale (if not done), then step unless inf/NaN
        scaler.update()                 # halve S after an overflow, grow it after a calm

With ``enabled=False`` every method passes through (``scale`` returns the loss as it is,
``step`` just steps), so one script serves both precisions. A scaler made for ``"cuda"``
on a machine without a GPU disables itself with a warning, as PyTorch's does.

The scale here is a Python float, and the inf/NaN check reads one number from the device
per optimizer step (PyTorch keeps both on the device and reads it too, when it decides
whether to step).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import creation, cuda
from ..backend import quiet_for
from ..grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["GradScaler"]

# An optimizer's stage between two update() calls.
READY, UNSCALED, STEPPED = "ready", "unscaled", "stepped"


class GradScaler:
    """Scale the loss, unscale the gradients, skip the steps that overflowed.

    Args:
        device: ``"cuda"`` (PyTorch's default) or ``"cpu"``.
        init_scale: the first scale S.
        growth_factor: S is multiplied by this (> 1) after ``growth_interval`` steps
            without inf or NaN.
        backoff_factor: and by this (< 1) after a step with one.
        growth_interval: the number of clean steps between two growths.
        enabled: False makes every method pass through.

    Example:
        >>> import minigrad
        >>> from minigrad.amp import GradScaler
        >>> w = minigrad.tensor([1.0], requires_grad=True)
        >>> opt = minigrad.optim.SGD([w], lr=0.1)
        >>> scaler = GradScaler("cpu", init_scale=1024.0, growth_interval=1)
        >>> scaler.scale((3 * w).sum()).backward()
        >>> w.grad  # 1024 * 3
        tensor([3072.])
        >>> scaler.step(opt)  # unscales to 3, then steps
        >>> w, scaler.get_scale()
        (tensor([0.7000], requires_grad=True), 1024.0)
        >>> scaler.update()  # one clean step: the scale grows
        >>> scaler.get_scale()
        2048.0
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = str(device)
        self._enabled = bool(enabled)
        if self._enabled and self._device == "cuda" and not cuda.is_available():
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            if not growth_factor > 1.0:
                raise ValueError(f"The growth factor must be > 1.0, got {growth_factor}.")
            if not backoff_factor < 1.0:
                raise ValueError(f"The backoff factor must be < 1.0, got {backoff_factor}.")
        self._scale = _float32(init_scale)
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._growth_tracker = 0  # clean steps since the scale last changed
        self._started = False  # scale() has been called: the loop has begun
        self._optimizers: dict[int, dict[str, Any]] = {}  # per optimizer: stage, found_inf
        self._scale_tensor = None  # ((device, S), S as a tensor on that device)

    # --- the loop ---------------------------------------------------------------------

    def scale(self, outputs):
        """``outputs * S``: a tensor, or tensors in (nested) lists and tuples."""
        if not self._enabled:
            return outputs
        self._started = True
        if isinstance(outputs, Tensor):
            with quiet_for(outputs._data):  # a scaled loss may overflow: that is the check
                return outputs * self._scale_on(outputs.device)
        if isinstance(outputs, list | tuple):
            return type(outputs)(self.scale(o) for o in outputs)
        if hasattr(outputs, "__iter__"):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divide the optimizer's gradients by S in place, and note whether any is inf or
        NaN. Call it before clipping gradients; at most once per optimizer and update."""
        if not self._enabled:
            return
        self._check_started("unscale_")
        state = self._state(optimizer)
        if state["stage"] is UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inverse = _float32(1.0 / self._scale)  # as PyTorch: in double, then rounded
        grads = [p.grad for group in optimizer.param_groups for p in group["params"]
                 if p.grad is not None]  # fmt: skip
        for grad in grads:
            if grad.dtype == np.float16:
                raise ValueError("Attempting to unscale FP16 gradients.")
        found_inf = False
        with no_grad(), quiet_for(grads[0]._data if grads else None):
            for grad in grads:
                grad.mul_(inverse)
            if grads:  # one read from the device for all of them
                found_inf = not bool(_all_finite(grads))
        state["found_inf"] = found_inf if grads else None
        state["stage"] = UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale the gradients (unless :meth:`unscale_` did), then ``optimizer.step()``
        unless one of them was inf or NaN. Returns what ``step`` returned, or None."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_started("step")
        state = self._state(optimizer)
        if state["stage"] is STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise RuntimeError(
                "No inf checks were recorded for this optimizer: none of its parameters has "
                "a gradient (did backward() run on the scaled loss?)"
            )
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """End the iteration: set S to ``new_scale`` if given; else multiply it by
        ``backoff_factor`` if any optimizer's step found inf or NaN, or by
        ``growth_factor`` after ``growth_interval`` clean steps in a row."""
        if not self._enabled:
            return
        self._check_started("update")
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise ValueError(
                        "new_scale should be a float or a 1-element tensor with "
                        "requires_grad=False."
                    )
                new_scale = new_scale.item()
            self._scale = _float32(new_scale)
        else:
            found = [
                s["found_inf"] for s in self._optimizers.values() if s["found_inf"] is not None
            ]
            if not found:
                raise RuntimeError(
                    "No inf checks were recorded prior to update(): call scaler.step(optimizer) "
                    "(or unscale_) first."
                )
            if any(found):
                self._scale = _float32(self._scale * self._backoff_factor)
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = _float32(self._scale * self._growth_factor)
                    if math.isfinite(grown):  # PyTorch's kernel keeps a finite scale
                        self._scale = grown
                    self._growth_tracker = 0
        self._optimizers = {}

    # --- reading and setting ------------------------------------------------------------

    def get_scale(self) -> float:
        """The current scale S (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        """The factor S grows by after ``growth_interval`` clean steps."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The factor S shrinks by after a step with inf or NaN."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """The number of clean steps between two growths."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval."""
        self._growth_interval = new_interval

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False: every method passes through)."""
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """The scale and its settings, PyTorch's keys (empty when disabled)."""
        if not self._enabled:
            return {}
        return {
            "scale": self._scale,
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved "
                "from a disabled instance of GradScaler."
            )
        self._scale = _float32(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])

    # --- helpers --------------------------------------------------------------------------

    def _scale_on(self, device) -> Tensor:
        """S as a float32 0-d tensor on ``device``, as PyTorch multiplies by (so a float16
        0-d loss becomes a float32 one), made once per device and value."""
        key = (device, self._scale)
        if self._scale_tensor is None or self._scale_tensor[0] != key:
            self._scale_tensor = (
                key,
                creation.tensor(self._scale, dtype=np.float32, device=device),
            )
        return self._scale_tensor[1]

    def _state(self, optimizer) -> dict[str, Any]:
        return self._optimizers.setdefault(id(optimizer), {"stage": READY, "found_inf": None})

    def _check_started(self, name: str) -> None:
        if not self._started:
            raise RuntimeError(
                f"Attempted {name} before any scale(): the loop is "
                f"scaler.scale(loss).backward(), then scaler.step(optimizer), scaler.update()."
            )


def _float32(value: float) -> float:
    """``value`` rounded to float32, as PyTorch stores its scale (inf beyond its range)."""
    with np.errstate(over="ignore"):
        return float(np.float32(value))


def _all_finite(grads: list[Tensor]) -> bool:
    """Whether every element of every gradient is finite (one device read per device)."""
    by_device: dict = {}
    for g in grads:
        by_device.setdefault(g.device, []).append(g)
    for device, group in by_device.items():
        xp = device.xp
        if not bool(xp.stack([xp.isfinite(g._data).all() for g in group]).all()):
            return False
    return True
