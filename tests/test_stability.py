"""Numerically hard inputs give finite, correct values and gradients, and no NumPy warnings.

pytest turns every warning into an error here (``filterwarnings = error`` in
pyproject.toml), so an overflow inside NumPy fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import fastpath, nn


def test_sigmoid_of_huge_inputs(device):
    x = minigrad.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], device=device, requires_grad=True)
    y = minigrad.sigmoid(x)
    y.sum().backward()
    values, grads = y.numpy(), x.grad.numpy()
    assert np.isfinite(values).all() and np.isfinite(grads).all()
    np.testing.assert_allclose(values, [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(grads, [0.0, np.exp(-50.0), 0.25, 0.0, 0.0], rtol=1e-5, atol=1e-30)


def test_sigmoid_of_a_0d_tensor(device):
    x = minigrad.tensor(1.5, device=device, requires_grad=True)
    y = x.sigmoid()
    y.backward()
    expected = 1 / (1 + np.exp(-1.5))
    np.testing.assert_allclose(y.item(), expected, rtol=1e-6)
    np.testing.assert_allclose(x.grad.item(), expected * (1 - expected), rtol=1e-6)


def test_log_softmax_of_large_logits(device):
    logits = minigrad.tensor([[1e4, 0.0, -1e4], [5e3, 5e3, 0.0]], device=device, requires_grad=True)
    out = minigrad.log_softmax(logits, dim=1)
    v = minigrad.tensor([[1.0, 2.0, 3.0], [1.0, -1.0, 0.5]], device=device)
    out.backward(v)
    assert np.isfinite(out.numpy()).all() and np.isfinite(logits.grad.numpy()).all()
    np.testing.assert_allclose(
        out.numpy(), [[0.0, -1e4, -2e4], [-np.log(2), -np.log(2), -5e3 - np.log(2)]], rtol=1e-6
    )
    # grad = v - softmax * sum(v); softmax is (1, 0, 0) and (0.5, 0.5, 0)
    np.testing.assert_allclose(logits.grad.numpy(), [[-5.0, 2.0, 3.0], [0.75, -1.25, 0.5]])


def test_softmax_of_large_logits(device):
    logits = minigrad.tensor([[1e4, 0.0, -1e4]], device=device, requires_grad=True)
    probs = minigrad.softmax(logits, dim=1)
    probs[:, 0].sum().backward()
    np.testing.assert_allclose(probs.numpy(), [[1.0, 0.0, 0.0]])
    assert np.isfinite(logits.grad.numpy()).all()


def test_cross_entropy_of_large_logits(device):
    logits = minigrad.tensor(
        [[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]], device=device, requires_grad=True
    )
    target = minigrad.tensor([0, 2], device=device)
    loss = minigrad.cross_entropy(logits, target)
    loss.backward()
    # Sample 0 is right with certainty (loss 0); sample 1 has loss 2e4. Mean: 1e4.
    np.testing.assert_allclose(loss.item(), 1e4)
    # d/dlogits = (softmax - one_hot) / N
    np.testing.assert_allclose(logits.grad.numpy(), [[0.0, 0.0, 0.0], [0.5, 0.0, -0.5]])


def test_log_and_division_by_zero_give_inf_silently(device):
    x = minigrad.tensor([0.0, 1.0], device=device)
    assert minigrad.log(x).tolist()[0] == -np.inf
    assert (1.0 / x).tolist()[0] == np.inf


# ----------------------------------------------------------------------------------------
# Infinite inputs: NaN results where PyTorch gives NaN, and no NumPy warning (issue 22)
# ----------------------------------------------------------------------------------------

INF = float("inf")
# Rows where the max shift computes inf - inf: PyTorch 2.13 gives NaN everywhere, silently.
INFINITE_ROWS = [[INF, 1.0, 0.0], [-INF, -INF, -INF], [INF, INF, 1.0]]


@pytest.mark.parametrize("row", INFINITE_ROWS)
@pytest.mark.parametrize(
    "op",
    [
        lambda x: minigrad.softmax(x, dim=1),
        lambda x: minigrad.log_softmax(x, dim=1),
        lambda x: F.cross_entropy(x, minigrad.tensor([0], device=x.device)),
        lambda x: F.cross_entropy(x, minigrad.tensor([0], device=x.device), label_smoothing=0.1),
    ],
    ids=["softmax", "log_softmax", "cross_entropy", "cross_entropy_smoothing"],
)
def test_softmax_family_of_infinite_logits_is_nan_without_warnings(op, row, device):
    x = minigrad.tensor([row], device=device, requires_grad=True)
    out = op(x)  # a RuntimeWarning here is an error (filterwarnings = error)
    out.sum().backward()
    assert np.isnan(out.numpy()).all() and np.isnan(x.grad.numpy()).all()


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize("value", [INF, -INF, 3e38])
@pytest.mark.parametrize("layer", ["1d", "2d"])
def test_batch_norm_of_infinite_inputs_without_warnings(layer, value, reference, device, request):
    """Both the fast path (fast/batchnorm.py) and the reference (ops/batchnorm.py)."""
    if not reference and request.config.getoption("--device") == "strict":
        pytest.skip("--device strict: the fused CUDA kernels need CuPy itself")
    data = np.array([[value, 1.0], [-3e38 if value == 3e38 else 0.0, 2.0]], dtype=np.float32)
    module = minigrad.nn.BatchNorm1d(2) if layer == "1d" else minigrad.nn.BatchNorm2d(2)
    if layer == "2d":
        data = data.reshape(2, 2, 1, 1).repeat(2, axis=2)
    module.to(device)
    x = minigrad.tensor(data, device=device, requires_grad=True)
    with fastpath.reference_mode(reference):
        for train in (True, False):
            module.train(train)
            out = module(x)
            out.sum().backward()
    # An infinity makes its channel NaN, as in PyTorch (3e38 only overflows the variance);
    # the other channel stays finite.
    assert np.isnan(out.numpy()[:, 0]).all() or value == 3e38
    assert np.isfinite(out.numpy()[:, 1]).all()


def test_overflowing_products_give_inf_silently(device):
    """A diverging run (a recurrent net at a large learning rate) overflows products to inf
    and inf * 0 to nan; PyTorch returns those without a warning, and so must minigrad."""
    x = minigrad.tensor([1e30, 1.0], device=device, requires_grad=True)
    y = x * x
    assert y[0].item() == np.inf
    y.backward(minigrad.tensor([1e30, 0.0], device=device))
    assert x.grad[0].item() == np.inf
    assert np.isnan((minigrad.tensor([np.inf], device=device) * 0).item())
    w = minigrad.full((2, 2), 1e30, device=device, requires_grad=True)
    (minigrad.full((3, 2), 3e38, device=device) @ w).sum().backward()
    assert np.isinf(w.grad.cpu().numpy()).all()
    layer = nn.Linear(2, 2).to(device)
    layer(minigrad.full((1, 2), 3e38, device=device)).sum().backward()
    rnn = nn.RNN(2, 3, nonlinearity="relu").to(device)
    rnn(minigrad.full((4, 1, 2), 3e38, device=device))[0].sum().backward()
    p = nn.Parameter(minigrad.tensor([1e20, 1.0], device=device))
    p.grad = minigrad.tensor([1e20, 1.0], device=device)
    assert nn.utils.clip_grad_norm_([p], 0.25).item() == np.inf
