"""``minigrad.nn.functional``: the layers and losses as plain functions.

The modules in ``minigrad.nn`` hold parameters and state and call these; the functions
check their arguments and call one differentiable primitive each.
"""

from __future__ import annotations

from .. import autocast_mode, fastpath
from .. import autograd as _autograd
from .. import dtypes as _dtypes
from .. import functions as _F
from ..functions import (
    cross_entropy,
    log_softmax,
    nll_loss,
    pad,
    sigmoid,
    softmax,
    tanh,
)
from ..functions_select import one_hot
from ..ops import activations as _activations
from ..ops import batchnorm as _batchnorm
from ..ops import elementwise as _elementwise
from ..ops import linalg as _linalg
from ..ops import mse as _mse
from ..tensor import Tensor
from .bilinear import bilinear
from .embedding import embedding, embedding_bag
from .functional_activations import (
    celu,
    elu,
    glu,
    gumbel_softmax,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    rrelu,
    selu,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from .functional_adaptive import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d
from .functional_attention import multi_head_attention_forward, scaled_dot_product_attention
from .functional_conv import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d
from .functional_conv3d import (
    adaptive_avg_pool3d,
    avg_pool3d,
    conv3d,
    conv_transpose3d,
    dropout3d,
    max_pool3d,
)
from .functional_conv_variants import (
    adaptive_avg_pool1d,
    avg_pool1d,
    conv1d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool1d,
)
from .functional_ctc import ctc_loss
from .functional_distance import (
    cosine_embedding_loss,
    cosine_similarity,
    hinge_embedding_loss,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    normalize,
    pairwise_distance,
    pdist,
    soft_margin_loss,
    triplet_margin_loss,
)
from .functional_dropout import (
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    feature_alpha_dropout,
    require_float,
)
from .functional_grid import affine_grid, grid_sample
from .functional_interpolate import (
    channel_shuffle,
    fold,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
)
from .functional_likelihood import gaussian_nll_loss, poisson_nll_loss
from .functional_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    kl_div,
    l1_loss,
    smooth_l1_loss,
    warn_if_sizes_differ,
)
from .functional_margin import (
    multi_margin_loss,
    multilabel_margin_loss,
    triplet_margin_with_distance_loss,
)
from .functional_norm import (
    _half_input_float32_layer,
    group_norm,
    instance_norm,
    layer_norm,
    local_response_norm,
    rms_norm,
)
from .functional_pooling import (
    fractional_max_pool2d,
    fractional_max_pool3d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from .functional_spellings import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    celu_,
    elu_,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d_with_indices,
    hardtanh_,
    leaky_relu_,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    relu_,
    rrelu_,
    selu_,
    threshold_,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "affine_grid",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "ctc_loss",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "elu_",
    "embedding",
    "embedding_bag",
    "feature_alpha_dropout",
    "fold",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "hinge_embedding_loss",
    "huber_loss",
    "instance_norm",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "mish",
    "mse_loss",
    "multi_head_attention_forward",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "scaled_dot_product_attention",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]


