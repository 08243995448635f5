"""``minigrad.cuda.amp``: PyTorch's deprecated spellings of autocast and GradScaler.

``torch.cuda.amp.autocast(...)`` is ``torch.amp.autocast("cuda", ...)`` and
``torch.cuda.amp.GradScaler(...)`` is ``torch.amp.GradScaler("cuda", ...)``; both warn
that they are deprecated. Many training scripts still use them, so this module is also
importable as ``minigrad.cuda.amp`` (``from minigrad.cuda.amp import autocast``): it is
registered under that name below, because ``minigrad.cuda`` belongs to the backend layer,
which must not import this one.
"""

from __future__ import annotations

import sys
import warnings

from .. import cuda
from .. import dtypes as _dtypes
from . import autocast as _autocast
from . import grad_scaler as _grad_scaler

__all__ = ["GradScaler", "autocast"]


class autocast(_autocast.autocast):
    """Deprecated: ``minigrad.autocast("cuda", ...)``.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     region = minigrad.cuda.amp.autocast()
        >>> caught[0].category.__name__, region.device
        ('FutureWarning', 'cuda')
    """

    def __init__(self, enabled: bool = True, dtype=_dtypes.float16, cache_enabled: bool = True):
        warnings.warn(
            "`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
            "`torch.amp.autocast('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_grad_scaler.GradScaler):
    """Deprecated: ``minigrad.amp.GradScaler("cuda", ...)``.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     scaler = minigrad.cuda.amp.GradScaler(enabled=False)
        >>> caught[0].category.__name__, scaler.is_enabled()
        ('FutureWarning', False)
    """

    def __init__(self, *args, **kwargs) -> None:  # GradScaler's, after the device
        warnings.warn(
            "`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
            "`torch.amp.GradScaler('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__("cuda", *args, **kwargs)


# ``minigrad.cuda.amp``, as an attribute and as an importable module name.
cuda.amp = sys.modules[__name__]
sys.modules[cuda.__name__ + ".amp"] = sys.modules[__name__]
