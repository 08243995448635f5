"""Autocast's state, and the rule it applies to the ops it names (``amp/`` is its API).

Inside ``with minigrad.autocast(device_type, dtype=minigrad.float16):`` the ops that gain
most from half precision and lose least (matrix products, convolutions) run in it, those
that need the range and resolution of float32 (losses, reductions, softmax on the GPU) run
in float32, and every other op runs in whatever dtype its inputs have. An op takes part by
a decorator on its public function, stating its policy per device type::

    @autocast_mode.casts(cpu="lower", cuda="lower")
    def linear(input, weight, bias=None): ...

``"lower"`` casts the float32 tensors among the arguments to the autocast dtype;
``"float32"`` casts the float16 ones to float32; ``"keep"`` casts nothing (an op made of
others that would cast, where PyTorch's one op would not); ``"refuse"`` raises (PyTorch's
CUDA ``binary_cross_entropy``, unsafe in float16: use the logits form). float64 tensors
are never cast, nor are integers. The casts are ordinary differentiable ops, so gradients
flow back through them to the float32 parameters in float32. While the op runs, autocast
is off: the ops it calls inside run as it chose. The lists are PyTorch 2.13's (they differ
between the CPU and CUDA). Normalisations take a float16 input with float32 weights as
PyTorch's do (``nn/functional_norm.py``), so autocast's activations pass through them.

Outside autocast a decorated function costs one call and one test of a global flag.
"""

from __future__ import annotations

import functools

from . import autograd
from . import dtypes as _dtypes

LOWER, FLOAT32, KEEP, REFUSE = "lower", "float32", "keep", "refuse"

# The lower-precision dtype per device type while autocast is on there (None: off).
_dtype: dict[str, object] = {"cpu": None, "cuda": None}
_any = False  # whether autocast is on for any device type: the decorators' fast exit


def dtype_for(device_type: str):
    """The dtype autocast runs ``device_type``'s lower-precision ops in, or None if off."""
    return _dtype.get(device_type)


def set_state(device_type: str, dtype) -> None:
    """Turn autocast on for ``device_type`` with ``dtype``, or off with None."""
    global _any
    _dtype[device_type] = dtype
    _any = any(d is not None for d in _dtype.values())


def casts(**policies: str):
    """Decorate a public function with its autocast policy per device type, as
    ``casts(cpu="lower", cuda="float32")`` (a device type not named: left alone)."""

    def decorate(fn):
        @functools.wraps(fn)
        def autocast_wrapper(*args, **kwargs):
            if not _any:
                return fn(*args, **kwargs)
            return _call(fn, policies, args, kwargs)

        return autocast_wrapper

    return decorate


def _call(fn, policies, args, kwargs):
    """Run ``fn`` with its arguments cast as its policy says, and autocast off inside."""
    first = next((a for a in _tensors(args, kwargs)), None)
    if first is None:
        return fn(*args, **kwargs)
    device_type = first.device.type
    lower, policy = _dtype.get(device_type), policies.get(device_type)
    if lower is None or policy is None:
        return fn(*args, **kwargs)
    if policy == REFUSE:
        raise RuntimeError(
            f"minigrad.nn.functional.{fn.__name__} is unsafe to autocast (PyTorch refuses it "
            f"too): many models apply a sigmoid right before it, and in float16 the two lose "
            f"precision. Combine them with binary_cross_entropy_with_logits (or "
            f"nn.BCEWithLogitsLoss), which is safe to autocast."
        )
    if policy == KEEP:
        source = target = None  # nothing is cast
    elif policy == LOWER:
        source, target = _dtypes.float32, lower
    else:
        source, target = _dtypes.float16, _dtypes.float32
    args = tuple(_cast(a, source, target) for a in args)
    kwargs = {k: _cast(v, source, target) for k, v in kwargs.items()}
    set_state(device_type, None)
    try:
        return fn(*args, **kwargs)
    finally:
        set_state(device_type, lower)


def _tensors(args, kwargs):
    for value in (*args, *kwargs.values()):
        if isinstance(value, autograd.Tensor):
            yield value
        elif isinstance(value, list | tuple):
            yield from (v for v in value if isinstance(v, autograd.Tensor))


def _cast(value, source, target):
    """``value`` in ``target`` if it is a tensor of dtype ``source`` (also inside a list or
    tuple, as einsum's operands); anything else as it is."""
    if isinstance(value, autograd.Tensor):
        return value.to(target) if source is not None and value.dtype == source else value
    if isinstance(value, list | tuple) and any(isinstance(v, autograd.Tensor) for v in value):
        return type(value)(_cast(v, source, target) for v in value)
    return value
