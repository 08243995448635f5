"""``minigrad.utils``: where PyTorch programs find ``utils.data`` and ``utils.checkpoint``.

``import minigrad.utils.data`` (or ``from minigrad.utils.data import DataLoader``) gives
the objects of :mod:`minigrad.data`, under the module path that ``torch.utils.data`` code
uses, so such code ports by changing ``torch`` to ``minigrad``.

Example:
    >>> import minigrad
    >>> from minigrad.utils.data import DataLoader
    >>> DataLoader is minigrad.data.DataLoader
    True
"""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
