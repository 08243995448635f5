"""Differentiable primitives: one :class:`~minigrad.autograd.Function` subclass per op.

They work on raw arrays and trust their arguments; ``functions/`` checks arguments,
applies PyTorch's dtype rules and calls ``SomeOp.apply``.

* ``elementwise``: arithmetic and activations;
* ``reduce``: sums, means, variances and selections along dimensions;
* ``movement``: reshapes, transposes, indexing, concatenation and padding;
* ``linalg``: matrix products;
* ``softmax``: softmax, log-softmax and the fused cross-entropy loss;
* ``mse``, ``binary_cross_entropy``: the elementwise losses PyTorch fuses;
* ``convert``: copies, dtype casts and moves between devices;
* ``conv``, ``pooling``: convolution (im2col, one product, col2im) and pooling;
* ``batchnorm``, ``normalization``: BatchNorm, and the per-sample normalizations
  (LayerNorm, GroupNorm, InstanceNorm), each with its closed-form backward;
* ``activations``: GELU, SiLU and Softplus (with an ``erf`` for GELU);
* ``trig``: sine, cosine and their hyperbolic cousins;
* ``scan``: cumulative sums and norms.
"""
