"""Fused CUDA kernels: the GPU's fast paths for the ops that dominate a training step.

At MNIST sizes a GPU finishes most array operations faster than the host can launch them:
each CuPy call costs some 10-20 microseconds of Python and driver work, whatever its size.
A step's time is then set by how many calls it makes, and the way to speed it up is to do
several passes' arithmetic in one kernel. This module holds those kernels, written with
CuPy's ``ElementwiseKernel`` and ``ReductionKernel`` (CUDA C snippets that CuPy compiles
once and caches on disk).

The GPU fast paths of ``minigrad/fast/`` call it through :func:`minigrad.fast.gpu.kernels`
(``None`` on the CPU and in reference mode); it gets CuPy from the backend, the only module
that imports it. Every op keeps its reference array code, which runs on the CPU too and
defines what the op computes; the fused path must give the same numbers (up to float
rounding), and ``tests/test_cuda_kernels.py`` compares the two on a GPU.
``MINIGRAD_REFERENCE=1`` (or ``fastpath.reference_mode()``) switches the fused paths off.

What is fused, and how many kernel launches each takes (against the plain path's count):

* the SGD update of one parameter: 1 (plain: up to 6);
* BatchNorm forward with batch statistics: 4 to 6, and the running estimates' update: 1
  (plain: about 18); BatchNorm backward: 4 to 6 (plain: about 14);
* ReLU backward: 1 (plain: 2);
* convolution's im2col and col2im: 1 each (plain: a padded copy and a 6-D strided copy,
  or one add per kernel tap);
* the range check of cross-entropy targets: 1, and no waiting for the GPU (plain: 4 calls
  and a wait every step).
"""

from __future__ import annotations

from .. import backend
from ..backend import cupy

# ----------------------------------------------------------------------------------------
# SGD
# ----------------------------------------------------------------------------------------

# One parameter's update, PyTorch's formula (torch.optim.SGD), with d the gradient:
#   d = -d if maximize;  d += weight_decay * p;
#   buf = d on the first step, else momentum * buf + (1 - dampening) * d;
#   d = d + momentum * buf if nesterov, else buf;   p -= lr * d.
_sgd_momentum = cupy.ElementwiseKernel(
    "T g, T lr, T momentum, T dampening, T weight_decay, bool nesterov, bool maximize, bool first",
    "T p, T buf",
    """
    T d = maximize ? -g : g;
    if (weight_decay != 0) d += weight_decay * p;
    T b = first ? d : momentum * buf + (1 - dampening) * d;
    buf = b;
    p -= lr * (nesterov ? d + momentum * b : b);
    """,
    "minigrad_sgd_momentum",
)

_sgd_plain = cupy.ElementwiseKernel(
    "T g, T lr, T weight_decay, bool maximize",
    "T p",
    """
    T d = maximize ? -g : g;
    if (weight_decay != 0) d += weight_decay * p;
    p -= lr * d;
    """,
    "minigrad_sgd",
)


