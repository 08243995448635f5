"""The compiled 3x3 convolution (``Conv2dDirect``, ``fast/direct_conv.py``) against the
reference: every layout of ``test_fast_paths.CONV_CASES`` (those it does not take go to
the NumPy path), the paddings and channel counts its kernels special-case, infs and
NaNs, and results that do not depend on the number of threads.

The tests call ``Conv2dDirect`` directly, so they run whether or not it is the registered
CPU path (it is when numba, the ``fast`` extra, is installed); without numba its kernels
run as plain Python, on the same small arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_fast_paths import CONV_CASES, assert_close, assert_same_values, on_one_and_all_threads

import minigrad
import minigrad.nn.functional as F
from minigrad import fastpath
from minigrad.fast import direct_conv
from minigrad.fast.conv import Conv2dDirect
from minigrad.ops.conv import Conv2d


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def run(x0, w0, b0, stride, padding, dilation, groups, upstream, direct, x_grad=True):
    """Output and gradients of Conv2dDirect (``direct``) or of the reference; padding is
    an int, a pair or (top, bottom, left, right); ``x_grad=False``: a first layer, whose
    input needs no gradient (its gradient is returned as None)."""
    x = minigrad.tensor(x0, requires_grad=x_grad)
    w = minigrad.tensor(w0, requires_grad=True)
    b = None if b0 is None else minigrad.tensor(b0, requires_grad=True)
    pads = padding if isinstance(padding, tuple) and len(padding) == 4 else None
    if pads is None:
        ph, pw = pair(padding)
        pads = (ph, ph, pw, pw)
    if direct:
        out = Conv2dDirect.apply(x, w, b, stride=pair(stride), padding=pads,
                                 dilation=pair(dilation), groups=groups)  # fmt: skip
    else:
        with fastpath.reference_mode():
            top, bottom, left, right = pads
            out = F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=stride,
                           dilation=dilation, groups=groups)  # fmt: skip
            assert type(out.grad_fn) is Conv2d
    out.backward(upstream(out))
    gx = x.grad.numpy() if x_grad else None
    grads = [gx, w.grad.numpy(), None if b is None else b.grad.numpy()]
    return [out.numpy(), *grads], out.grad_fn


def cosine(dtype):
    def upstream(out):
        return minigrad.tensor(np.cos(np.arange(out.numel())).reshape(out.shape).astype(dtype))

    return upstream


def assert_same(fast, reference, dtype):
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert_close(fast, reference, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_direct_conv_matches_reference(name, bias, dtype, rng):
    x_shape, w_shape, stride, padding, dilation, groups = CONV_CASES[name]
    x0 = rng.standard_normal(x_shape).astype(dtype)
    w0 = rng.standard_normal(w_shape).astype(dtype)
    b0 = rng.standard_normal(w_shape[0]).astype(dtype) if bias else None
    args = (x0, w0, b0, stride, padding, dilation, groups, cosine(dtype))
    fast, fn = run(*args, direct=True)
    reference, _ = run(*args, direct=False)
    assert_same(fast, reference, dtype)
    takes_it = w_shape[2:] == (3, 3) and pair(stride) == (1, 1) and pair(dilation) == (1, 1)
    assert fn.direct == (takes_it and groups == 1)


@pytest.mark.parametrize(
    "pads",
    [(0, 0, 0, 0), (1, 1, 1, 1), (2, 2, 2, 2), (0, 2, 1, 0), (2, 0, 0, 1), (1, 0, 2, 2),
     (2, 1, 2, 1), (1, 2, 1, 2), (0, 1, 0, 1), (1, 0, 1, 0)],
)  # fmt: skip
@pytest.mark.parametrize("channels", [(1, 4), (4, 4), (5, 3), (7, 9), (8, 1)])
def test_direct_conv_paddings_and_channel_counts(pads, channels, rng):
    """Paddings 0-2 on each side (the input gradient pads by 2 - padding; the planes
    share the zeros between images where they can, ``direct_conv.shared_pads``) and
    channel counts that are and are not multiples of the kernels' blocks of four."""
    c, o = channels
    x0 = rng.standard_normal((3, c, 5, 7))
    w0 = rng.standard_normal((o, c, 3, 3))
    b0 = rng.standard_normal(o)
    args = (x0, w0, b0, 1, pads, 1, 1, cosine(np.float64))
    fast, fn = run(*args, direct=True)
    assert fn.direct
    assert_same(fast, run(*args, direct=False)[0], np.float64)