@autocast_mode.casts(cpu="lower", cuda="lower")
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for ``input`` (*, in), ``weight`` (out, in), ``bias`` (out,).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.linear(minigrad.ones(2, 3), minigrad.ones(4, 3)).shape
        minigrad.Size([2, 4])
    """
    if not (
        isinstance(input, Tensor) and isinstance(weight, Tensor) and weight.ndim == 2
        and input.ndim > 0 and input.shape[-1] == weight.shape[1] and input.dtype == weight.dtype
        and (bias is None or (bias.shape == (weight.shape[0],) and bias.dtype == input.dtype))
    ):  # fmt: skip
        _linear_error(input, weight, bias)  # says what is wrong
    return _linalg.Linear.apply(input, weight, bias)


def _linear_error(input, weight, bias) -> None:
    """Raise the error that says what is wrong with :func:`linear`'s arguments."""
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError("linear expects tensors for input and weight")
    if weight.ndim != 2 or input.ndim == 0:
        raise RuntimeError(
            f"linear: weight must be 2-D (out_features, in_features) and input at least 1-D; "
            f"got weight {tuple(weight.shape)} and input {tuple(input.shape)}"
        )
    if input.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"linear: input has {input.shape[-1]} features (the last dim of shape "
            f"{tuple(input.shape)}), but the weight of shape {tuple(weight.shape)} expects "
            f"{weight.shape[1]}"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(
            f"linear: bias must have shape ({weight.shape[0]},), got {tuple(bias.shape)}"
        )
    dtypes = {t.dtype for t in (input, weight, bias) if t is not None}
    if len(dtypes) > 1:
        raise RuntimeError(
            f"linear: input, weight and bias must have the same dtype, got "
            f"{', '.join(sorted(d.name for d in dtypes))} (convert with .float() or .double())"
        )
    raise RuntimeError("linear: bad arguments")  # (unreachable: one check above fails)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) of ``input`` (N, C, ...), then scale and shift.

    In training, the batch's mean and biased variance normalise the input, and the running
    estimates (if given) move towards the batch's mean and *unbiased* variance:
    ``running = (1 - momentum) * running + momentum * batch``. Otherwise the running
    estimates normalise the input.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([[1.0, 10.0], [3.0, 30.0]])  # (N=2, C=2)
        >>> mean, var = minigrad.zeros(2), minigrad.ones(2)
        >>> F.batch_norm(x, mean, var, training=True)  # normalised with the batch's statistics
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> mean, var  # moved 10% of the way to the batch's mean and unbiased variance
        (tensor([0.2000, 2.0000]), tensor([ 1.1000, 20.9000]))
        >>> F.batch_norm(x, mean, var)  # inference: the running estimates normalise
        tensor([[0.7628, 1.7499],
                [2.6697, 6.1247]])
    """
    if not (isinstance(input, Tensor) and input.ndim >= 2 and all(
        t is None or (t.shape == (input.shape[1],) and t.device is input.device
                      and t.dtype == input.dtype)
        for t in (running_mean, running_var, weight, bias)
    )):  # fmt: skip
        if _half_input_float32_layer(input, running_mean, running_var, weight, bias):
            out = batch_norm(input.float(), running_mean, running_var, weight, bias, training,
                             momentum, eps)  # fmt: skip
            return out.half()  # autocast's float16 activations through a float32 layer
        _check_batch_norm(input, running_mean, running_var, weight, bias)  # says what is wrong
    if not training:
        return _batch_norm_eval(input, running_mean, running_var, weight, bias, eps)
    count = input.numel() // input.shape[1]  # the values per channel
    if count <= 1 or (running_mean is None) != (running_var is None):
        return _batch_norm_edge(input, running_mean, running_var, weight, bias, count)
    stats = {}
    out = _batchnorm.BatchNorm.apply(input, weight, bias, eps=eps, stats=stats)
    if running_mean is not None:
        update = fastpath.active.get(
            (update_running_stats, input.device.type), update_running_stats
        )
        update(running_mean, running_var, stats["mean"], stats["var"], momentum, count)
    return out


def _batch_norm_eval(input, running_mean, running_var, weight, bias, eps) -> Tensor:
    """:func:`batch_norm` in inference: the running estimates normalise the input."""
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var are needed in eval mode")
    return _batchnorm.BatchNorm.apply(
        input, weight, bias, mean=running_mean._data, var=running_var._data, eps=eps
    )


def _batch_norm_edge(input, running_mean, running_var, weight, bias, count) -> Tensor:
    """:func:`batch_norm` in training where there are no batch statistics to use: an
    empty batch (the input passes through scaled and shifted, with zero gradients), and
    the errors for one value per channel and for half of the running estimates."""
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if count == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size "
            f"{tuple(input.shape)}"
        )
    shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    out = input * (1.0 if weight is None else weight.reshape(shape))
    return out if bias is None else out + bias.reshape(shape)


def update_running_stats(running_mean, running_var, mean, var, momentum, count) -> None:
    """``running = (1 - momentum) * running + momentum * batch`` for the mean and the
    variance (either may be None), the batch variance unbiased (times count / (count - 1))
    as PyTorch does, from the batch's ``mean`` and biased ``var`` arrays. The estimates are
    buffers, not part of any graph: they are updated in place, on their arrays."""
    if running_mean is not None:
        running_mean._data *= 1.0 - momentum
        running_mean._data += momentum * mean
        running_mean._version.value += 1
    if running_var is not None:
        running_var._data *= 1.0 - momentum
        running_var._data += momentum * (var * (count / (count - 1)))
        running_var._version.value += 1


def _check_batch_norm(input, running_mean, running_var, weight, bias) -> None:
    """What a caller of :func:`batch_norm` can get wrong, said clearly: the input's type
    and rank, and the shape, device and dtype of each per-channel tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm expects a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"batch_norm expects an input of shape (N, C, ...), got {input.shape}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):  # fmt: skip
        if t is not None and tuple(t.shape) != (channels,):
            raise RuntimeError(
                f"batch_norm: {name} should contain {channels} elements (the channels of an "
                f"input of shape {tuple(input.shape)}), not {t.numel()}"
            )
        if t is not None and t.device is not input.device:
            raise RuntimeError(
                f"batch_norm: expected all tensors to be on the same device, but found at "
                f"least two devices, {input.device} and {t.device} ({name})"
            )
    named = (("input", input), ("running_mean", running_mean), ("running_var", running_var),
             ("weight", weight), ("bias", bias))  # fmt: skip
    dtypes = {t.dtype for _, t in named if t is not None}
    if len(dtypes) > 1:  # NumPy would promote silently (a float64 input, a float64 output)
        got = ", ".join(f"{name} {t.dtype}" for name, t in named if t is not None)
        raise RuntimeError(
            f"batch_norm: the input and the layer's tensors must have the same dtype, got "
            f"{got} (convert the input with .float(), or the layer with .double())"
        )


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)``, elementwise (gradient 0 at 0).

    ``inplace=True`` is accepted for PyTorch's signature, but the result is always a new
    tensor and ``input`` is left as it was: minigrad records no graph for in-place
    operations. Use the returned tensor, as code written for PyTorch does.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.relu(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    return _F.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``input`` where positive, ``negative_slope * input`` elsewhere.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.leaky_relu(minigrad.tensor([-1.0, 2.0]), negative_slope=0.2)
        tensor([-0.2000,  2.0000])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"leaky_relu expects a Tensor, got {type(input).__name__}")
    require_float(input, "leaky_relu", NotImplementedError)
    return _elementwise.LeakyReLU.apply(input, slope=float(negative_slope))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """The Gaussian Error Linear Unit, ``input * Phi(input)``, Phi the standard normal
    CDF: each input is scaled by the probability that a standard normal is below it.

    ``approximate='tanh'`` uses ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``, as
    PyTorch does. The exact form computes Phi with minigrad's own error function
    (``minigrad/ops/activations.py``: Cody's rational approximations, about 1e-15 relative
    error in float64, a few ulps in float32).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.gelu(minigrad.tensor([-1.0, 0.0, 1.0, 3.0]))
        tensor([-0.1587,  0.0000,  0.8413,  2.9960])
        >>> F.gelu(minigrad.tensor([-1.0, 0.0, 1.0, 3.0]), approximate="tanh")
        tensor([-0.1588,  0.0000,  0.8412,  2.9964])
    """
    _check_activation_input(input, "gelu")
    if approximate == "none":
        return _activations.GELU.apply(input)
    if approximate == "tanh":
        return _activations.GELUTanh.apply(input)
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """The Sigmoid Linear Unit (swish), ``input * sigmoid(input)``, elementwise.

    ``inplace=True`` is accepted for PyTorch's signature; the result is a new tensor.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.silu(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """
    _check_activation_input(input, "silu")
    return _activations.SiLU.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * input)) / beta``, elementwise: a smooth ReLU.

    Where ``beta * input > threshold`` the result is ``input`` itself, as in PyTorch
    (there the two agree to float precision). ``docs/adding-an-op.md`` builds this op
    step by step.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.softplus(minigrad.tensor([-1.0, 0.0, 30.0]))
        tensor([ 0.3133,  0.6931, 30.0000])
        >>> F.softplus(minigrad.tensor([-1.0, 0.0, 30.0]), beta=2.0)
        tensor([ 0.0635,  0.3466, 30.0000])
    """
    _check_activation_input(input, "softplus")
    return _activations.Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def _check_activation_input(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(input).__name__}")
    require_float(input, name, NotImplementedError)


@autocast_mode.casts(cpu="float32", cuda="float32")
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """The squared error ``(input - target) ** 2``, averaged ('mean'), summed or not
    (``size_average`` and ``reduce`` are PyTorch's deprecated spellings of ``reduction``).

    With ``weight`` (the shape of ``input``), each squared error is multiplied by its
    weight, and 'mean' divides by the sum of the weights, as in PyTorch 2.13.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.mse_loss(minigrad.tensor([0.0, 2.0]), minigrad.tensor([1.0, 1.0]))
        tensor(1.)
        >>> F.mse_loss(minigrad.tensor([0.0, 2.0]), minigrad.tensor([1.0, 0.0]),
        ...            weight=minigrad.tensor([3.0, 1.0]))  # (3 * 1 + 1 * 4) / 4
        tensor(1.7500)
    """
    if size_average is not None or reduce is not None:
        reduction = _F.legacy_reduction(size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    warn_if_sizes_differ(input, target)
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError(
            f"mse_loss: weight must have the shape of the input, {tuple(input.shape)}; "
            f"got {tuple(weight.shape)}"
        )
    # PyTorch broadcasts the two first, so a 0-d target promotes like a full tensor.
    dtype = _dtypes.promote_types(input.dtype, target.dtype)
    if not _dtypes.is_floating(dtype):
        raise NotImplementedError(
            f"mse_loss is not implemented for {dtype} inputs (as in PyTorch): convert them "
            f"with .float()"
        )
    if weight is None:  # one primitive, as PyTorch's (its node: MseLossBackward0)
        out = _mse.MseLoss.apply(input.to(dtype), target.to(dtype), reduction=reduction)
    else:  # PyTorch 2.13's weighted form, composed
        diff = input.to(dtype) - target.to(dtype)
        squared = diff * diff * weight
        if reduction == "none":
            out = squared
        else:
            out = squared.sum() if reduction == "sum" else squared.sum() / weight.sum()
    _autograd._keep_versions(out, input, target)  # what PyTorch's fused mse_loss saves
    return out
