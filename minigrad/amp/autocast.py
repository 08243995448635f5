"""``autocast``: run a region's matrix products and convolutions in half precision.

::

    with minigrad.autocast(device_type="cuda", dtype=minigrad.float16):
        loss = loss_fn(model(x), y)     # forward in mixed precision
    scaler.scale(loss).backward()       # backward outside: it follows the forward's dtypes

The parameters stay float32; each op that autocast names casts its inputs on the way in
(``autocast_mode.py`` has the rule and says which ops take part). On a GPU float16 matrix
products run on tensor cores; on the CPU NumPy has no float16 BLAS, so there autocast saves
memory, not time, and exists so that PyTorch's programs run.

PyTorch's default CPU dtype is bfloat16, which minigrad does not have: on the CPU give
``dtype=minigrad.float16``; without it autocast is off there, with a warning, as PyTorch
does for a dtype it does not support.
"""

from __future__ import annotations

import contextlib
import warnings

from .. import autocast_mode
from .. import dtypes as _dtypes

__all__ = ["autocast", "get_autocast_dtype", "is_autocast_available", "is_autocast_enabled"]

_DEVICE_TYPES = ("cpu", "cuda")


class autocast(contextlib.ContextDecorator):
    """Mixed precision for a region (a ``with`` block, or a decorated function).

    Args:
        device_type: ``"cuda"`` or ``"cpu"``: autocast applies to the ops on that device.
        dtype: the lower precision, ``minigrad.float16`` (the default on ``"cuda"``; on
            ``"cpu"`` PyTorch's default is bfloat16, which minigrad lacks: see above).
        enabled: False turns autocast off in the region (nested inside an enabled one).
        cache_enabled: accepted for PyTorch's programs; casts are not cached here.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.Linear(3, 2)
        >>> x = minigrad.randn(4, 3)
        >>> with minigrad.autocast("cpu", dtype=minigrad.float16):
        ...     y = layer(x)               # a matrix product: in float16
        ...     loss = (y.float() ** 2).mean()
        >>> y.dtype, loss.dtype
        (dtype('float16'), dtype('float32'))
        >>> loss.backward()
        >>> layer.weight.grad.dtype        # the parameters' gradients stay float32
        dtype('float32')
    """

    def __init__(
        self, device_type: str, dtype=None, enabled: bool = True, cache_enabled=None
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(
                f"Expected `device_type` of type `str`, got: `{type(device_type).__name__}`"
            )
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}' "
                f"(minigrad's are 'cpu' and 'cuda')"
            )
        self.device = device_type
        self.fast_dtype = _dtypes.float16 if dtype is None and device_type == "cuda" else dtype
        self._enabled = bool(enabled)
        self._cache_enabled = cache_enabled
        self._saved: list = []  # the states to restore, one per __enter__ (they nest)
        if not self._enabled:
            return
        if self.fast_dtype is None:  # the CPU's default, bfloat16, does not exist here
            warnings.warn(
                "CPU autocast's default dtype is bfloat16, which minigrad does not have: "
                "autocast is disabled. Pass dtype=minigrad.float16 to run in half precision.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        elif _dtypes.to_dtype(self.fast_dtype) != _dtypes.float16:
            which = "CPU" if device_type == "cpu" else "CUDA"
            warnings.warn(
                f"In {which} autocast, but the target dtype is not supported. Disabling "
                f"autocast.\n{which} Autocast only supports dtype of float16 in minigrad "
                f"(got {self.fast_dtype}).",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        else:
            self.fast_dtype = _dtypes.float16

    def __enter__(self):
        self._saved.append(autocast_mode.dtype_for(self.device))
        autocast_mode.set_state(self.device, self.fast_dtype if self._enabled else None)
        return self

    def __exit__(self, *exc) -> None:
        autocast_mode.set_state(self.device, self._saved.pop())


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can run on ``device_type`` (``"cpu"`` or ``"cuda"``).

    Example:
        >>> import minigrad
        >>> minigrad.amp.is_autocast_available("cpu"), minigrad.amp.is_autocast_available("mps")
        (True, False)
    """
    return device_type in _DEVICE_TYPES


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` here (PyTorch's default: ``"cuda"``).

    Example:
        >>> import minigrad
        >>> with minigrad.autocast("cpu", dtype=minigrad.float16):
        ...     minigrad.is_autocast_enabled("cpu"), minigrad.is_autocast_enabled()
        (True, False)
    """
    return autocast_mode.dtype_for(device_type) is not None


def get_autocast_dtype(device_type: str):
    """The dtype autocast uses on ``device_type``: float16 (minigrad's only one).

    Example:
        >>> import minigrad
        >>> minigrad.get_autocast_dtype("cuda")
        dtype('float16')
    """
    if device_type not in _DEVICE_TYPES:
        raise RuntimeError(f"unsupported autocast device_type '{device_type}'")
    return autocast_mode.dtype_for(device_type) or _dtypes.float16
