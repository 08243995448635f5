"""``minigrad.nn.utils``: helpers that work on whole modules, as in ``torch.nn.utils``.

* ``fusion.py``: fold an evaluation-mode BatchNorm into the Linear or Conv2d layer before
  it (``fuse_linear_bn_eval``, ``fuse_conv_bn_eval``, and ``fold_batchnorm`` for a whole
  ``Sequential``), so that inference does one affine map instead of two.
"""

from .fusion import (
    fold_batchnorm,
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)

__all__ = [
    "fold_batchnorm",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]
