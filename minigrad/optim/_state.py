"""What the adaptive optimizers (Adam, RMSprop, Adagrad, Adadelta) share: their checks of
PyTorch's implementation flags, the per-parameter state they keep, and the step counter.

**The step counter.** PyTorch 2.x keeps ``state['step']`` as a float32 scalar *tensor* on
the CPU (so that its compiled and CUDA-graph paths can update it without a Python int), and
reads it back as a Python float for the bias corrections. minigrad keeps the same, a 0-d
float32 CPU tensor, so ``optimizer.state_dict()`` looks the way it does in PyTorch
(``{'step': tensor(3.), 'exp_avg': tensor([...]), ...}``). A float32 counter is exact up to
2**24 (about 16.7 million) steps. A checkpoint that holds a plain number instead (PyTorch
before 1.12) is converted on the next step, as PyTorch's ``__setstate__`` does.
"""

from __future__ import annotations

import numpy as np

from ..backend import Device
from ..grad_mode import enable_grad
from ..tensor import Tensor

_CPU = Device("cpu")


def check_flags(name: str, foreach, fused, differentiable) -> None:
    """Refuse the combinations of PyTorch's implementation flags that PyTorch refuses
    (``foreach`` and ``fused`` choose minigrad's update too: see ``fast/flat.py``)."""
    if foreach and fused:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if differentiable:
        raise NotImplementedError(
            f"{name}(differentiable=True) is not supported: minigrad's optimizer step records "
            f"no graph, so it cannot be differentiated through"
        )


def run_closure(closure):
    """``closure()``'s loss, evaluated with gradients on (``None`` without a closure)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def param_state(states, p: Tensor, name: str) -> dict:
    """``optimizer.state[p]``, checked: the gradient must be on the parameter's device, and
    buffers follow the parameter when it moved (``model.to``) after they were made."""
    if p.grad.device is not p.device:
        raise RuntimeError(
            f"{name}: the gradient of a parameter is on {p.grad.device} but the parameter "
            f"is on {p.device}"
        )
    state = states[p]
    for key, value in state.items():
        if key != "step" and isinstance(value, Tensor) and value.device is not p.device:
            state[key] = _follow(value, p)
    return state


def new_step() -> Tensor:
    """A fresh step counter: a float32 zero on the CPU, as PyTorch makes it."""
    return Tensor._wrap(np.zeros((), np.float32), _CPU)


def count_step(state: dict) -> float:
    """Add one to ``state['step']`` and return the new count as a Python float (the ``t``
    of the bias corrections; the first step is 1)."""
    step = state["step"]
    if not isinstance(step, Tensor) or step.device is not _CPU:
        step = state["step"] = Tensor._wrap(np.array(float(step), np.float32), _CPU)
    step._data += 1
    return float(step._data)


def init_state(state: dict, p: Tensor, *keys: str, fill: float = 0.0) -> None:
    """Make the entries of ``state`` that are missing, in PyTorch's order (so that
    ``state_dict()`` lists them as PyTorch does): ``'step'``, then each buffer in ``keys``,
    an array full of ``fill`` with ``p``'s shape, dtype and device.

    Only missing entries are made, so a buffer that an option switched on later needs (say
    ``amsgrad``, or momentum set by ``OneCycleLR``) starts then, where PyTorch would fail on
    the missing key.
    """
    if "step" not in state:
        state["step"] = new_step()
    for key in keys:
        if key not in state:
            with p.device.activate():
                array = p.device.xp.full_like(p._data, fill)
            state[key] = Tensor._wrap(array, p.device)


def _follow(buf: Tensor, p: Tensor) -> Tensor:
    """The buffer moved to the parameter's device (and cast to its dtype)."""
    with p.device.activate():
        array = p.device.move(buf._data).astype(p.dtype, copy=False)
    return Tensor._wrap(array, p.device)
