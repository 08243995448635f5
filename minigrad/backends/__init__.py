"""``minigrad.backends``: the switches that PyTorch programs query or set under
``torch.backends`` (``cudnn``, ``cuda``, ``mps``), answered truthfully.

Not to be confused with ``minigrad/backend.py``, the array backend (NumPy or CuPy): this
package only exists so that code like ``torch.backends.mps.is_available()`` or
``torch.backends.cudnn.deterministic = True`` ports unchanged. minigrad uses neither
cuDNN nor Apple's Metal (MPS), so both say they are not available, and the cuDNN flags
are recorded without effect, as are the TF32 switches of ``cuda`` (CuPy takes its own,
``CUPY_TF32``, when it starts).

Example:
    >>> import minigrad
    >>> minigrad.backends.mps.is_available(), minigrad.backends.cudnn.is_available()
    (False, False)
"""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