@pytest.mark.parametrize("pads", [(1, 1, 1, 1), (0, 2, 2, 0)])
def test_direct_conv_of_rows_longer_than_a_task(pads, rng):
    """Images wider than a task's positions (``direct_conv.CHUNK``, ``RUN``): a task's
    piece of the wide rows starts and ends inside one row."""
    w = direct_conv.RUN + 100
    args = (rng.standard_normal((2, 3, 3, w)), rng.standard_normal((5, 3, 3, 3)),
            rng.standard_normal(5), 1, pads, 1, 1, cosine(np.float64))  # fmt: skip
    fast, fn = run(*args, direct=True)
    assert fn.direct
    assert_same(fast, run(*args, direct=False)[0], np.float64)


def test_direct_conv_hands_what_it_does_not_take_to_the_numpy_path():
    x = minigrad.ones(1, 2, 4, 4, dtype=minigrad.float16)
    w = minigrad.ones(3, 2, 3, 3, dtype=minigrad.float16)
    out = Conv2dDirect.apply(x, w, None, stride=(1, 1), padding=(1, 1, 1, 1),
                             dilation=(1, 1), groups=1)  # fmt: skip
    assert out.dtype == minigrad.float16 and float(out[0, 0, 1, 1].item()) == 18.0
    x, w = minigrad.ones(1, 2, 4, 4, requires_grad=True), minigrad.ones(3, 2, 3, 3)
    for pads in [(3, 0, 0, 0), (0, 0, 0, 3)]:  # more padding than the kernel's reach
        out = Conv2dDirect.apply(x, w, None, stride=(1, 1), padding=pads, dilation=(1, 1),
                                 groups=1)  # fmt: skip
        assert not out.grad_fn.direct


