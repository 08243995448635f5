"""Fast paths, each registered for the op it speeds up and a device type.

Importing this package registers them all (``minigrad/__init__.py`` does, last). Each
module says what its fast path changes from the reference code, and why:

* ``conv.py``: the convolution on the CPU (chunks, wide rows, gradient columns) and on
  GPUs (im2col and col2im kernels);
* ``batchnorm.py``: BatchNorm in fewer passes on the CPU, fused kernels on GPUs;
* ``elementwise.py``: ReLU's backward as a multiply on the CPU, one kernel on GPUs;
* ``pooling.py``: max pooling's backward with multiplies on the CPU;
* ``half_products.py``: float16 matrix products on the CPU, computed in float32;
* ``rnn.py``: a recurrent layer's loop over time as one op, with backpropagation
  through time written out (both devices);
* ``sgd.py``: SGD's update with fewer new arrays on the CPU, in one kernel on GPUs;
* ``flat.py``: with ``foreach=True``, an optimizer's update once for a whole group, on
  flat arrays (on both devices);
* ``checks.py``: cross-entropy's target check on the GPU, without waiting for it.

The GPU paths call the fused kernels of ``cuda_kernels.py`` through ``gpu.kernels``.

``MINIGRAD_REFERENCE=1`` (see :mod:`minigrad.fastpath`) leaves them all unused.
"""

from . import batchnorm, checks, conv, elementwise, flat, half_products, pooling, rnn, sgd

__all__ = [
    "batchnorm",
    "checks",
    "conv",
    "elementwise",
    "flat",
    "half_products",
    "pooling",
    "rnn",
    "sgd",
]
