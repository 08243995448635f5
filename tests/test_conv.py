"""conv2d, max_pool2d and avg_pool2d: against PyTorch, finite differences, a naive loop.

* Golden values (forward, indices and input/weight/bias gradients) come from
  ``tests/golden/make_golden_conv.py``, which ran PyTorch 2.13 on the cases it lists. Inputs
  are float32, so the tolerance is float32's: rtol 1e-5 and atol 1e-5 (a conv output sums
  up to a few hundred products of unit-sized numbers, whose rounding is ~1e-6 absolute).
  Indices and integer outputs must match exactly.
* float64 finite-difference checks (``minigrad.gradcheck``) of every backward formula.
* The im2col convolution against a direct loop over every output pixel.
* The argument errors, and float32 staying float32.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import minigrad
from golden.make_golden_conv import CASES
from minigrad import fastpath
from minigrad.fast.conv import Conv2dFast as Conv2d
from minigrad.nn import functional as F
from minigrad.ops import conv


@pytest.fixture(autouse=True)
def _numpy_convolution(monkeypatch):
    """These tests are about the NumPy path's workings (its chunks, wide rows and second
    backward): make it the CPU's fast path, also where numba would register the compiled
    one (tested in test_conv_direct.py)."""
    monkeypatch.setitem(fastpath._registry, (conv.Conv2d, "cpu"), Conv2d)


GOLDEN = np.load(Path(__file__).parent / "golden" / "conv.npz", allow_pickle=False)
RTOL, ATOL = 1e-5, 1e-5
GRAD_KINDS = ("f", "t")


# ----------------------------------------------------------------------------------------
# Against PyTorch
# ----------------------------------------------------------------------------------------


def test_golden_file_covers_every_case():
    assert str(GOLDEN["__torch_version__"]).startswith("2.13")
    stored = {key.split(".")[0] for key in GOLDEN.files if not key.startswith("__")}
    assert stored == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, device):
    case = CASES[name]
    inputs = [
        minigrad.tensor(GOLDEN[f"{name}.in{i}"], device=device, requires_grad=kind in GRAD_KINDS)
        for i, (_, kind) in enumerate(case.inputs)
    ]
    out = case.fn(F, *inputs)
    if f"{name}.indices" in GOLDEN:
        out, indices = out
        want = GOLDEN[f"{name}.indices"]
        assert indices.dtype == want.dtype
        np.testing.assert_array_equal(indices.numpy(), want)

    expected = GOLDEN[f"{name}.out"]
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out.numpy(), expected, rtol=RTOL, atol=ATOL)

    if f"{name}.v" in GOLDEN:
        out.backward(minigrad.tensor(GOLDEN[f"{name}.v"], device=device))
        for i, t in enumerate(inputs):
            if t.requires_grad:
                want = GOLDEN[f"{name}.grad{i}"]
                assert t.grad is not None, f"input {i} got no gradient"
                assert t.grad.dtype == want.dtype
                np.testing.assert_allclose(
                    t.grad.numpy(), want, rtol=RTOL, atol=ATOL, err_msg=f"gradient of input {i}"
                )
            else:
                assert t.grad is None


# ----------------------------------------------------------------------------------------
# Finite differences (float64)
# ----------------------------------------------------------------------------------------

CONV_CONFIGS = {
    "groups2_pad1": ((2, 4, 5, 5), (6, 2, 3, 3), dict(padding=1, groups=2)),
    "stride2_dilation2": ((2, 3, 7, 6), (4, 3, 2, 3), dict(stride=2, padding=(2, 1), dilation=2)),
    "depthwise_same_even": ((1, 4, 5, 6), (4, 1, 2, 2), dict(padding="same", groups=4)),
    "mixed_pairs": ((2, 4, 6, 7), (4, 2, 3, 2), dict(stride=(1, 2), dilation=(2, 1), groups=2)),
    "unbatched": ((3, 5, 5), (2, 3, 3, 3), dict(padding=1)),
}


@pytest.mark.parametrize("config", sorted(CONV_CONFIGS))
def test_conv2d_gradcheck(config, make):
    x_shape, w_shape, kwargs = CONV_CONFIGS[config]
    x, w, b = make(x_shape), make(w_shape), make((w_shape[0],))
    assert minigrad.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv2d_gradcheck_without_bias(make):
    x, w = make((2, 2, 4, 4)), make((3, 2, 2, 2))
    assert minigrad.gradcheck(lambda x, w: F.conv2d(x, w, stride=2), (x, w))


def _distinct(shape, device, rng):
    """float64 values spaced 0.1 apart in random order: no two equal, so no window has a tie
    (a max-pool gradient is a kink wherever two values in a window are equal)."""
    values = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1
    return minigrad.tensor(values, device=device, requires_grad=True)


POOL_CONFIGS = {
    "k2": dict(kernel_size=2),
    "k3_s2_pad1_ceil": dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    "k3_s1_dilation2": dict(kernel_size=3, stride=1, padding=1, dilation=2),
    "k2x3": dict(kernel_size=(2, 3), stride=(1, 2)),
}


@pytest.mark.parametrize("config", sorted(POOL_CONFIGS))
def test_max_pool2d_gradcheck(config, device, rng):
    x = _distinct((2, 2, 7, 6), device, rng)
    assert minigrad.gradcheck(lambda x: F.max_pool2d(x, **POOL_CONFIGS[config]), (x,))


AVG_CONFIGS = {
    "k2": dict(kernel_size=2),
    "k3_s2_pad1_ceil": dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    "k3_s2_pad1_ceil_exclude_pad": dict(
        kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False
    ),
    "divisor_override": dict(kernel_size=(3, 2), stride=1, padding=1, divisor_override=5),
}


@pytest.mark.parametrize("config", sorted(AVG_CONFIGS))
def test_avg_pool2d_gradcheck(config, make):
    x = make((2, 2, 7, 6))
    assert minigrad.gradcheck(lambda x: F.avg_pool2d(x, **AVG_CONFIGS[config]), (x,))


# ----------------------------------------------------------------------------------------
# A direct loop, the definition of a convolution
# ----------------------------------------------------------------------------------------


def naive_conv2d(x, w, b, stride, padding, dilation, groups):
    """out[n, o, i, j] = b[o] + sum over c, p, q of x_padded[n, g*Cg + c, i*sH + p*dH,
    j*sW + q*dW] * w[o, c, p, q], with g = o's group: one output element at a time."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    for s in range(n):
        for k in range(o):
            group = k // (o // groups)
            for i in range(oh):
                for j in range(ow):
                    total = 0.0 if b is None else b[k]
                    for c in range(cg):
                        for p in range(kh):
                            for q in range(kw):
                                pixel = xp[s, group * cg + c, i * sh + p * dh, j * sw + q * dw]
                                total += pixel * w[k, c, p, q]
                    out[s, k, i, j] = total
    return out