def sgd_update(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """Update the parameter array ``p`` in place from its gradient ``g``; return the new
    momentum buffer (``buf`` updated in place, a new array on the first step, or None
    without momentum)."""
    if momentum == 0:
        _sgd_plain(g, lr, weight_decay, maximize, p)
        return None
    first = buf is None
    if first:
        buf = cupy.empty_like(p)
    _sgd_momentum(g, lr, momentum, dampening, weight_decay, nesterov, maximize, first, p, buf)
    return buf


# ----------------------------------------------------------------------------------------
# BatchNorm
# ----------------------------------------------------------------------------------------

# Per channel, from the sum of squared deviations (or the variance, with inv_n = 1):
# the variance, 1 / sqrt(var + eps), and the output scale gamma / sqrt(var + eps).
_bn_channel_stats = cupy.ElementwiseKernel(
    "T sum_sq, T inv_n, T gamma, T eps",
    "T var, T inv_std, T scale",
    """
    var = sum_sq * inv_n;
    inv_std = 1 / sqrt(var + eps);
    scale = gamma * inv_std;
    """,
    "minigrad_bn_channel_stats",
)

_bn_normalize = cupy.ElementwiseKernel(
    "T x, T mean, T scale, T beta",
    "T y",
    "y = (x - mean) * scale + beta",
    "minigrad_bn_normalize",
)

# d_x = scale * (g - (d_beta + x_hat * d_gamma) / m), with x_hat = (x - mean) * inv_std and
# d_gamma = inv_std * sum(g * (x - mean)): the textbook formula, one pass.
_bn_input_grad = cupy.ElementwiseKernel(
    "T g, T x, T mean, T scale, T inv_std, T sum_g, T sum_gc, T inv_n",
    "T dx",
    "dx = scale * (g - (sum_g + (x - mean) * inv_std * inv_std * sum_gc) * inv_n)",
    "minigrad_bn_input_grad",
)

_running_stats = cupy.ElementwiseKernel(
    "T mean, T var, T momentum, T unbias",
    "T running_mean, T running_var",
    """
    running_mean = (1 - momentum) * running_mean + momentum * mean;
    running_var = (1 - momentum) * running_var + momentum * (var * unbias);
    """,
    "minigrad_bn_running_stats",
)

# Per-channel sums over the batch and the spatial positions. A single reduction over axes
# (0, 2, 3) of (N, C, H, W) gives each of the C sums to one thread block, which reads
# N * H * W strided elements: with 32 channels, 32 busy blocks on a GPU with 132
# multiprocessors, and a CNN step 8x slower. So the sums take two stages: each (n, c) row
# of H * W contiguous elements is reduced first (N * C blocks), then the (N, C) partial
# sums are summed over N. A reduction over N reads a column with a stride of C elements;
# that is cheap for a small (N, C), and for a large one a matrix-vector product with a
# vector of ones does it at full bandwidth (cuBLAS), for a little more host time.
_row_sum = cupy.ReductionKernel("T x", "T y", "x", "a + b", "y = a", "0", "minigrad_row_sum")
_row_sum_squared_deviation = cupy.ReductionKernel(
    "T x, T mean", "T y", "(x - mean) * (x - mean)", "a + b", "y = a", "0",
    "minigrad_row_sum_squared_deviation",
)  # fmt: skip
_row_sum_grad_times_centered = cupy.ReductionKernel(
    "T g, T x, T mean", "T y", "g * (x - mean)", "a + b", "y = a", "0",
    "minigrad_row_sum_grad_times_centered",
)  # fmt: skip
# The same terms elementwise, for (N, C) inputs summed by a matrix-vector product.
_squared_deviation = cupy.ElementwiseKernel(
    "T x, T mean", "T y", "y = (x - mean) * (x - mean)", "minigrad_squared_deviation"
)
_grad_times_centered = cupy.ElementwiseKernel(
    "T g, T x, T mean", "T y", "y = g * (x - mean)", "minigrad_grad_times_centered"
)

_LARGE = 1 << 20  # elements of an (N, C) array above which cuBLAS sums its columns

_vectors: dict = {}  # (length, value, dtype, GPU) -> a constant vector, made once


def _constant(length: int, value: float, dtype):
    key = (length, value, dtype, cupy.cuda.Device().id)
    vector = _vectors.get(key)
    if vector is None:
        vector = _vectors[key] = cupy.full(length, value, dtype=dtype)
    return vector


def _channel_sums(row_kernel, term_kernel, *arrays, mean=False):
    """The sum (or with ``mean=True`` the mean) of ``row_kernel``'s term over every axis
    but 1, shaped (1, C, 1, ...) to broadcast against ``arrays[0]`` (N, C, ...), which
    the other arrays broadcast against. ``term_kernel`` computes the term elementwise
    (None: the term is ``arrays[0]`` itself); ``row_kernel`` sums it over given axes."""
    first = arrays[0]
    n, c = first.shape[:2]
    shape = (1, c) + (1,) * (first.ndim - 2)
    if first.ndim == 2 and first.size <= _LARGE:  # one strided reduction
        sums = first.mean(axis=0) if mean else row_kernel(*arrays, axis=0)
        return sums.reshape(shape)
    if first.ndim > 2:  # stage 1: the contiguous rows
        axes = tuple(range(2, first.ndim))
        rows = first.mean(axis=axes) if mean else row_kernel(*arrays, axis=axes)
    else:
        rows = first if (mean or term_kernel is None) else term_kernel(*arrays)
    if rows.size > _LARGE:  # stage 2: over N
        sums = _constant(n, 1.0 / n if mean else 1.0, rows.dtype) @ rows
    else:
        sums = rows.mean(axis=0) if mean else _row_sum(rows, axis=0)
    return sums.reshape(shape)


def batch_norm_forward(x, gamma, beta, mean, var, eps):
    """BatchNorm's forward: ``(out, mean, var, inv_std, scale)``, the per-channel arrays
    shaped to broadcast against ``x`` (1, C, 1, ...); ``var`` is the biased variance. With
    batch statistics (``mean is None``) it takes 4 launches for a small (N, C) input, up
    to 6 for an (N, C, H, W) one."""
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    # Python numbers, not NumPy scalars: CuPy would copy a NumPy scalar to the GPU.
    gamma = 1.0 if gamma is None else gamma.reshape(shape)
    beta = 0.0 if beta is None else beta.reshape(shape)
    if mean is None:
        inv_n = 1.0 / (x.size // x.shape[1])
        mean = _channel_sums(_row_sum, None, x, mean=True)
        sum_sq = _channel_sums(_row_sum_squared_deviation, _squared_deviation, x, mean)
        var, inv_std, scale = _bn_channel_stats(sum_sq, inv_n, gamma, eps)
    else:
        mean = mean.reshape(shape)
        var, inv_std, scale = _bn_channel_stats(var.reshape(shape), 1.0, gamma, eps)
    return _bn_normalize(x, mean, scale, beta), mean, var, inv_std, scale


def batch_norm_backward(grad, x, mean, inv_std, scale, batch_stats, need_dx, need_dgamma):
    """BatchNorm's backward from ``batch_norm_forward``'s per-channel arrays: ``(d_x,
    d_gamma, d_beta)``, with d_gamma and d_beta of shape (C,), d_x None if not needed."""
    sum_g = _channel_sums(_row_sum, None, grad)
    sum_gc = None
    if need_dgamma or (need_dx and batch_stats):
        sum_gc = _channel_sums(_row_sum_grad_times_centered, _grad_times_centered, grad, x, mean)
    d_x = None
    if need_dx:
        if batch_stats:
            inv_n = 1.0 / (x.size // x.shape[1])
            d_x = _bn_input_grad(grad, x, mean, scale, inv_std, sum_g, sum_gc, inv_n)
        else:
            d_x = grad * scale
    d_gamma = (sum_gc * inv_std).reshape(-1) if need_dgamma else None
    return d_x, d_gamma, sum_g.reshape(-1)


def update_running_stats(running_mean, running_var, mean, var, momentum, unbias):
    """``running = (1 - momentum) * running + momentum * batch`` for the mean and the
    unbiased variance (``var * unbias``), both in one launch, in place."""
    _running_stats(
        mean.reshape(-1), var.reshape(-1), float(momentum), float(unbias), running_mean,
        running_var,
    )  # fmt: skip


# ----------------------------------------------------------------------------------------
# Convolution: im2col and col2im
# ----------------------------------------------------------------------------------------

# One thread per column entry: entry (k, p) of the (C*kH*kW, n*oH*oW) columns, with
# k = (channel, tap row, tap column) and p = (image, output row, output column), is the
# input pixel that tap reads for that output pixel, or 0 where it falls in the padding.
# The plain path builds the same matrix with one strided copy of a 6-D view, which CuPy
# runs several times slower than this direct gather.
_CONV_PARAMS = (
    "int32 c, int32 h, int32 w, int32 n, int32 out_h, int32 out_w, int32 kh, int32 kw, "
    "int32 sy, int32 sx, int32 top, int32 left, int32 dy, int32 dx"
)
# The index arithmetic is written for an integer type I: 32-bit where every index fits,
# since a GPU divides 64-bit integers many times slower (the kernels are bound by it).
_IM2COL = """
    I pixels = (I)n * out_h * out_w;
    I k = (I)i / pixels, p = (I)i % pixels;
    int kx = k % kw, ky = (k / kw) % kh, ch = k / (kh * kw);
    int ox = p % out_w, oy = (p / out_w) % out_h;
    I b = p / ((I)out_h * out_w);
    int y = ky * dy + oy * sy - top, x = kx * dx + ox * sx - left;
    col = (0 <= y && y < h && 0 <= x && x < w) ? img[((b * c + ch) * h + y) * w + x] : (T)0;
"""
# One thread per input pixel, gathering the column entries that read it (in the same tap
# order as the plain path's adds): no atomics, and each pixel written once.
_COL2IM = """
    I pixels = (I)n * out_h * out_w;
    int x = (I)i % w, y = ((I)i / w) % h;
    I bc = (I)i / ((I)h * w);
    int ch = bc % c;
    I b = bc / c;
    T sum = 0;
    for (int ky = 0; ky < kh; ++ky) {
        int oy = y + top - ky * dy;
        if (oy < 0 || oy % sy != 0) continue;
        oy /= sy;
        if (oy >= out_h) continue;
        for (int kx = 0; kx < kw; ++kx) {
            int ox = x + left - kx * dx;
            if (ox < 0 || ox % sx != 0) continue;
            ox /= sx;
            if (ox >= out_w) continue;
            I k = ((I)ch * kh + ky) * kw + kx;
            sum += col[k * pixels + (b * out_h + oy) * out_w + ox];
        }
    }
    img = sum;
"""


def _index_kernels(name: str, params: str, out: str, body: str) -> dict:
    """The kernel with 32-bit and with 64-bit index arithmetic, by index type."""
    return {
        bits: cupy.ElementwiseKernel(params, out, f"typedef {ctype} I;\n{body}", f"{name}_{bits}")
        for bits, ctype in ((32, "unsigned int"), (64, "long long"))
    }


_im2col = _index_kernels("minigrad_im2col", "raw T img, " + _CONV_PARAMS, "T col", _IM2COL)
_col2im = _index_kernels("minigrad_col2im", "raw T col, " + _CONV_PARAMS, "T img", _COL2IM)


def _index_bits(*arrays) -> int:
    return 32 if max(a.size for a in arrays) < 2**31 else 64


def _conv_params(shape, kernel_size, stride, top_left, dilation, out_hw):
    n, c, h, w = shape
    return (c, h, w, n, *out_hw, *kernel_size, *stride, *top_left, *dilation)


def im2col(x, kernel_size, stride, top_left, dilation, out_hw, out):
    """Fill ``out`` (..., n*oH*oW), C*kH*kW rows in all, with the columns of the images
    ``x`` (n, C, H, W); ``top_left`` is the padding above and to the left."""
    x = cupy.ascontiguousarray(x)
    params = _conv_params(x.shape, kernel_size, stride, top_left, dilation, out_hw)
    return _im2col[_index_bits(x, out)](x, *params, out)


def col2im(cols, shape, kernel_size, stride, top_left, dilation, out_hw):
    """The (n, C, H, W) sum of a column gradient laid out as ``im2col``'s columns."""
    cols = cupy.ascontiguousarray(cols)
    params = _conv_params(shape, kernel_size, stride, top_left, dilation, out_hw)
    img = cupy.empty(shape, dtype=cols.dtype)
    return _col2im[_index_bits(cols, img)](cols, *params, img)


# ----------------------------------------------------------------------------------------
# Activations
# ----------------------------------------------------------------------------------------

_relu_grad = cupy.ElementwiseKernel(
    "T g, T out", "T dx", "dx = out <= 0 ? (T)0 : g", "minigrad_relu_grad"
)


def relu_backward(grad, out):
    """ReLU's input gradient from its output: 0 where ``out <= 0``, else ``grad``."""
    return _relu_grad(grad, out)


# ----------------------------------------------------------------------------------------
# Checking class targets without waiting for the GPU
# ----------------------------------------------------------------------------------------

_NO_BAD_TARGET = -(2**63)  # the flag's value while every target seen is in range

# Each thread checks one target; any out-of-range one writes itself into the flag.
_flag_bad_targets = cupy.ElementwiseKernel(
    "int64 t, int64 classes, int64 ignore_index",
    "raw int64 flag",
    "if ((t < 0 || t >= classes) && t != ignore_index) flag[0] = t;",
    "minigrad_flag_bad_targets",
)

_flags: dict[int, cupy.ndarray] = {}  # per GPU: the flag array
_classes: dict[int, int] = {}  # per GPU: the class count of the last check, for the message


def check_class_targets(target, classes: int, ignore_index: int) -> None:
    """Check that every class index in ``target`` (int64, on a GPU) is in ``[0, classes)``
    or is ``ignore_index``, without making the host wait for the GPU.

    On the CPU the check raises at once. Here it runs on the GPU and raises at the next
    read of any GPU array to the host (``.item()``, ``.tolist()``, ``.numpy()``) or at
    ``minigrad.cuda.synchronize()``, as PyTorch's device-side checks do: a training loop
    that reads the loss every 50 steps is never made to wait in between.
    """
    index = target.device.id
    flag = _flags.get(index)
    if flag is None:
        flag = _flags[index] = cupy.full(1, _NO_BAD_TARGET, dtype=cupy.int64)
    _flag_bad_targets(target, classes, ignore_index, flag)
    if index not in _classes:
        backend.defer_check(lambda: _raise_if_flagged(index))
    _classes[index] = classes


def _raise_if_flagged(index: int) -> None:
    classes = _classes.pop(index)
    flag = _flags[index]
    bad = int(flag.get()[0])
    if bad != _NO_BAD_TARGET:
        flag.fill(_NO_BAD_TARGET)
        raise IndexError(
            f"Target {bad} is out of bounds: there are {classes} classes (checked on the GPU "
            "without waiting for it, so reported at this first read from the device after "
            "the loss that received it)"
        )
