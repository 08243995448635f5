"""``minigrad.amp``: automatic mixed precision, as ``torch.amp``.

:class:`autocast` runs a region's matrix products and convolutions in float16 and its
losses in float32; :class:`GradScaler` scales the loss so that float16 gradients do not
underflow, and skips the steps whose gradients overflowed. The two are independent: a
scaler also works on float32 gradients (it then finds no overflow).

PyTorch's older spellings ``torch.cuda.amp.autocast(...)`` and
``torch.cuda.amp.GradScaler(...)`` work too, as ``minigrad.cuda.amp``, with PyTorch's
FutureWarning (``cuda_amp.py``).

Example:
    >>> import minigrad
    >>> scaler = minigrad.amp.GradScaler("cpu", enabled=False)  # off: every call passes through
    >>> loss = minigrad.tensor(2.0, requires_grad=True)
    >>> scaler.scale(loss) is loss
    True
"""

from . import cuda_amp
from .autocast import autocast, get_autocast_dtype, is_autocast_available, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = [
    "GradScaler",
    "autocast",
    "cuda_amp",
    "get_autocast_dtype",
    "is_autocast_available",
    "is_autocast_enabled",
]