@pytest.mark.parametrize("where", ["input", "weight", "gradient"])
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_direct_conv_keeps_infs_and_nans_as_the_reference(where, value, rng):
    x0 = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w0 = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    if where == "input":
        x0[0, 1, 0, 5] = value  # on the border: it meets the padding's and the junk's zeros
    elif where == "weight":
        w0[1, 2, 0, 0] = value

    def upstream(out):
        g = np.ones(out.shape, np.float32)
        if where == "gradient":
            g[1, 2, 5, 0] = value
        return minigrad.tensor(g)

    args = (x0, w0, None, 1, 1, 1, 1, upstream)
    fast, _ = run(*args, direct=True)
    reference, _ = run(*args, direct=False)
    assert_same_values(fast[:3], reference[:3], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("pads", [(1, 1, 1, 1), (0, 0, 0, 0), (2, 0, 1, 1), (0, 1, 2, 2)])
@pytest.mark.parametrize("channels", [(1, 32), (3, 5), (6, 4)])
@pytest.mark.parametrize("value", [None, np.inf, np.nan])
def test_direct_conv_weight_gradient_of_a_first_layer(pads, channels, value, rng):
    """An input that needs no gradient (a first layer, one or three channels): the weight
    gradient of the channels left over after the blocks of four (``_dots_2x9``)."""
    c, o = channels
    x0 = rng.standard_normal((3, c, 7, 5))
    if value is not None:
        x0[1, c - 1, 0, 4] = value  # meets the junk columns' zeros

    def upstream(out):
        return minigrad.tensor(np.sin(np.arange(out.numel())).reshape(out.shape))

    args = (x0, rng.standard_normal((o, c, 3, 3)), rng.standard_normal(o), 1, pads, 1, 1,
            upstream)  # fmt: skip
    fast, fn = run(*args, direct=True, x_grad=False)
    reference, _ = run(*args, direct=False, x_grad=False)
    assert fn.direct and fast[1] is None
    assert_same_values(fast, reference, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("weight_grad", [True, False])
@pytest.mark.parametrize("value", [None, np.inf, np.nan])
def test_direct_conv_bias_gradient(weight_grad, value, rng):
    """The bias gradient, summed by the weight gradient's kernel when the weight needs
    one, by NumPy when it is frozen; an inf or a NaN in the output gradient reaches it
    as in the reference."""
    x0 = rng.standard_normal((3, 4, 6, 5))
    w0 = rng.standard_normal((6, 4, 3, 3))

    def grads(direct):
        x = minigrad.tensor(x0, requires_grad=True)
        w = minigrad.tensor(w0, requires_grad=weight_grad)
        b = minigrad.tensor(rng.standard_normal(6), requires_grad=True)
        if direct:
            out = Conv2dDirect.apply(x, w, b, stride=(1, 1), padding=(1, 1, 1, 1),
                                     dilation=(1, 1), groups=1)  # fmt: skip
            assert out.grad_fn.direct
        else:
            with fastpath.reference_mode():
                out = F.conv2d(x, w, b, padding=1)
        g = np.sin(np.arange(out.numel())).reshape(out.shape)
        if value is not None:
            g[2, 4, 5, 0] = value
        out.backward(minigrad.tensor(g))
        return [x.grad.numpy(), b.grad.numpy(), w.grad.numpy() if weight_grad else None]

    assert_same_values(grads(True), grads(False), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape", [(0, 3, 5, 5), (0, 1, 4, 4)])
def test_direct_conv_of_an_empty_batch(shape, rng):
    """No images: the kernels have no positions (an empty output and input gradient,
    zero weight and bias gradients)."""
    c = shape[1]
    args = (rng.standard_normal(shape), rng.standard_normal((5, c, 3, 3)),
            rng.standard_normal(5), 1, 1, 1, 1, cosine(np.float64))  # fmt: skip
    fast, fn = run(*args, direct=True)
    assert fn.direct
    assert_same(fast, run(*args, direct=False)[0], np.float64)


def test_correlation_of_no_input_channels_is_the_bias():
    """The first input channel's pass starts the sums at the bias; with none, the
    output is the bias (or zeros) all the same."""
    x, w = np.zeros((2, 0, 3, 4), np.float32), np.zeros((3, 0, 9), np.float32)
    out = direct_conv.correlate(x, w, (1, 1, 1, 1), np.arange(3, dtype=np.float32))
    assert out.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(out, np.broadcast_to(np.arange(3.0)[:, None, None], out.shape))
    np.testing.assert_array_equal(direct_conv.correlate(x, w, (0, 0, 0, 0)), 0)


def test_direct_kernels_reject_arrays_of_the_wrong_shape():
    """The compiled kernels check no bounds: their wrappers refuse what would overrun."""
    x, w = np.ones((2, 3, 5, 5), np.float32), np.ones((4, 3, 9), np.float32)
    bad = [
        (lambda: direct_conv.correlate(x[0], w, (1, 1, 1, 1)), "4-D input"),
        (lambda: direct_conv.correlate(x, w, (3, 1, 1, 1)), "paddings from 0 to 2"),
        (lambda: direct_conv.correlate(x[:, :, :1, :1], w, (0, 0, 0, 0)), "smaller than"),
        (lambda: direct_conv.correlate(x, w[:, :2], (1, 1, 1, 1)), r"\(O, 3, 9\)"),
        (lambda: direct_conv.correlate(x, w.astype(np.float64), (1, 1, 1, 1)), "float32"),
        (lambda: direct_conv.weight_grad(x, np.ones((2, 4, 4, 5), np.float32), (1, 1, 1, 1)),
         r"\(2, O, 5, 5\)"),
        (lambda: direct_conv.weight_grad(x, np.ones((2, 4, 5, 5)), (1, 1, 1, 1)), "float32"),
    ]  # fmt: skip
    for call, message in bad:
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.skipif(not direct_conv.AVAILABLE, reason="numba (the fast extra) is not installed")
def test_direct_conv_gives_the_same_bits_on_any_number_of_threads(rng):
    x0 = rng.standard_normal((19, 8, 9, 10)).astype(np.float32)
    w0 = rng.standard_normal((12, 8, 3, 3)).astype(np.float32)
    args = (x0, w0, None, 1, 1, 1, 1, cosine(np.float32))
    one, every = on_one_and_all_threads(lambda: run(*args, direct=True)[0])
    for a, b in zip(one, every):
        if a is not None:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "shape, pads, start, count",
    [((2, 5, 4, 6), (1, 0, 1, 0), 0, 70), ((2, 5, 4, 6), (1, 0, 1, 0), 13, 29),
     ((3, 2, 3, 4), (2, 1, 0, 2), 41, 50), ((1, 3, 5, 5), (0, 0, 0, 0), 7, 30),
     ((2, 1, 2, 3), (0, 2, 2, 0), 0, 60)],
)  # fmt: skip
def test_each_task_copies_its_piece_of_the_wide_rows(shape, pads, start, count, rng):
    """``_fill_rows`` writes the values ``wide_rows`` has at those positions (the
    padding's and the last image's zeros included), compiled and as Python."""
    x = rng.standard_normal(shape)
    rows = direct_conv.wide_rows(x, pads)
    expected = np.zeros((shape[1], count))
    piece = rows[:, start : start + count]
    expected[:, : piece.shape[1]] = piece  # (past the margin: zeros as well)
    top, bottom, left, right = pads
    hp, wp = shape[2] + top + bottom, shape[3] + left + right
    fills = [direct_conv._fill_rows]
    if direct_conv.AVAILABLE:
        fills.append(direct_conv._fill_rows.py_func)
    for fill in fills:
        got = np.full((shape[1], count + 3), np.nan)
        fill(x, got, start, count, top, left, hp, wp)
        np.testing.assert_array_equal(got[:, :count], expected)
        assert np.isnan(got[:, count:]).all()  # nothing written past the piece


@pytest.mark.skipif(not direct_conv.AVAILABLE, reason="numba (the fast extra) is not installed")
def test_compiled_kernels_agree_with_their_python_code(rng):
    """The compiled kernels and the same functions run as Python (``py_func``), with
    chunks and runs that do not divide the positions."""
    x = rng.standard_normal((2, 5, 4, 6))
    w = rng.standard_normal((4, 5, 9))
    bias = rng.standard_normal(4)
    out = np.empty((2, 3, 4, 6))  # three of the four kernels' outputs
    direct_conv._correlate_kernel.py_func(x, w, bias, out, 1, 1, 5, 7, 32)
    np.testing.assert_allclose(direct_conv.correlate(x, w[:3], (1, 1, 1, 1), bias[:3]),
                               out, rtol=1e-12)  # fmt: skip
    x = rng.standard_normal((3, 5, 3, 4))
    grad = rng.standard_normal((3, 6, 4, 3))  # the output of x padded by (1, 2, 0, 1)
    part = np.zeros((direct_conv.GROUPS, 8, 5, 9))
    bias_part = np.zeros((direct_conv.GROUPS, 6))
    direct_conv._weight_grad_kernel.py_func(x, grad, 1, 0, 6, 5, part, bias_part)
    gw, gb = direct_conv.weight_grad(x, grad, (1, 2, 0, 1), bias=True)
    np.testing.assert_allclose(gw, part.sum(0)[:6], rtol=1e-12)
    np.testing.assert_allclose(gb, bias_part.sum(0), rtol=1e-12)
    np.testing.assert_allclose(gb, grad.sum(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_array_equal(direct_conv.weight_grad(x, grad, (1, 2, 0, 1)), gw)
    # and the same sums from the wide rows, done with NumPy: tap (i, j) reads q + i*W' + j
    rows = direct_conv.wide_rows(x, (1, 2, 0, 1))
    g = np.zeros((6, 3, 6, 5))
    g[:, :, :4, :3] = grad.transpose(1, 0, 2, 3)
    g = g.reshape(6, -1)
    taps = [rows[:, i * 5 + j :][:, : g.shape[1]] for i in range(3) for j in range(3)]
    expected = np.stack([g @ t.T for t in taps], axis=-1)
    np.testing.assert_allclose(part.sum(0)[:6], expected, rtol=1e-12)


def test_direct_conv_is_the_cpu_path_when_numba_is_installed():
    with fastpath.reference_mode(False):
        expected = "Conv2dDirect" if direct_conv.AVAILABLE else "Conv2dFast"
        assert fastpath.lookup(Conv2d, "cpu").__name__ == expected


def test_direct_conv_keeps_only_what_backward_needs():
    """The input when the weight needs a gradient, the weight when the input does."""
    x, w = minigrad.randn(2, 3, 5, 5), minigrad.randn(4, 3, 3, 3, requires_grad=True)
    for x_grad, w_grad in [(False, True), (True, False), (True, True)]:
        x.requires_grad_(x_grad)
        w.requires_grad_(w_grad)
        out = Conv2dDirect.apply(x, w, None, stride=(1, 1), padding=(1, 1, 1, 1),
                                 dilation=(1, 1), groups=1)  # fmt: skip
        saved_x, weight = out.grad_fn.saved
        assert out.grad_fn.direct
        assert saved_x is (x._data if w_grad else None)
        assert weight is (w._data if x_grad else None)


STRIDED_CASES = {  # (x shape, w shape, stride, pads, dilation, groups): one column per pixel
    "3x3 s2": ((3, 4, 9, 8), (5, 4, 3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1),
    "3x3 s2 unpadded": ((2, 3, 10, 10), (4, 3, 3, 3), (2, 2), (0, 0, 0, 0), (1, 1), 1),
    "5x5 s(2,3) uneven pads": ((2, 3, 11, 12), (2, 3, 5, 5), (2, 3), (2, 0, 1, 2), (1, 1), 1),
    "1x1 s2": ((2, 5, 7, 7), (3, 5, 1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 1),
    "dilated s2": ((2, 2, 11, 11), (3, 2, 3, 3), (2, 2), (2, 2, 2, 2), (2, 2), 1),
    "groups s2": ((2, 4, 8, 8), (6, 2, 3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 2),
}


@pytest.mark.parametrize("value", [None, np.inf, np.nan])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(STRIDED_CASES))
def test_compiled_columns_give_the_numpy_paths_bits(name, dtype, value, rng):
    """``Conv2dColumns`` (im2col and col2im compiled, ``fast/columns.py``) against the
    NumPy path it extends, ``Conv2dFast``: the same columns and the same sums in the same
    order, so the same bits, infs and NaNs included; and both against the reference."""
    from minigrad.fast.conv import Conv2dColumns, Conv2dFast

    x_shape, w_shape, stride, pads, dilation, groups = STRIDED_CASES[name]
    x0 = rng.standard_normal(x_shape).astype(dtype)
    if value is not None:
        x0[1, 0, 2, 3] = value
    w0 = rng.standard_normal(w_shape).astype(dtype)
    b0 = rng.standard_normal(w_shape[0]).astype(dtype)
    results = []
    for op in (Conv2dColumns, Conv2dFast):
        x = minigrad.tensor(x0, requires_grad=True)
        w = minigrad.tensor(w0, requires_grad=True)
        b = minigrad.tensor(b0, requires_grad=True)
        out = op.apply(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups)
        if op is Conv2dColumns:
            assert out.grad_fn._compiled(x0.dtype)
        out.backward(cosine(dtype)(out))
        results.append([out.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    if value is None:
        args = (x0, w0, b0, stride, pads, dilation, groups, cosine(dtype))
        reference, _ = run(*args, direct=False)
        assert_same(results[0], reference, dtype)


def test_compiled_columns_agree_with_their_python_code(rng):
    from minigrad.fast import columns

    x = rng.standard_normal((2, 3, 7, 6))
    args = (3, 2, 2, 2, 1, 1, 1, 0)  # a 3x2 window, stride 2, dilation (1, 1), pads (1, 0)
    oh, ow = 4, 3
    cols = np.full((3 * 6, 2 * oh * ow), np.nan)
    columns._im2col_kernel.py_func(x, cols, *args, oh, ow)
    compiled = columns.im2col(x, (3, 2), (2, 2), (1, 1), (1, 0), (oh, ow))
    np.testing.assert_array_equal(compiled, cols)
    gx = np.full(x.shape, np.nan)
    columns._col2im_kernel.py_func(cols, gx, *args, oh, ow)
    np.testing.assert_array_equal(
        columns.col2im(cols, x.shape, (3, 2), (2, 2), (1, 1), (1, 0), (oh, ow)), gx
    )


def test_compiled_columns_reject_arrays_of_the_wrong_shape():
    from minigrad.fast import columns

    x = np.ones((2, 3, 5, 5), np.float32)
    with pytest.raises(ValueError, match=r"out must be .* shape \(27, 18\)"):
        columns.im2col(x, (3, 3), (2, 2), (1, 1), (0, 0), (3, 3), out=np.empty((27, 17)))
    with pytest.raises(ValueError, match=r"cols must have shape \(27, 18\)"):
        columns.col2im(np.ones((27, 9)), x.shape, (3, 3), (2, 2), (1, 1), (0, 0), (3, 3))


def test_compiled_columns_keep_the_forwards_columns_for_backward(monkeypatch, rng):
    """Where the batch is one chunk and the weight wants a gradient, ``Conv2dColumns``
    keeps the forward's columns for backward (one im2col less), and the gradients are the
    bits of ``Conv2dFast``, which builds them again: through a retained graph twice, and
    with a workspace so small that the batch is cut into chunks (nothing kept then). The
    columns are freed with the other saved arrays."""
    from minigrad import backend
    from minigrad.fast.conv import Conv2dColumns, Conv2dFast

    x0 = rng.standard_normal((3, 4, 9, 8)).astype(np.float32)
    w0 = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    args = dict(stride=(2, 2), padding=(1, 1, 1, 1), dilation=(1, 1), groups=1)

    def grads(op, x_grad=True, w_grad=True, times=1):
        x = minigrad.tensor(x0, requires_grad=x_grad)
        w = minigrad.tensor(w0, requires_grad=w_grad)
        out = op.apply(x, w, None, **args)
        kept = getattr(out.grad_fn, "kept", None)
        for i in range(times):
            out.backward(cosine(np.float32)(out), retain_graph=i + 1 < times)
        got = [None if t.grad is None else t.grad.numpy() for t in (x, w)]
        return got, kept, out.grad_fn

    expected, _, _ = grads(Conv2dFast)
    got, kept, fn = grads(Conv2dColumns, times=2)
    assert kept is not None and kept.shape == (1, 4 * 9, 3 * 5 * 4)
    assert fn.kept is None  # freed by the last backward, with the saved input
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, 2 * b)  # two backwards accumulate: exactly twice
    assert grads(Conv2dColumns, w_grad=False)[1] is None  # no weight gradient: not kept
    monkeypatch.setattr(backend.Device, "workspace_bytes", property(lambda self: 4096))
    got, kept, _ = grads(Conv2dColumns)
    assert kept is None  # the batch in chunks: each is built again in backward
    for a, b in zip(got, grads(Conv2dFast)[0]):  # (summed chunk by chunk: other bits)
        np.testing.assert_array_equal(a, b)
