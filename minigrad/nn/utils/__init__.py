"""``minigrad.nn.utils``: helpers that work on whole modules, as in ``torch.nn.utils``.

* ``clip_grad.py``: ``clip_grad_norm_`` and ``clip_grad_value_``, which cap the gradients
  between ``backward()`` and ``step()`` (and ``get_total_norm``, ``clip_grads_with_norm_``,
  the two halves of ``clip_grad_norm_``);
* ``convert_parameters.py``: ``parameters_to_vector`` and ``vector_to_parameters``;
* ``fusion.py``: fold an evaluation-mode BatchNorm into the Linear or Conv2d layer before
  it (``fuse_linear_bn_eval``, ``fuse_conv_bn_eval``, and ``fold_batchnorm`` for a whole
  ``Sequential``), so that inference does one affine map instead of two;
* ``parametrize.py`` and ``parametrizations.py``: a tensor computed from others each time
  it is read (``register_parametrization``), and weight and spectral normalization so;
* ``prune.py`` (the submodule ``nn.utils.prune``): zero a fraction of a layer's weights
  through a mask (by magnitude, by channel norm, at random, or across layers at once);
* ``weight_norm.py`` and ``spectral_norm.py``: a weight reparametrized before every
  forward, as a length times a direction, or divided by its largest singular value
  (PyTorch's hook-based forms, with its names);
* ``stateless.py`` (the submodule ``nn.utils.stateless``): a module called with other
  tensors in place of its parameters and buffers (``minigrad.func.functional_call``, and
  PyTorch's deprecated ``stateless.functional_call``);
* ``rnn.py`` (the submodule ``nn.utils.rnn``): padding and packing batches of sequences of
  different lengths for the recurrent layers (``pad_sequence``, ``pack_padded_sequence``,
  ``pad_packed_sequence``, ``PackedSequence``, ...).
"""

from . import parametrizations, parametrize, prune, rnn, stateless
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import (
    fold_batchnorm,
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "fold_batchnorm",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "prune",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "spectral_norm",
    "stateless",
    "vector_to_parameters",
    "weight_norm",
]
