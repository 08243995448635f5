"""Numerically hard inputs give finite, correct values and gradients, and no NumPy warnings.

pytest turns every warning into an error here (``filterwarnings = error`` in
pyproject.toml), so an overflow inside NumPy fails these tests.
"""

from __future__ import annotations

import numpy as np

import minigrad


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
