"""The fused CUDA kernels (minigrad/fast/cuda_kernels.py) against the plain array code.

Every op with a fused GPU path keeps its plain path, which is what the CPU runs and what
the golden files check against PyTorch. Here both paths run on the same GPU inputs, the
plain one inside ``backend.plain_kernels()``, and must agree to float rounding. Without a
GPU these tests are skipped with the reason shown; the class-target checks at the end run
on every device.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad
from minigrad import backend, fastpath, nn
from minigrad.fast import gpu
from minigrad.nn import functional as F
from minigrad.optim import SGD

needs_gpu = pytest.mark.skipif(
    not minigrad.cuda.is_available() or getattr(minigrad.backend.cupy, "stand_in", False),
    reason="the fused kernels need a CUDA GPU (CuPy itself, not the strict stand-in)",
)


def _close(a, b, dtype):
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-12, 1e-12)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)


def _both_paths(run):
    """``run()`` with the fused kernels, then with the plain code."""
    with fastpath.reference_mode(False):  # also under MINIGRAD_REFERENCE=1
        fused = run()
    with backend.plain_kernels():
        plain = run()
    return fused, plain


@needs_gpu
def test_fused_path_is_on_for_gpus_and_off_inside_plain_kernels():
    assert gpu.kernels(minigrad.device("cuda")) is not None
    with backend.plain_kernels():
        assert gpu.kernels(minigrad.device("cuda")) is None
    assert gpu.kernels(minigrad.device("cpu")) is None


@needs_gpu
@pytest.mark.parametrize(
    ("momentum", "dampening", "nesterov", "weight_decay", "maximize"),
    [
        (m, d, n, wd, mx)
        for m, d, n, wd, mx in itertools.product(
            [0.0, 0.9], [0.0, 0.3], [False, True], [0.0, 0.01], [False, True]
        )
        if not (n and (m == 0 or d != 0))  # nesterov needs momentum and no dampening
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_update_matches_plain(momentum, dampening, nesterov, weight_decay, maximize, dtype):
    rng = np.random.default_rng(0)
    start = rng.standard_normal((7, 5)).astype(dtype)
    grads = [rng.standard_normal((7, 5)).astype(dtype) for _ in range(3)]

    def run():
        w = minigrad.tensor(start, device="cuda", requires_grad=True)
        opt = SGD([w], lr=0.1, momentum=momentum, dampening=dampening, nesterov=nesterov,
                  weight_decay=weight_decay, maximize=maximize)  # fmt: skip
        for g in grads:
            w.grad = minigrad.tensor(g, device="cuda")
            opt.step()
        buf = opt.state[w].get("momentum_buffer")
        return w.detach(), buf

    (w_fused, buf_fused), (w_plain, buf_plain) = _both_paths(run)
    _close(w_fused, w_plain, dtype)
    assert (buf_fused is None) == (buf_plain is None) == (momentum == 0)
    if buf_fused is not None:
        _close(buf_fused, buf_plain, dtype)


@needs_gpu
@pytest.mark.parametrize("shape", [(16, 6), (4, 3, 5, 7), (3, 2, 9)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_matches_plain(shape, affine, training, dtype):
    rng = np.random.default_rng(1)
    x0 = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    g0 = rng.standard_normal(shape).astype(dtype)
    c = shape[1]
    gamma0, beta0 = rng.uniform(0.5, 2, c).astype(dtype), rng.standard_normal(c).astype(dtype)
    mean0, var0 = rng.standard_normal(c).astype(dtype), rng.uniform(0.5, 2, c).astype(dtype)

    def run():
        def t(a, grad=False):
            return minigrad.tensor(a, device="cuda", requires_grad=grad)

        x = t(x0, True)
        gamma, beta = (t(gamma0, True), t(beta0, True)) if affine else (None, None)
        running_mean, running_var = t(mean0), t(var0)
        out = F.batch_norm(x, running_mean, running_var, gamma, beta, training=training,
                           momentum=0.2, eps=1e-3)  # fmt: skip
        out.backward(t(g0))
        grads = [x.grad] + ([gamma.grad, beta.grad] if affine else [])
        return [out.detach(), running_mean, running_var, *grads]

    fused, plain = _both_paths(run)
    for a, b in zip(fused, plain):
        _close(a, b, dtype)


@needs_gpu
def test_batch_norm_module_trains_the_same_fused_and_plain():
    def run():
        minigrad.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
        model.to("cuda")
        opt = SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
        rng = np.random.default_rng(2)
        for _ in range(3):
            x = minigrad.tensor(rng.standard_normal((10, 8)).astype(np.float32), device="cuda")
            y = minigrad.tensor(rng.integers(0, 3, 10), device="cuda")
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return [t.detach() for t in model.state_dict().values()]

    fused, plain = _both_paths(run)
    for a, b in zip(fused, plain):
        if a.is_floating_point():
            _close(a, b, np.float32)
        else:
            assert a.tolist() == b.tolist()  # num_batches_tracked


@needs_gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_matches_plain(dtype):
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((5, 4)).astype(dtype)
    x0[0, :2] = 0.0  # the kink: PyTorch's gradient there is 0
    g0 = rng.standard_normal((5, 4)).astype(dtype)

    def run():
        x = minigrad.tensor(x0, device="cuda", requires_grad=True)
        F.relu(x).backward(minigrad.tensor(g0, device="cuda"))
        return x.grad

    fused, plain = _both_paths(run)
    _close(fused, plain, dtype)
    assert fused.numpy()[0, :2].tolist() == [0.0, 0.0]


# ----------------------------------------------------------------------------------------
# Class targets out of range: an error on every device (on a GPU, at the next read)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [3, -1])
def test_out_of_range_class_target_raises(device, bad):
    logits = minigrad.zeros(2, 3, device=device)
    target = minigrad.tensor([0, bad], device=device)
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds: there are 3 classes"):
        F.cross_entropy(logits, target).item()
    # the error is reported once; a later loss with good targets reads fine
    good = minigrad.tensor([0, 2], device=device)
    assert F.cross_entropy(logits, good).item() == pytest.approx(np.log(3))


def test_ignored_class_target_is_not_out_of_range(device):
    logits = minigrad.zeros(2, 3, device=device)
    target = minigrad.tensor([1, -100], device=device)
    assert F.cross_entropy(logits, target, ignore_index=-100).item() == pytest.approx(np.log(3))


@needs_gpu
def test_gpu_target_check_does_not_wait_and_reports_at_synchronize():
    logits = minigrad.zeros(2, 3, device="cuda")
    loss = F.cross_entropy(logits, minigrad.tensor([5, 0], device="cuda"))  # no error yet
    assert loss.device.type == "cuda"
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        minigrad.cuda.synchronize()
    minigrad.cuda.synchronize()  # reported once


@needs_gpu
@pytest.mark.parametrize(
    ("shape", "out_channels", "kernel", "stride", "padding", "dilation", "groups"),
    [
        ((2, 3, 7, 6), 4, 3, 1, 1, 1, 1),
        ((3, 4, 9, 8), 6, 3, 2, 1, 1, 2),
        ((2, 2, 8, 9), 3, (2, 3), (2, 1), (0, 2), (2, 1), 1),
        ((1, 4, 5, 5), 4, 5, 1, 2, 1, 4),
        ((4, 1, 28, 28), 8, 3, 1, 1, 1, 1),
    ],
)
@pytest.mark.parametrize("small_workspace", [False, True])
def test_conv2d_im2col_col2im_match_plain(
    monkeypatch, shape, out_channels, kernel, stride, padding, dilation, groups, small_workspace
):
    if small_workspace:  # several chunks of the batch
        monkeypatch.setattr(backend.Device, "workspace_bytes", property(lambda self: 2048))
    rng = np.random.default_rng(4)
    conv = nn.Conv2d(shape[1], out_channels, kernel, stride, padding, dilation, groups)
    w0, b0 = conv.weight.numpy(), conv.bias.numpy()
    x0 = rng.standard_normal(shape)
    out_shape = conv(minigrad.tensor(x0, dtype=minigrad.float32)).shape
    g0 = rng.standard_normal(out_shape)

    def run():
        def t(a):
            return minigrad.tensor(a, device="cuda", requires_grad=True)

        x, w, b = t(x0), t(w0.astype(np.float64)), t(b0.astype(np.float64))
        out = F.conv2d(x, w, b, stride, padding, dilation, groups)
        out.backward(minigrad.tensor(g0, device="cuda"))
        return out.detach(), x.grad, w.grad, b.grad

    fused, plain = _both_paths(run)
    for a, b in zip(fused, plain):
        _close(a, b, np.float64)
