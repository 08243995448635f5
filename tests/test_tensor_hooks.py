"""``Tensor.register_hook``, ``retain_grad`` and the warning on a non-leaf's ``.grad``,
with PyTorch's semantics (each case's figures are what PyTorch 2.13 gives)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn


def test_a_leaf_hook_sees_the_whole_gradient_once_and_may_replace_it(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    ((x * x).sum() + x.sum()).backward()  # two paths into x: one call, with the sum
    assert seen == [[3.0, 5.0]] and x.grad.tolist() == [30.0, 50.0]
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0] and len(seen) == 1


def test_a_hook_on_an_intermediate_changes_what_flows_back(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g * 2)
    y.register_hook(lambda g: g + 1)  # hooks run in order: (1 * 2) + 1
    y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [9.0, 9.0]
    assert minigrad.autograd.grad(y.sum(), y)[0].tolist() == [3.0, 3.0]  # as PyTorch
    z = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    z.register_hook(lambda g: g * 10)
    assert minigrad.autograd.grad((z * z).sum(), z)[0].tolist() == [20.0, 40.0]


def test_retain_grad_keeps_and_adds_up_an_activation_gradient(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    z = x * 1
    z.retain_grad()
    assert z.retains_grad and not x.retains_grad
    (z * 2).sum().backward(retain_graph=True)
    (z * 2).sum().backward()
    assert z.grad.tolist() == [4.0, 4.0] and x.grad.tolist() == [40.0, 40.0]
    x.retain_grad()  # a leaf: nothing to do
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        minigrad.ones(2, device=device).retain_grad()
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minigrad.ones(2, device=device).register_hook(lambda g: g)


def test_activation_gradients_of_a_network_match_pytorch(device):
    """The gradient at each BatchNorm's output, kept with retain_grad, for a fixed net:
    the figures a depth study reads; PyTorch's, computed with the same weights."""
    minigrad.manual_seed(0)
    layers = [nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3)]
    model = nn.Sequential(*layers).to(device)
    x = minigrad.tensor(np.linspace(-1, 1, 20, dtype=np.float32).reshape(5, 4), device=device)
    hidden = model[1](model[0](x))
    hidden.retain_grad()
    out = model[3](model[2](hidden))
    (out * out).sum().backward()
    # The same by hand: d(sum out^2)/d hidden = (2 out @ W3) * (hidden > 0).
    w3 = model[3].weight.detach()
    expected = ((2 * out.detach()) @ w3) * (hidden.detach() > 0).float()
    np.testing.assert_allclose(hidden.grad.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_what_a_hook_returns_is_checked(device):
    y = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True) * 2
    y.register_hook(lambda g: g[:1])
    with pytest.raises(RuntimeError, match="changed the size or dtype"):
        y.sum().backward()
    w = minigrad.tensor([1.0], device=device, requires_grad=True)
    w.register_hook(lambda g: 1.0)
    with pytest.raises(TypeError, match="must return a Tensor or None"):
        (w * 2).sum().backward()


def test_reading_a_non_leaf_grad_warns_as_in_pytorch(device):
    x = minigrad.ones(2, device=device, requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None and x.grad is not None  # retained, or a leaf: no warning


# ----------------------------------------------------------------------------------------
# register_post_accumulate_grad_hook
# ----------------------------------------------------------------------------------------


def test_post_accumulate_hooks_run_after_the_gradient_is_complete():
    x = minigrad.ones(2, requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(("pre", g.tolist())) or g * 2)
    x.register_post_accumulate_grad_hook(lambda p: calls.append(("post", p.grad.tolist())))
    y = x * 3
    (y + y * y).sum().backward()  # two paths into x: the hook sees their sum, once
    assert calls == [("pre", [21.0, 21.0]), ("post", [42.0, 42.0])]
    calls.clear()
    minigrad.autograd.grad((x * 3).sum(), x)  # .grad untouched: no post hook
    assert calls == [("pre", [3.0, 3.0])]
    calls.clear()
    (x * 3).sum().backward(inputs=[x])
    assert calls == [("pre", [3.0, 3.0]), ("post", [48.0, 48.0])]


def test_post_accumulate_hook_rules():
    x = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minigrad.ones(2).register_post_accumulate_grad_hook(lambda p: None)
    handle = x.register_post_accumulate_grad_hook(lambda p: 5)
    with pytest.raises(TypeError, match="must return None, got int"):
        x.sum().backward()
    handle.remove()
    x.sum().backward()  # removed: nothing runs


def test_the_optimizer_runs_inside_backward_as_in_pytorchs_tutorial():
    """PyTorch's "fuse the optimizer into backward" recipe: one optimizer per parameter,
    stepped by its post-accumulate hook; the same weights as the usual loop."""

    def build():
        minigrad.manual_seed(0)
        return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))

    x, y = minigrad.randn(8, 3), minigrad.randn(8, 1)
    usual = build()
    opt = minigrad.optim.Adam(usual.parameters(), lr=0.01)
    fused = build()
    optimizers = {p: minigrad.optim.Adam([p], lr=0.01) for p in fused.parameters()}

    def optimizer_hook(parameter):
        optimizers[parameter].step()
        optimizers[parameter].zero_grad()

    for p in fused.parameters():
        p.register_post_accumulate_grad_hook(optimizer_hook)
    for _ in range(3):
        opt.zero_grad()
        nn.functional.mse_loss(usual(x), y).backward()
        opt.step()
        nn.functional.mse_loss(fused(x), y).backward()
    for a, b in zip(usual.parameters(), fused.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
        assert b.grad is None


def test_post_accumulate_hooks_run_as_soon_as_each_gradient_is_complete():
    """PyTorch's order: the last layer's weight is done before backward reaches the first
    layer (which frees each gradient early in the optimizer-in-backward recipe)."""
    minigrad.manual_seed(0)
    l1, l2 = nn.Linear(3, 3), nn.Linear(3, 1)
    order = []
    l2.weight.register_post_accumulate_grad_hook(lambda p: order.append("l2.weight"))
    l1.weight.register_post_accumulate_grad_hook(lambda p: order.append("l1.weight"))
    h = l1(minigrad.randn(2, 3))
    h.register_hook(lambda g: order.append("h") or None)
    l2(h).sum().backward()
    assert order == ["l2.weight", "h", "l1.weight"]
    zeroed = minigrad.ones(2, requires_grad=True)
    zeroed.register_post_accumulate_grad_hook(lambda p: order.append("zeroed"))
    (zeroed * 0).sum().backward()  # reached, with a zero gradient: it runs
    assert order[-1] == "zeroed" and zeroed.grad.tolist() == [0.0, 0.0]