NAIVE_CONFIGS = {
    "plain": ((2, 3, 5, 6), (4, 3, 3, 3), (1, 1), (0, 0), (1, 1), 1, True),
    "stride_pad": ((2, 3, 7, 6), (4, 3, 3, 2), (2, 3), (1, 2), (1, 1), 1, True),
    "dilation": ((1, 2, 7, 7), (3, 2, 2, 3), (1, 1), (1, 0), (2, 3), 1, False),
    "groups": ((2, 4, 5, 5), (6, 2, 2, 2), (2, 1), (1, 1), (1, 2), 2, True),
    "depthwise": ((1, 3, 5, 4), (3, 1, 3, 3), (1, 1), (1, 1), (1, 1), 3, False),
}


@pytest.mark.parametrize("config", sorted(NAIVE_CONFIGS))
def test_conv2d_matches_direct_loop(config, device, rng):
    x_shape, w_shape, stride, padding, dilation, groups, with_bias = NAIVE_CONFIGS[config]
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if with_bias else None
    out = F.conv2d(
        minigrad.tensor(x, device=device),
        minigrad.tensor(w, device=device),
        None if b is None else minigrad.tensor(b, device=device),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )
    expected = naive_conv2d(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------------------
# Gradients only where needed, and dtypes
# ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fast_paths")
def test_conv2d_saves_only_what_backward_needs(make):
    """A first layer's input needs no gradient: only the input is saved (to rebuild the
    columns for the weight gradient) and no input gradient is computed. A frozen weight:
    only the weight is saved (for the input gradient). The columns, kH*kW times the
    input's size, are never kept."""
    x, w, b = make((2, 3, 5, 5), requires_grad=False), make((4, 3, 3, 3)), make((4,))
    out = F.conv2d(x, w, b)
    saved_x, weight = out.grad_fn.saved
    assert saved_x is x._data and weight is None
    out.sum().backward()
    assert x.grad is None and w.grad is not None and b.grad is not None

    x, w = make((2, 3, 5, 5)), make((4, 3, 3, 3), requires_grad=False)
    out = F.conv2d(x, w, padding=1)
    saved_x, weight = out.grad_fn.saved
    assert saved_x is None and weight is w._data
    out.sum().backward()
    assert x.grad is not None and w.grad is None


@pytest.mark.usefixtures("fast_paths")
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_chunks_agree_with_one_chunk(monkeypatch, groups, stride):
    """The fast path cuts the batch into chunks whose columns fit the device's workspace.
    With a workspace too small for even one image (one chunk per image), the output and
    all three gradients must equal those of one chunk holding the whole batch."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 4 // groups, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    upstream = rng.standard_normal((5, 6, 9, 8) if stride == 1 else (5, 6, 5, 4))
    upstream = upstream.astype(np.float32)

    def run():
        xs, ws, bs = (minigrad.tensor(a, requires_grad=True) for a in (x, w, b))
        out = F.conv2d(xs, ws, bs, stride=stride, padding=1, groups=groups)
        out.backward(minigrad.tensor(upstream))
        return out.numpy(), xs.grad.numpy(), ws.grad.numpy(), bs.grad.numpy()

    one_chunk = run()
    device_type = type(minigrad.device("cpu"))
    monkeypatch.setattr(device_type, "workspace_bytes", property(lambda self: 1))
    per_image = run()
    for whole, chunked in zip(one_chunk, per_image):
        np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-5)


def test_conv2d_reads_non_contiguous_inputs_right():
    """A transposed input whose strides happen to look like evenly spaced rows must not be
    read as one run of pixels (a stride above 1 along W breaks the run)."""
    rng = np.random.default_rng(8)
    base, w = rng.standard_normal((1, 1, 4, 2)), rng.standard_normal((1, 1, 1, 1))
    x = minigrad.tensor(base).transpose(2, 3)  # (1, 1, 2, 4), not C-contiguous
    out = F.conv2d(x, minigrad.tensor(w), stride=(4, 2))
    expected = naive_conv2d(np.swapaxes(base, 2, 3), w, None, (4, 2), (0, 0), (1, 1), 1)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


@pytest.mark.usefixtures("fast_paths")
def test_conv2d_junk_columns_do_not_spread_inf():
    """Stride-1 convolutions compute a few junk columns per row (see Conv2d); an inf in
    the input or the weight must not turn them into NaN gradients elsewhere. Expected
    values from PyTorch 2.13."""
    x = np.zeros((1, 1, 3, 5))
    x[0, 0, 1, 0] = np.inf
    for stride, expected in (((2, 1), [0.0, 0.0, 0.0]), ((1, 1), [np.inf, 0.0, 0.0])):
        w = minigrad.ones(1, 1, 1, 3, dtype=minigrad.float64, requires_grad=True)
        F.conv2d(minigrad.tensor(x), w, stride=stride).sum().backward()
        assert w.grad.numpy().ravel().tolist() == expected

    x = minigrad.ones(1, 1, 3, 5, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.tensor([[[[1.0, 1.0, np.inf]]]], dtype=minigrad.float64, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[1.0, 2.0, np.inf, np.inf, np.inf]] * 3
    assert w.grad.numpy().ravel().tolist() == [9.0, 9.0, 9.0]


# A "same" convolution with no more outputs than inputs takes Conv2d's second backward path
# (from the gradient's columns) on the CPU: x shape, weight shape, padding.
GRADIENT_COLUMNS_CONFIGS = {
    "3x3": ((3, 5, 7, 6), (4, 5, 3, 3), 1),
    "5x5": ((2, 3, 8, 7), (3, 3, 5, 5), 2),
    "3x1": ((2, 4, 6, 5), (2, 4, 3, 1), (1, 0)),
    "1x1": ((2, 4, 5, 3), (4, 4, 1, 1), 0),
}


def _conv_gradients(x, w, upstream, padding, frozen_weight=False):
    """Output and gradients of conv2d(x, w, b, padding) for numpy inputs (b is w's sum)."""
    xs = minigrad.tensor(x, requires_grad=True)
    ws = minigrad.tensor(w, requires_grad=not frozen_weight)
    bs = minigrad.tensor(w.sum(axis=(1, 2, 3)), requires_grad=True)
    out = F.conv2d(xs, ws, bs, padding=padding)
    out.backward(minigrad.tensor(upstream))
    return [out.numpy(), xs.grad.numpy(), None if frozen_weight else ws.grad.numpy()]


@pytest.mark.usefixtures("fast_paths")
@pytest.mark.parametrize("frozen_weight", [False, True])
@pytest.mark.parametrize("workspace", [None, 1])
@pytest.mark.parametrize("config", sorted(GRADIENT_COLUMNS_CONFIGS))
def test_conv2d_gradient_columns_path_matches_plain_path(monkeypatch, config, workspace,
                                                         frozen_weight):  # fmt: skip
    """Both backward paths give the same gradients, in one chunk or one image per chunk
    (a 1-byte workspace), with and without a weight gradient; and the second path is
    the one taken."""
    x_shape, w_shape, padding = GRADIENT_COLUMNS_CONFIGS[config]
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    upstream = rng.standard_normal((x_shape[0], w_shape[0], *x_shape[2:]))
    if workspace is not None:
        device_type = type(minigrad.device("cpu"))
        monkeypatch.setattr(device_type, "workspace_bytes", property(lambda self: workspace))

    taken = []
    second_path = Conv2d._backward_from_gradient_columns
    monkeypatch.setattr(Conv2d, "_backward_from_gradient_columns",
                        lambda *args: taken.append(1) or second_path(*args))  # fmt: skip
    fast = _conv_gradients(x, w, upstream, padding, frozen_weight)
    assert taken, "the gradient-columns path was not taken"
    monkeypatch.setattr(Conv2d, "_gradient_columns_pay", lambda self, weight: False)
    plain = _conv_gradients(x, w, upstream, padding, frozen_weight)
    for got, want in zip(fast, plain):
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.usefixtures("fast_paths")
def test_conv2d_gradient_columns_path_is_only_taken_where_it_applies(monkeypatch):
    """Stride 2, dilation, groups, uneven padding, more outputs than inputs, or an inf in
    the weight: the plain path."""
    taken = []
    second_path = Conv2d._backward_from_gradient_columns
    monkeypatch.setattr(Conv2d, "_backward_from_gradient_columns",
                        lambda *args: taken.append(1) or second_path(*args))  # fmt: skip
    inf_weight = np.ones((2, 2, 3, 3))
    inf_weight[0, 0, 0, 0] = np.inf
    for w, kwargs in (
        (np.ones((2, 2, 3, 3)), dict(padding=1, stride=2)),
        (np.ones((2, 2, 3, 3)), dict(padding=2, dilation=2)),
        (np.ones((2, 1, 3, 3)), dict(padding=1, groups=2)),
        (np.ones((2, 2, 3, 3)), dict(padding=(1, 2))),
        (np.ones((3, 2, 3, 3)), dict(padding=1)),
        (inf_weight, dict(padding=1)),
    ):
        x = minigrad.ones(1, 2, 5, 5, dtype=minigrad.float64, requires_grad=True)
        F.conv2d(x, minigrad.tensor(w, requires_grad=True), **kwargs).sum().backward()
    assert not taken
    x = minigrad.ones(1, 2, 5, 5, dtype=minigrad.float64, requires_grad=True)
    F.conv2d(x, minigrad.ones(2, 2, 3, 3, dtype=minigrad.float64), padding=1).sum().backward()
    assert taken


@pytest.mark.usefixtures("fast_paths")
@pytest.mark.parametrize("where", ["input", "gradient"])
def test_conv2d_gradient_columns_path_keeps_infs_where_pytorch_has_them(monkeypatch, where):
    """The second path sums products over whole padded planes, so an inf meets zeros of
    the padding (inf * 0 is NaN) that the plain path never multiplies. Its weight
    gradient is then not finite, and backward redoes it the plain way: both paths must
    give the same infs and NaNs."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((3, 3, 3, 3))
    upstream = rng.standard_normal((2, 3, 5, 4))
    (x if where == "input" else upstream)[1, 2, 0, 3] = np.inf
    got = _conv_gradients(x, w, upstream, 1)
    monkeypatch.setattr(Conv2d, "_gradient_columns_pay", lambda self, weight: False)
    want = _conv_gradients(x, w, upstream, 1)
    assert not np.isfinite(want[2]).all()
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)  # inf and NaN must agree


def test_no_graph_under_no_grad(make):
    x, w = make((1, 2, 4, 4)), make((3, 2, 3, 3))
    with minigrad.no_grad():
        out = F.conv2d(x, w)
        pooled = F.max_pool2d(x, 2)
    assert out.grad_fn is None and not out.requires_grad
    assert pooled.grad_fn is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype, make):
    x, w, b = make((2, 4, 6, 6), dtype), make((4, 2, 3, 3), dtype), make((4,), dtype)
    y = F.conv2d(x, w, b, padding=1, groups=2)
    pooled = F.avg_pool2d(F.max_pool2d(y, 2, stride=1, padding=1), 3, stride=2, padding=1)
    for t in (y, pooled):
        assert t.dtype == dtype
    (pooled * pooled).sum().backward()
    for t in (x, w, b):
        assert t.grad.dtype == dtype


def test_max_pool2d_propagates_nan(device):
    """A NaN makes its window's maximum NaN, as in PyTorch, and the window's gradient and
    index go to that NaN (also with padding, whose -inf must not claim it); the other
    windows are unharmed."""
    nan = float("nan")
    data = [[[[1.0, nan, 3.0, 0.0], [2.0, 5.0, 4.0, 1.0]]]]
    x = minigrad.tensor(data, device=device, requires_grad=True)
    out, indices = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(out.numpy()[0, 0, 0, 0]) and out.numpy()[0, 0, 0, 1] == 4.0
    assert indices.tolist() == [[[[1, 6]]]]  # as PyTorch
    out.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]]]

    x = minigrad.tensor(data, device=device, requires_grad=True)
    out, indices = F.max_pool2d(x, 2, padding=1, return_indices=True)
    assert indices.tolist() == [[[[0, 1, 3], [4, 5, 7]]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[[1.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 1.0]]]]


def test_max_pool2d_gradient_goes_to_the_first_maximum(device):
    x = minigrad.ones(1, 1, 2, 3, device=device, requires_grad=True)
    out, indices = F.max_pool2d(x, 2, stride=1, return_indices=True)
    assert indices.tolist() == [[[[0, 1]]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]]


def test_empty_batch(device):
    x = minigrad.zeros(0, 4, 5, 5, device=device)
    out = F.conv2d(x, minigrad.zeros(6, 4, 3, 3, device=device))
    assert out.shape == (0, 6, 3, 3)


@pytest.mark.parametrize("out_channels", [3, 6])  # both backward paths
def test_empty_batch_backward(device, out_channels):
    """No images: zero gradients of the right shapes, on either backward path."""
    x = minigrad.zeros(0, 4, 5, 5, device=device, requires_grad=True)
    w = minigrad.ones(out_channels, 4, 3, 3, device=device, requires_grad=True)
    F.conv2d(x, w, padding=1).sum().backward()
    assert x.grad.shape == (0, 4, 5, 5)
    assert w.grad.shape == w.shape and not w.grad.numpy().any()


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------


@pytest.fixture
def t(device):
    """t(*shape, dtype=float32): a zero tensor on the device under test."""

    def _t(*shape, dtype=np.float32):
        return minigrad.tensor(np.zeros(shape, dtype), device=device)

    return _t


CONV_ERRORS = [
    # (input shape, weight shape, kwargs, error, message)
    ((4, 5), (6, 4, 3, 3), {}, RuntimeError, r"3D \(unbatched\) or 4D .* size: \[4, 5\]"),
    ((1, 2, 4, 5, 5), (6, 4, 3, 3), {}, RuntimeError, r"size: \[1, 2, 4, 5, 5\]"),
    ((2, 4, 5, 5), (6, 4, 3), {}, RuntimeError, r"weight to be 4-D .* size \[6, 4, 3\]"),
    (
        (2, 4, 5, 5),
        (6, 3, 3, 3),
        {},
        RuntimeError,
        r"expected input\[2, 4, 5, 5\] to have 3 channels, but got 4",
    ),
    ((4, 5, 5), (6, 3, 3, 3), {}, RuntimeError, r"input\[1, 4, 5, 5\] to have 3 channels"),
    ((2, 5, 5, 5), (6, 1, 3, 3), {"groups": 2}, RuntimeError, r"in_channels \(5.*groups \(2\)"),
    ((2, 6, 5, 5), (4, 2, 3, 3), {"groups": 3}, RuntimeError, r"divisible by 3 .* \[4, 2, 3, 3\]"),
    ((2, 4, 5, 5), (6, 4, 7, 7), {}, RuntimeError, r"\(5 x 5\).*\(7 x 7\).*can't be greater"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"dilation": 3}, RuntimeError, r"\(7 x 7\)"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"stride": 0}, RuntimeError, r"non-positive stride.*\(0, 0\)"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"padding": -1}, RuntimeError, r"negative padding"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"dilation": (1, 0)}, RuntimeError, r"dilation=\(1, 0\)"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"groups": 0}, RuntimeError, r"groups=0"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"padding": "same", "stride": 2}, RuntimeError, r"strided"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"padding": "full"}, RuntimeError, r"'full'.*'valid' or 'same'"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"padding": (1, 2, 3)}, TypeError, r"padding=\(1, 2, 3\)"),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"stride": 1.5}, TypeError, r"stride=1.5"),
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs, error, message", CONV_ERRORS)
def test_conv2d_errors(x_shape, w_shape, kwargs, error, message, t):
    with pytest.raises(error, match=message):
        F.conv2d(t(*x_shape), t(*w_shape), **kwargs)


def test_conv2d_bias_and_dtype_errors(t):
    x, w = t(2, 4, 5, 5), t(6, 4, 3, 3)
    with pytest.raises(RuntimeError, match=r"6 elements, but got bias of size \[5\]"):
        F.conv2d(x, w, t(5))
    with pytest.raises(RuntimeError, match=r"input type \(float32\) and weight type \(float64\)"):
        F.conv2d(x, t(6, 4, 3, 3, dtype=np.float64))
    with pytest.raises(RuntimeError, match=r"input type \(float32\) and bias type \(float64\)"):
        F.conv2d(x, w, t(6, dtype=np.float64))
    with pytest.raises(TypeError, match="expected weight to be a Tensor, got ndarray"):
        F.conv2d(x, np.zeros((6, 4, 3, 3)))
    with pytest.raises(RuntimeError, match="not implemented for bool"):
        F.conv2d(t(2, 4, 5, 5, dtype=np.bool_), t(6, 4, 3, 3, dtype=np.bool_))


def test_conv2d_device_mismatch(device):
    if device == "cpu":
        pytest.skip("needs a second device (run with --device cuda)")
    x = minigrad.zeros(1, 2, 4, 4, device=device)
    with pytest.raises(RuntimeError, match="same device"):
        F.conv2d(x, minigrad.zeros(3, 2, 3, 3))


POOL_ERRORS = [
    # (pooling, input shape, kwargs, error, message)
    ("max", (5, 5), dict(kernel_size=2), RuntimeError, r"3D \(unbatched\) or 4D.*\[5, 5\]"),
    ("avg", (1, 1, 1, 5, 5), dict(kernel_size=2), RuntimeError, r"size: \[1, 1, 1, 5, 5\]"),
    ("max", (4, 0, 5), dict(kernel_size=2), RuntimeError, r"non-zero channels.*\[4, 0, 5\]"),
    ("max", (2, 4, 5, 5), dict(kernel_size=3, padding=2), RuntimeError, r"at most half"),
    (
        "avg",
        (2, 4, 5, 5),
        dict(kernel_size=(4, 2), padding=(1, 2)),
        RuntimeError,
        r"padding=\(1, 2\) and kernel_size=\(4, 2\)",
    ),
    ("max", (2, 4, 5, 5), dict(kernel_size=6), RuntimeError, r"\(4x5x5\).*\(4x0x0\).*too small"),
    ("avg", (4, 5, 5), dict(kernel_size=(6, 2)), RuntimeError, r"\(4x0x2\)"),
    ("max", (2, 4, 5, 5), dict(kernel_size=0), RuntimeError, r"kernel_size=\(0, 0\)"),
    ("max", (2, 4, 5, 5), dict(kernel_size=2, stride=0), RuntimeError, r"stride=\(0, 0\)"),
    ("avg", (2, 4, 5, 5), dict(kernel_size=2, stride=(1, 0)), RuntimeError, r"stride=\(1, 0\)"),
    ("max", (2, 4, 5, 5), dict(kernel_size=2, dilation=0), RuntimeError, r"dilation=\(0, 0\)"),
    ("max", (2, 4, 5, 5), dict(kernel_size=2, padding=-1), RuntimeError, r"non-negative"),
    ("max", (2, 4, 5, 5), dict(kernel_size=(2, 2, 2)), TypeError, r"kernel_size=\(2, 2, 2\)"),
    ("avg", (2, 4, 5, 5), dict(kernel_size=2, divisor_override=0), RuntimeError, r"not zero"),
    ("avg", (2, 4, 5, 5), dict(kernel_size=2, divisor_override=1.5), TypeError, r"1.5"),
]


@pytest.mark.parametrize("pool, shape, kwargs, error, message", POOL_ERRORS)
def test_pool_errors(pool, shape, kwargs, error, message, t):
    fn = F.max_pool2d if pool == "max" else F.avg_pool2d
    with pytest.raises(error, match=message):
        fn(t(*shape), **kwargs)
