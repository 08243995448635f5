"""``minigrad.backends``: the switches that PyTorch programs query or set under
``torch.backends`` (``cudnn``, ``mps``), answered truthfully.

Not to be confused with ``minigrad/backend.py``, the array backend (NumPy or CuPy): this
package only exists so that code like ``torch.backends.mps.is_available()`` or
``torch.backends.cudnn.deterministic = True`` ports unchanged. minigrad uses neither
cuDNN nor Apple's Metal (MPS), so both say they are not available, and the cuDNN flags
are recorded without effect.

Example:
    >>> import minigrad
    >>> minigrad.backends.mps.is_available(), minigrad.backends.cudnn.is_available()
    (False, False)
"""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
